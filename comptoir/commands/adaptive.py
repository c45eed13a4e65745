"""`comptoir calibrate`, `comptoir evaluate` and `comptoir simulate`.

The core CLI calls `register(subparsers)`; `python -m comptoir.commands.adaptive …` runs the same
commands on their own. Bad input prints one line naming the file and line, and exits 2.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any, Callable

from ..adaptive.course import BAD_GUESS, BAD_SLIP, DEFAULT_REPEAT_MEMORY, MIN_ITEM_RESPONSES
from ..adaptive.data import FORMATS, ITEM_FORMATS, DataError, read_answers, read_responses, responses_of
from ..progress import Bar

MODELS = ("standard", "forgetting", "ability", "history")

CALIBRATE_EPILOG = """\
examples:
  comptoir calibrate --data builder_train.csv --format piech --model forgetting --out params.json
  comptoir calibrate --data answers.csv --format csv --model standard --out params.json
  comptoir calibrate --data statements.json --format xapi --model standard --out params.json
  comptoir calibrate --course demo --data statements.jsonl --format cmi5 --out content/calibration/demo.json
  comptoir calibrate --course demo --data xblock-state.jsonl --format xblock --out content/calibration/demo.json
  COMPTOIR_LRS_PASSWORD=… comptoir calibrate --course demo --lrs https://lrs.example/xAPI/ \\
      --lrs-user reports --out content/calibration/demo.json

formats:
  piech  three lines per student: response count; skill ids; 0/1 flags (commas between)
  csv    student,competency,correct[,timestamp] (an optional header line is skipped)
  xapi   a JSON array, or JSON lines, of xAPI statements: actor -> student, the context
         extension ending in /competency (else object.id) -> competency, result.success
         -> correct; statements without result.success are skipped
  cmi5   what comptoir's cmi5 packages send (a JSON array or JSON lines, or --lrs): the
         "answered" statements, ordered by timestamp then stored, voided ones and repeated
         ids skipped; the item from object.id, its competencies from the course (--course)
         or else from contextActivities.other
  xblock JSON lines {"user", "block", "state"}: the comptoir_adaptive XBlock's per-learner
         state as Open edX stores it, its "history" in answer order (needs --course)

With cmi5 or xblock, each item's guess and slip are fitted too (once at least --min-responses
learners answered it) and items whose fitted slip > 0.3 or guess > 0.5 are reported as bad.
With --course, the output is the course's calibration file: name it in the course
(learner_model: {calibration: calibration/ID.json}, relative to the content folder) and every
target built from the course uses it (docs/adaptive.md, "Calibrating from your LMS").

Models: standard BKT; forgetting (P(forget) > 0); ability (forgetting, every parameter per
competency and ability class, the class from the learner's accuracy on the competencies answered
before); history (forgetting, every parameter per competency, class and streak band: the class
from the learner's accuracy on earlier competencies weighted by how related they are, the band
from the identical answers just before in the sequence). ability and history: piech, csv and
xapi only; the engine does not use classes or bands yet, it reads their average in "skills".
Needs numpy (pip install 'comptoir[calibrate]'). EM runs all restarts together for a few
iterations, keeps the best per competency, then iterates until the log-likelihood gains less
than --tol per response.
"""

EVALUATE_EPILOG = """\
examples:
  comptoir evaluate --params params.json --data held_out.csv --format csv
  comptoir evaluate --cv 5 --model forgetting --data builder_train.csv --format piech
  comptoir evaluate --cv 5 --model ability --data builder_train.csv --format piech
  comptoir evaluate --cv 5 --model history --data builder_train.csv --format piech

Prints JSON: auc (pooled over all predictions), rmse, log_loss, n. Every prediction is made
before the response it predicts is seen. With --cv K, students are split into K folds; each
fold is predicted by parameters fitted on the other folds.
"""

SIMULATE_EPILOG = """\
examples:
  comptoir simulate
  comptoir simulate --json --worlds 5 --learners 2000 > simulate.json
  comptoir simulate --families third --orders teach_first --worlds 1 --learners 200

Runs simulated learners through course graphs drawn from three world families (reference,
second, third — the last held out from policy work), each in two orders (answer then learn,
learn then answer), several world draws each. comptoir is the engine exactly as the browser
player calls it (next_activity, default settings: reviews, repeats discounted, referral to a
trainer); the baselines are item-aware BKT, individualised BKT, plain BKT, n correct in a row
and a fixed sequence; an oracle sets the scale. Prints, per family and order, each policy's
items ÷ oracle at the criterion (>= 95 % truly mastered, <= 3 % false mastery; interpolated
between thresholds) as median (min-max) over the world draws, comptoir's saving against
item-aware BKT and against the cheapest baseline, and the figures at the shipped threshold.
See docs/adaptive.md for the protocol.
"""


def _fail(message: str) -> int:
    print(f"comptoir: error: {message}", file=sys.stderr)
    return 2


def _guarded(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn expected failures into one line on stderr and exit status 2."""
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except DataError as exc:
            return _fail(str(exc))
        except ModuleNotFoundError as exc:
            if exc.name == "numpy":
                return _fail("this command needs numpy: pip install 'comptoir[calibrate]'")
            raise
    return run


def _fit_options(args: argparse.Namespace) -> dict[str, Any]:
    return {"restarts": args.restarts, "max_iter": args.max_iter, "tol": args.tol,
            "seed": args.seed}


def _reporter(bar: Bar) -> Callable[[str], None]:
    """The engine's progress messages ("30/120 runs", "fold 2/5: …") drawn as a bar on a terminal
    (quiet in pipes and logs, like every long command)."""
    def report(message: str) -> None:
        found = re.search(r"(\d+)/(\d+)", message)
        bar(int(found[1]) if found else 0, int(found[2]) if found else 0, message)
    return report


def run_calibrate(args: argparse.Namespace) -> int:
    from ..adaptive.calibrate import fit, fit_items, fit_recall

    if args.lrs is None and (args.data is None or args.format is None):
        return _fail("calibrate needs --data FILE --format F, or --lrs URL")
    if args.model in ("ability", "history") and (args.lrs is not None or args.format in ITEM_FORMATS):
        return _fail(f"--model {args.model} fits competencies, not items: use it with piech, csv or xapi "
                     "(per-item calibration fits standard or forgetting)")
    if args.lrs is not None and args.format not in (None, "cmi5"):
        return _fail("--lrs reads the cmi5 package's statements: leave --format out (or say cmi5)")
    fmt = "cmi5" if args.lrs is not None else args.format
    course = _course_view(args) if args.course else None
    start = time.perf_counter()
    if fmt in ITEM_FORMATS:
        found = _lrs_answers(args) if args.lrs is not None else read_answers(args.data, fmt)
        if fmt == "xblock" and course is None:
            raise DataError(args.data, None, "the xblock format names items, not competencies: "
                                             "give the course (--course ID)")
        responses = responses_of(found, course.competencies if course else None)
        if not responses:
            raise DataError(args.lrs or args.data, None,
                            f"none of the {len(found)} answers is to an item of course {args.course!r}")
        setting = course.repeat_memory if course else DEFAULT_REPEAT_MEMORY
        defaults = course.defaults if course else {}
        if args.repeat_memory == "fit":
            doc = fit_recall(responses, defaults, args.model, setting=setting,
                             min_responses=args.min_responses, **_fit_options(args))
        else:
            doc = fit_items(responses, defaults, args.model, min_responses=args.min_responses,
                            repeat_memory=args.repeat_memory, **_fit_options(args))
        outside = sum(1 for a in found if course is not None and not course.competencies(a.item))
        doc["answers"] = {"read": len(found), "ignored": outside}
    else:
        doc = fit(read_responses(args.data, fmt), args.model, **_fit_options(args))
    doc["seconds"] = round(time.perf_counter() - start, 2)
    doc["data"] = str(args.lrs or args.data)
    if args.course:
        doc["course"] = args.course
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                              encoding="utf-8")
    if args.json:
        print(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False))
    else:
        print(calibration_report(doc, args.out))
    return 0


class CourseView:
    """What calibration needs of a course: its engine's view before any calibration — each item's
    own competencies and the guess/slip the course would use for it — and its repeat setting."""

    def __init__(self, engine: Any) -> None:
        self.by_item = {it.id: tuple(engine.competencies[c] for c in it.competencies) for it in engine.items}
        self.defaults = {it.id: (it.guess, it.slip) for it in engine.items}
        self.repeat_memory = engine.repeat_memory

    def competencies(self, item: str) -> tuple[str, ...]:
        return self.by_item.get(item, ())


def _course_view(args: argparse.Namespace) -> CourseView:
    """The course's engine, uncalibrated; the content must be sound, except for the calibration
    file this run is about to (re)write."""
    from ..adaptive.course import engine_course
    from ..diagnostics import Report
    from ..project import load_content
    from ..resolve import resolve

    root = Path(getattr(args, "content", "content")).resolve()
    report = Report(root.parent)
    content = load_content(root, report)
    blocking = [d for d in report.errors if d.code != "calibration"]
    if blocking:
        raise DataError(root, None, f"the content has {len(blocking)} error(s); run 'comptoir check' "
                                    f"(first: {blocking[0].format()})")
    if args.course not in content.courses:
        raise DataError(root, None, f"unknown course {args.course!r} (known: {', '.join(sorted(content.courses))})")
    return CourseView(engine_course(resolve(content, args.course), calibrated=False))


def _lrs_answers(args: argparse.Namespace) -> list[Any]:
    """Every learner's answers from the LRS, through `comptoir mastery --lrs`'s reader."""
    from ..adaptive.data import cmi5_answers
    from ..anki_collection import MasteryError
    from ..xapi_statements import lrs_authorization, read_statements

    try:
        statements = read_statements(args.lrs, None, lrs_authorization(args.lrs_user, args.lrs_password),
                                     verb=None)
    except MasteryError as exc:
        raise DataError(args.lrs, None, str(exc)) from None
    found = list(cmi5_answers(statements))
    if not found:
        raise DataError(args.lrs, None, "the LRS holds no answered statement of a comptoir item")
    return found


def calibration_report(doc: dict[str, Any], out: Path | str) -> str:
    """What was fitted, and the bad items in plain words, for a terminal."""
    lines = [(f"{len(doc['skills'])} competencies fitted ({doc['model']}, {doc['iterations']} EM "
              f"iterations, {doc['seconds']} s) -> {out}")]
    if "items" in doc:
        items = doc["items"]
        kept = sum(not v["fitted"] for v in items.values())
        lines.append(f"{len(items)} items: {len(items) - kept} fitted, {kept} kept their defaults "
                     f"(fewer than {doc['min_responses']} learners answered them)")
        recall = doc.get("repeat_memory_fit")
        if recall and "kept" not in recall:
            lines.append(f"repeat_memory {doc['repeat_memory']:.2f}: fitted on {recall['repeated_answers']} "
                         "answers to items answered before (the engine uses it with this file)")
        elif recall:
            lines.append(f"repeat_memory kept at {doc['repeat_memory']:.2f}: the answers cannot tell "
                         f"({recall['repeated_answers']} answers to items answered before)")
        else:
            lines.append(f"repeat_memory {doc['repeat_memory']:.2f}, as given (--repeat-memory)")
        if doc.get("answers", {}).get("ignored"):
            lines.append(f"{doc['answers']['ignored']} answers to items outside the course ignored")
        bad = doc["bad_items"]
        lines.append(f"bad items (slip > {BAD_SLIP} or guess > {BAD_GUESS}): {len(bad) or 'none'}")
        for b in bad:
            lines.append(f"  {b['item']} ({', '.join(b['competencies'])}): {b['first_answers']} learners, "
                         f"{b['answers']} answers, {b['right']} right; guess {b['guess']:.2f}, "
                         f"slip {b['slip']:.2f}")
            lines.append(f"    {b['hint']}")
    return "\n".join(lines)


def _load_params(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise DataError(path, None, "no such file")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(path, exc.lineno, f"invalid JSON: {exc.msg}") from None
    if not isinstance(doc, dict) or doc.get("format") != "comptoir-bkt-params/1":
        raise DataError(path, None, "not a params file written by `comptoir calibrate`")
    return doc


def run_evaluate(args: argparse.Namespace) -> int:
    from ..adaptive.calibrate import cross_validate, evaluate

    if args.cv is None and args.params is None:
        return _fail("evaluate needs --params FILE, or --cv K with --model")
    if args.cv is not None and args.cv < 2:
        return _fail("--cv needs at least 2 folds")
    responses = read_responses(args.data, args.format)
    start = time.perf_counter()
    if args.cv is not None:
        options = _fit_options(args)
        with Bar("evaluating") as bar:
            result = cross_validate(responses, args.model, folds=args.cv, seed=options.pop("seed"),
                                    progress=_reporter(bar), **options)
    else:
        result = evaluate(_load_params(Path(args.params)), responses)
    result["seconds"] = round(time.perf_counter() - start, 2)
    print(json.dumps(result, indent=1))
    return 0


def run_simulate(args: argparse.Namespace) -> int:
    from ..adaptive.simulate import FAMILIES, ORDERS, format_table, run_all

    families = args.families or list(FAMILIES)
    orders = args.orders or list(ORDERS)
    for name, known in (("family", FAMILIES), ("order", ORDERS)):
        wanted = families if name == "family" else orders
        unknown = [x for x in wanted if x not in known]
        if unknown:
            return _fail(f"unknown {name} {unknown[0]!r} (known: {', '.join(known)})")
    if args.learners < 1 or args.worlds < 1:
        return _fail("--learners and --worlds need at least 1")
    with Bar("simulating") as bar:
        report = run_all(learners=args.learners, worlds=args.worlds, seed=args.seed,
                         jobs=args.jobs, families=families, orders=orders, progress=_reporter(bar))
    print(json.dumps(report, indent=1) if args.json else format_table(report))
    return 0


def _recall_setting(text: str) -> str | float:
    if text == "fit":
        return text
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"'fit' or a number from 0 to below 1, not {text!r}")
    return value


def _data_args(p: argparse.ArgumentParser, model_required: bool, data_required: bool = True) -> None:
    p.add_argument("--data", required=data_required, type=Path, help="response log to read")
    p.add_argument("--format", required=data_required, choices=FORMATS, help="format of --data")
    p.add_argument("--model", choices=MODELS, default="standard", required=model_required,
                   help="standard BKT, BKT with P(forget) > 0, forgetting BKT per ability class "
                        "of learner, or per related-accuracy class and streak band (default: standard)")
    p.add_argument("--restarts", type=int, default=4, help="EM starting points (default: 4)")
    p.add_argument("--max-iter", type=int, default=150, help="EM iteration cap (default: 150)")
    p.add_argument("--tol", type=float, default=1e-6,
                   help="stop when log-likelihood gains less than this per response (default 1e-6)")
    p.add_argument("--seed", type=int, default=0, help="seed for restarts and folds (default 0)")


def register(subparsers: Any) -> None:
    """Add calibrate, evaluate and simulate to the core CLI's argparse subparsers."""
    fmt = argparse.RawDescriptionHelpFormatter
    cal = subparsers.add_parser("calibrate", help="fit per-competency BKT parameters by EM",
                                description="Fit per-competency BKT parameters from response "
                                            "data by expectation-maximisation.",
                                epilog=CALIBRATE_EPILOG, formatter_class=fmt)
    _data_args(cal, model_required=False, data_required=False)
    cal.add_argument("--out", required=True, type=Path,
                     help="the file to write: with --course, the course's calibration file "
                          "(learner_model: {calibration: PATH})")
    cal.add_argument("--course", metavar="ID",
                     help="the course the answers are to: items are mapped to its competencies as its "
                          "engine maps them, and start from its guess/slip (needed with --format xblock)")
    cal.add_argument("--lrs", metavar="URL", help="read every learner's answered statements from this "
                                                  "LRS's xAPI endpoint instead of --data (format cmi5)")
    cal.add_argument("--lrs-user", metavar="USER", help="with --lrs: HTTP Basic user allowed to read statements")
    cal.add_argument("--lrs-password", metavar="PASSWORD",
                     help="with --lrs-user (default: the COMPTOIR_LRS_PASSWORD environment variable)")
    cal.add_argument("--min-responses", type=int, default=MIN_ITEM_RESPONSES, metavar="N",
                     help=f"fit an item's guess/slip only when at least N learners answered it; "
                          f"otherwise it keeps its defaults (default {MIN_ITEM_RESPONSES})")
    cal.add_argument("--repeat-memory", type=_recall_setting, metavar="fit|M", default="fit",
                     help="how likely a learner is to recall an item answered before (the engine's "
                          "repeat_memory): 'fit' (the default) measures it from the answers, keeping "
                          "the course's setting if they cannot tell (nobody answered an item twice); "
                          "a number fixes it")
    cal.add_argument("--json", action="store_true", help="print the whole result, bad items included, as JSON")
    cal.set_defaults(func=_guarded(run_calibrate))

    ev = subparsers.add_parser("evaluate", help="next-response prediction: AUC, RMSE, log-loss",
                               description="Evaluate BKT parameters on response data, or "
                                           "cross-validate a model by student.",
                               epilog=EVALUATE_EPILOG, formatter_class=fmt)
    _data_args(ev, model_required=False)
    ev.add_argument("--params", help="params.json from `comptoir calibrate`")
    ev.add_argument("--cv", type=int, metavar="K", help="student-level K-fold cross-validation")
    ev.set_defaults(func=_guarded(run_evaluate))

    sim = subparsers.add_parser("simulate", help="sequencing benchmark on simulated learners",
                                description="Compare sequencing policies on simulated learners.",
                                epilog=SIMULATE_EPILOG, formatter_class=fmt)
    sim.add_argument("--json", action="store_true", help="print the full report as JSON")
    sim.add_argument("--learners", type=int, default=1000, help="learners per world (default 1000)")
    sim.add_argument("--worlds", type=int, default=3, help="world draws (seeds 1..N) per family "
                                                           "and order (default 3)")
    sim.add_argument("--families", nargs="+", metavar="NAME",
                     help="world families (default: reference second third)")
    sim.add_argument("--orders", nargs="+", metavar="ORDER",
                     help="answer_first and/or teach_first (default: both)")
    sim.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                     help="worker processes (default: one per CPU)")
    sim.add_argument("--seed", type=int, default=20240601, help="learners' seed")
    sim.set_defaults(func=_guarded(run_simulate))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="comptoir", description="comptoir adaptive commands")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
