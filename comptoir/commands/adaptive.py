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

from ..adaptive.data import FORMATS, DataError, read_responses
from ..progress import Bar

MODELS = ("standard", "forgetting")

CALIBRATE_EPILOG = """\
examples:
  comptoir calibrate --data builder_train.csv --format piech --model forgetting --out params.json
  comptoir calibrate --data answers.csv --format csv --model standard --out params.json
  comptoir calibrate --data statements.json --format xapi --model standard --out params.json

formats:
  piech  three lines per student: response count; skill ids; 0/1 flags (commas between)
  csv    student,competency,correct[,timestamp] (an optional header line is skipped)
  xapi   a JSON array, or JSON lines, of xAPI statements: actor -> student, the context
         extension ending in /competency (else object.id) -> competency, result.success
         -> correct; statements without result.success are skipped

Needs numpy (pip install 'comptoir[calibrate]'). EM runs all restarts together for a few
iterations, keeps the best per competency, then iterates until the log-likelihood gains less
than --tol per response.
"""

EVALUATE_EPILOG = """\
examples:
  comptoir evaluate --params params.json --data held_out.csv --format csv
  comptoir evaluate --cv 5 --model forgetting --data builder_train.csv --format piech

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
    from ..adaptive.calibrate import fit

    responses = read_responses(args.data, args.format)
    start = time.perf_counter()
    doc = fit(responses, args.model, **_fit_options(args))
    doc["seconds"] = round(time.perf_counter() - start, 2)
    doc["data"] = str(args.data)
    Path(args.out).write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(doc['skills'])} competencies fitted ({args.model}, {doc['iterations']} EM "
          f"iterations, {doc['seconds']} s) -> {args.out}", file=sys.stderr)
    return 0


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


def _data_args(p: argparse.ArgumentParser, model_required: bool) -> None:
    p.add_argument("--data", required=True, type=Path, help="response log to read")
    p.add_argument("--format", required=True, choices=FORMATS, help="format of --data")
    p.add_argument("--model", choices=MODELS, default="standard", required=model_required,
                   help="standard BKT, or BKT with P(forget) > 0 (default: standard)")
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
    _data_args(cal, model_required=False)
    cal.add_argument("--out", required=True, type=Path, help="params.json to write")
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
