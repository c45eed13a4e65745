"""The reference engine: BKT arithmetic, sequencing rules, course resolution and learner state."""
from __future__ import annotations

import sys
from fractions import Fraction
from types import SimpleNamespace as NS

import pytest

from comptoir.adaptive.course import (DEFAULT_GUESS, DEFAULT_SLIP, EngineCourse, EngineItem,
                                      EngineLesson, Params, engine_course)
from comptoir.adaptive.engine import (MAX_COUNT, bkt_update, competency_status,
                                      effective_guess, effective_slip, initial_state, margin_stage,
                                      next_activity, predict_correct, record_lesson,
                                      record_response, release_competency)
from comptoir.adaptive.state import (SUSPEND_DATA_LIMIT, decode_state, encode_state, quantise)


def exact_bkt(p: Fraction, learn: Fraction, forget: Fraction, guess: Fraction, slip: Fraction,
              correct: bool) -> Fraction:
    """Textbook BKT in exact rationals: Bayes on the response, then the transition."""
    like_known = (1 - slip) if correct else slip
    like_unknown = guess if correct else (1 - guess)
    post = p * like_known / (p * like_known + (1 - p) * like_unknown)
    return post * (1 - forget) + (1 - post) * learn


@pytest.mark.parametrize("correct", [True, False])
@pytest.mark.parametrize("p,learn,forget,guess,slip", [
    (0.2, 0.15, 0.0, 0.25, 0.1), (0.9, 0.05, 0.02, 0.5, 0.2), (0.01, 0.3, 0.1, 0.03, 0.05)])
def test_bkt_update_matches_exact_rational_bkt(p: float, learn: float, forget: float,
                                               guess: float, slip: float, correct: bool) -> None:
    got = bkt_update(p, Params(0.5, learn, forget), guess, slip, correct)
    want = exact_bkt(*(Fraction(x) for x in (p, learn, forget, guess, slip)), correct)
    assert got == pytest.approx(float(want), rel=1e-12)


def test_predict_correct_is_the_mixture_of_known_and_guessing() -> None:
    assert predict_correct(0.3, 0.25, 0.1) == pytest.approx(0.3 * 0.9 + 0.7 * 0.25)


def course(**kw: object) -> EngineCourse:
    """Three competencies: a → b, plus c; one external competency x exactly matched to a."""
    base = dict(
        competencies=("fw:a", "fw:b", "fw:c", "other:x"), n_own=3,
        params=(Params(0.2, 0.2), Params(0.2, 0.2), Params(0.2, 0.2), Params(0.3, 0.2)),
        prerequisites=((), (0,), (), ()), exact_matches=((3,), (), (), (0,)),
        items=(EngineItem("a-q1", (0,), 0.5, 0.1), EngineItem("a-q2", (0,), 0.03, 0.1),
               EngineItem("a-q3", (0,), 0.25, 0.1), EngineItem("b-q1", (1,), 0.25, 0.1),
               EngineItem("c-q1", (2,), 0.25, 0.1)),
        lessons=(EngineLesson("a-lesson", (0,)),), threshold=0.95, review_base=3)
    base.update(kw)
    return EngineCourse(**base)  # type: ignore[arg-type]


def test_lesson_first_then_practice_then_the_most_separating_item() -> None:
    c = course()
    s = initial_state(c)
    assert next_activity(c, s).full() == ("lesson", 0, "lesson", 0)
    record_lesson(c, s, 0)
    # at P(L)=0.2 no single right answer reaches 0.95: practise with the weakest separator
    assert next_activity(c, s).full() == ("item", 0, "new", 0)  # true-false, guess 0.5
    s.p[0] = 0.6
    # now a right fill-in would establish mastery: ask the best separator
    assert bkt_update(0.6, c.params[0], 0.03, 0.1, True) >= c.threshold
    kind, index = next_activity(c, s)  # still a pair for callers that unpack two values
    assert (kind, index) == ("item", 1)  # fill-in, guess 0.03


def test_unmastered_prerequisite_gates_its_dependants() -> None:
    c = course(lessons=())
    s = initial_state(c)
    offered = set()
    for _ in range(3):  # wrong answers keep a unmastered: b is never offered
        kind, i = next_activity(c, s)
        offered.add(c.items[i].competencies[0])
        record_response(c, s, i, False)
    assert 1 not in offered
    s.p[0] = 0.99
    kind, i = next_activity(c, s)
    assert c.items[i].competencies == (1,)


def test_answered_items_are_avoided_until_the_pool_is_exhausted() -> None:
    c = course(lessons=(), threshold=0.9999)
    s = initial_state(c)
    picks = []
    for _ in range(4):
        picks.append(next_activity(c, s))
        record_response(c, s, picks[-1][1], False)
    assert sorted(p[1] for p in picks[:3]) == [0, 1, 2] and picks[3][1] == picks[0][1]
    assert [p.reason for p in picks] == ["new", "new", "new", "repeat"]
    assert s.answered[:3] == [2, 1, 1]


def test_evidence_reaches_exact_match_competencies() -> None:
    c = course(lessons=())
    s = initial_state(c)
    record_response(c, s, 1, True)
    assert s.p[3] == bkt_update(0.3, c.params[3], 0.03, 0.1, True)
    assert s.p[2] == 0.2  # c is untouched


def test_mastered_competency_comes_back_for_spaced_review() -> None:
    c = course(lessons=())
    s = initial_state(c)
    while s.p[0] < c.threshold:
        record_response(c, s, 1, True)
    mastered_at = s.step
    assert s.stage[0] == 1 and s.due[0] == mastered_at + 3
    for _ in range(3):  # work on the other competencies meanwhile
        kind, i = next_activity(c, s)
        assert c.items[i].competencies != (0,)
        record_response(c, s, i, False)
    kind, i, reason, comp = next_activity(c, s).full()
    assert c.items[i].competencies == (0,) and (reason, comp) == ("review", 0)
    record_response(c, s, i, True)
    # one stage on at least; further when the verdict's margin has earned it
    want = max(2, earned_stage(Fraction(s.p[0]), Fraction(c.threshold)))
    assert want > 2 and s.stage[0] == want and s.due[0] == s.step + 3 * 2 ** (want - 1)


def earned_stage(p: Fraction, threshold: Fraction) -> int:
    """1 + the largest k with (1 − p)·2^k ≤ 1 − threshold, in exact rationals (at most 16)."""
    return 1 + max(k for k in range(16) if (1 - p) * 2 ** k <= 1 - threshold)


@pytest.mark.parametrize("p,stage", [(0.951, 1), (0.97, 1), (0.98, 2), (0.99, 3), (0.999, 6),
                                     (0.9999, 9)])
def test_a_confident_verdict_waits_longer_for_its_first_review(p: float, stage: int) -> None:
    """Doubt 1 − p against the threshold's 0.05: 0.03 does not fit twice (stage 1), 0.02 does
    (stage 2), 0.01 fits four times (stage 3), 0.001 32 times (stage 6)."""
    c = course(lessons=(), threshold=0.95)
    assert margin_stage(c, p) == stage == earned_stage(Fraction(p), Fraction(0.95))
    s = initial_state(c)
    s.p[0] = 0.9  # one right answer to the fill-in (guess 0.03) lands far above the threshold
    record_response(c, s, 1, True)
    assert s.p[0] > 0.99 and s.stage[0] == earned_stage(Fraction(s.p[0]), Fraction(0.95)) >= 3
    assert s.due[0] == s.step + 3 * 2 ** (s.stage[0] - 1)


def test_finished_course_has_no_next_activity() -> None:
    c = course(lessons=(), review_base=0)
    s = initial_state(c)
    s.p[:3] = [0.99, 0.99, 0.99]
    assert next_activity(c, s) is None


def stand_in_course() -> NS:
    units = [NS(code="a"), NS(code="b")]
    items = [NS(id="b6-conclure-q1", type="single", competencies=("ch:a",), guess=None, slip=None),
             NS(id="b6-conclure-q2", type="fill-in", competencies=("ch:a", "ch:b"), guess=None,
                slip=0.2),
             NS(id="x-q", type="numeric", competencies=("ch:b",), guess=0.4, slip=None)]
    return NS(framework=NS(id="ch"), units=units, prerequisites={"ch:b": ("ch:a",)}, items=items,
              lessons=[NS(id="l-a", competencies=("ch:a",))],
              course=NS(mastery_threshold=0.9, learner_model={"prior": 0.1, "guess": {"single": 0.3}}),
              exact_matches={"ch:a": ("fr:1.1",)})


def test_engine_course_maps_lesson_side_references_through_units_of() -> None:
    rc = stand_in_course()
    rc.items.append(NS(id="fr-q", type="single", competencies=("fr:9.9",), guess=None, slip=None))
    rc.units_of = lambda refs: tuple("ch:b" if r == "fr:9.9" else r for r in refs
                                     if r.startswith("ch:") or r == "fr:9.9")
    ec = engine_course(rc)
    assert ec.items[-1].competencies == (1,)


def test_engine_course_resolves_parameters_most_specific_first() -> None:
    ec = engine_course(stand_in_course(), fitted={"ch:b": {"prior": 0.4, "learn": 0.05}})
    assert ec.competencies == ("ch:a", "ch:b", "fr:1.1") and ec.n_own == 2
    assert ec.prerequisites == ((), (0,), ()) and ec.exact_matches == ((2,), (), ())
    q1, q2, q3 = ec.items
    assert (q1.guess, q1.slip) == (0.3, DEFAULT_SLIP)          # course override by type
    assert (q2.guess, q2.slip) == (DEFAULT_GUESS["fill-in"], 0.2)  # item override of slip
    assert q3.guess == 0.4 and q2.competencies == (0, 1)
    assert ec.params[0].prior == 0.1 and ec.params[1] == Params(0.4, 0.05, 0.0)
    assert ec.threshold == 0.9 and ec.lessons[0].competencies == (0,)


def worst_case_course(n_comp: int = 40, per_comp: int = 10, matches: int = 2) -> EngineCourse:
    """Swiss-sized: 40 competencies × 10 items with realistic ids, two exactMatch links each."""
    verbs = ["accueillir", "conclure", "conseiller", "argumenter", "traiter", "orienter"]
    comps = tuple(f"ch-arc:{chr(97 + c // 6)}.{c % 6 + 1}" for c in range(n_comp))
    ext = tuple(f"fr-mcavd:{c}.{m}" for c in range(n_comp) for m in range(matches))
    n = n_comp + len(ext)
    items = tuple(EngineItem(f"{chr(97 + c // 6)}{c % 6 + 1}-{verbs[c % 6]}-q{k + 1}", (c,),
                             0.25, 0.1) for c in range(n_comp) for k in range(per_comp))
    return EngineCourse(
        competencies=comps + ext, n_own=n_comp, params=(Params(0.2, 0.15),) * n,
        prerequisites=((),) * n,
        exact_matches=tuple(tuple(n_comp + c * matches + m for m in range(matches))
                            for c in range(n_comp)) + ((),) * len(ext),
        items=items, lessons=tuple(EngineLesson(f"lecon-{c}", (c,)) for c in range(n_comp)))


def test_worst_case_state_fits_scorm12_suspend_data() -> None:
    c = worst_case_course()
    s = initial_state(c)
    for i in range(len(c.items)):
        record_response(c, s, i, i % 3 != 0)
    # worst case: every item answered again (key and count), every lesson seen, every
    # competency in review
    s.answered = [MAX_COUNT] * len(c.items)
    s.seen = [True] * len(c.lessons)
    s.stage[:c.n_own] = [16] * c.n_own
    s.due[:c.n_own] = [2 ** 30 - 1] * c.n_own
    s.step = 2 ** 30 - 1
    assert all(p != c.params[k].prior for k, p in enumerate(s.p))
    text = encode_state(c, s)
    assert len(text) <= SUSPEND_DATA_LIMIT, len(text)
    back = decode_state(c, text)
    assert back.answered == s.answered and back.seen == s.seen and back.stage == s.stage
    assert back.due == s.due and back.step == s.step
    assert all(abs(a - b) <= 0.5 / 262143 + 1e-12 for a, b in zip(back.p, s.p))


def test_content_update_keeping_ids_keeps_mastery() -> None:
    old = course()
    s = initial_state(old)
    for i in (1, 1, 3):
        record_response(old, s, i, True)
    text = encode_state(old, s)
    # reordered items, one removed, one added; reordered competencies
    new = EngineCourse(
        competencies=("fw:c", "fw:b", "fw:a", "other:x"), n_own=3, params=old.params,
        prerequisites=((), (2,), (), ()), exact_matches=((), (), (3,), (2,)),
        items=(EngineItem("new-q", (0,), 0.25, 0.1), EngineItem("b-q1", (1,), 0.25, 0.1),
               EngineItem("a-q2", (2,), 0.03, 0.1)),
        lessons=old.lessons, threshold=0.95, review_base=3)
    back = decode_state(new, text)
    assert back.p[2] == quantise(s.p[0]) / 262143 and back.p[1] == quantise(s.p[1]) / 262143
    assert back.p[0] == new.params[0].prior
    # answer counts follow their items: a-q2 twice, b-q1 once, the new item never
    assert back.answered == [0, 1, 2]


@pytest.mark.parametrize("text", ["2.AAAAA...", "1.AAAAA.AAAA..", "1.AA*AA...", "garbage"])
def test_malformed_state_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="learner state"):
        decode_state(course(), text)


def test_reference_engine_does_not_import_numpy() -> None:
    import subprocess
    code = ("import sys, comptoir.adaptive.engine, comptoir.adaptive.state, "
            "comptoir.adaptive.course; print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_swiss_course_worst_case_state_fits_suspend_data() -> None:
    """The real ch-arc course: every item answered, every lesson seen, every competency in review."""
    from pathlib import Path

    from comptoir.project import load_content
    from comptoir.diagnostics import Report
    from comptoir.resolve import resolve

    root = Path(__file__).resolve().parents[1] / "content"
    if not (root / "courses" / "ch-arc.yaml").is_file():
        pytest.skip("content/courses/ch-arc.yaml is absent")
    ec = engine_course(resolve(load_content(root, Report()), "ch-arc"))
    assert ec.n_own >= 30 and len(ec.items) >= 200
    s = initial_state(ec)
    for i in range(len(ec.items)):
        record_response(ec, s, i, True)
    s.answered = [MAX_COUNT] * len(ec.items)  # every item answered again: key and count
    s.seen = [True] * len(ec.lessons)
    s.stage = [16] * len(ec.competencies)
    s.due = [2 ** 30 - 1] * len(ec.competencies)
    s.step = 2 ** 30 - 1
    assert all(p != ec.params[k].prior for k, p in enumerate(s.p))
    text = encode_state(ec, s)
    assert len(text) <= SUSPEND_DATA_LIMIT, len(text)
    back = decode_state(ec, text)
    assert back.answered == s.answered and back.seen == s.seen and back.due == s.due


# --- pools that run out ---------------------------------------------------------------------

def thin_course(**kw: object) -> EngineCourse:
    """a (two items, one lesson) → b (one item): small enough to run out of items."""
    base = dict(
        competencies=("fw:a", "fw:b"), n_own=2, params=(Params(0.2, 0.05), Params(0.2, 0.05)),
        prerequisites=((), (0,)), exact_matches=((), ()),
        items=(EngineItem("a-q1", (0,), 0.25, 0.1), EngineItem("a-q2", (0,), 0.03, 0.1),
               EngineItem("b-q1", (1,), 0.25, 0.1)),
        lessons=(EngineLesson("a-lesson", (0,)),), threshold=0.95, review_base=0,
        trainer_answers=0)  # referral after max_passes passes, however few answers that is
    base.update(kw)
    return EngineCourse(**base)  # type: ignore[arg-type]


def follow(c: EngineCourse, s, correct: bool) -> tuple:
    act = next_activity(c, s)
    if act is not None:
        if act.kind == "lesson":
            record_lesson(c, s, act.index)
        else:
            record_response(c, s, act.index, correct)
    return act


def test_exhausted_pool_reoffers_the_lesson_then_repeats_items_then_needs_a_trainer() -> None:
    c = thin_course()
    s = initial_state(c)
    acts = [follow(c, s, False) for _ in range(10)]
    got = [(a.kind, a.reason) if a else None for a in acts]
    assert got == [("lesson", "lesson"), ("item", "new"), ("item", "new"),
                   ("lesson", "lesson_again"), ("item", "repeat"), ("item", "repeat"),
                   ("lesson", "lesson_again"), ("item", "repeat"), ("item", "repeat"), None]
    assert all(a.competency == 0 for a in acts[:9])
    # three passes (max_passes) without mastery: a is referred, b stays locked behind it
    assert acts[9] is None and s.answered == [3, 3, 0]
    assert competency_status(c, s) == ["needs_trainer", "locked"]
    # the trainer releases a: its lesson, then one more pass
    release_competency(c, s, 0)
    assert competency_status(c, s) == ["repeating", "locked"] and s.answered == [2, 2, 0]
    assert next_activity(c, s).full()[:3] == ("lesson", 0, "lesson_again")
    # however many passes it took (here past the hard limit), a release re-opens it
    s.answered, s.p[0] = [9, 7, 0], 0.9
    assert competency_status(c, s)[0] == "needs_trainer"
    release_competency(c, s, 0)
    assert s.answered == [2, 2, 0] and competency_status(c, s)[0] == "repeating"


def test_no_referral_before_trainer_answers_answers() -> None:
    c = thin_course(trainer_answers=7)
    s = initial_state(c)
    acts = [follow(c, s, False) for _ in range(13)]
    # three passes of a's two items are 6 answers: a 4th pass starts (its lesson, then one
    # answer) before the 7th answer refers a to a trainer
    assert [a and a.reason for a in acts[9:]] == ["lesson_again", "repeat", None, None]
    assert s.answered == [4, 3, 0] and competency_status(c, s)[0] == "needs_trainer"


def test_max_passes_zero_never_refers_to_a_trainer() -> None:
    c = thin_course(max_passes=0)
    s = initial_state(c)
    for _ in range(40):
        assert follow(c, s, False) is not None
    assert competency_status(c, s)[0] == "repeating" and min(s.answered[:2]) >= 10


def test_a_repeated_answer_is_weaker_evidence_by_the_remembered_answer() -> None:
    c = thin_course()
    prm = c.params[0]
    # exact: the learner recalls the answer with probability 0.5 after one answer, 0.75 after
    # two, known or not; otherwise a known learner slips and an unknown one guesses
    for count, recalled in ((1, Fraction(1, 2)), (2, Fraction(3, 4))):
        g = Fraction(0.25) + (1 - Fraction(0.25)) * recalled
        assert effective_guess(c, 0.25, count) == pytest.approx(float(g), rel=1e-15)
        assert effective_slip(c, 0.1, count) == pytest.approx(float(Fraction(0.1) * (1 - recalled)),
                                                              rel=1e-15)
    assert effective_guess(c, 0.25, 0) == 0.25 and effective_slip(c, 0.1, 0) == 0.1
    for correct in (True, False):
        fresh, again = initial_state(c), initial_state(c)
        again.answered[0] = 1
        record_response(c, fresh, 0, correct)
        record_response(c, again, 0, correct)
        want = exact_bkt(Fraction(0.2), Fraction(prm.learn), Fraction(0), Fraction(0.625),
                         Fraction(0.05), correct)
        assert again.p[0] == pytest.approx(float(want), rel=1e-12)
        if correct:  # a right answer lifts P(L) less the second time
            assert 0.2 < again.p[0] < fresh.p[0]
        else:  # a wrong one is as telling as on a new item
            assert again.p[0] == pytest.approx(fresh.p[0], rel=1e-12) and again.p[0] < 0.2


def test_repeats_count_without_memory_discount_when_repeat_memory_is_zero() -> None:
    c = thin_course(repeat_memory=0.0)
    fresh, again = initial_state(c), initial_state(c)
    again.answered[0] = 5
    record_response(c, fresh, 0, True)
    record_response(c, again, 0, True)
    assert fresh.p == again.p


def test_mastery_in_a_later_pass_unlocks_dependants() -> None:
    c = thin_course(params=(Params(0.3, 0.15), Params(0.2, 0.05)))
    s = initial_state(c)
    acts = [follow(c, s, correct) for correct in (True, False, True, True)]
    assert [(a.kind, a.reason) for a in acts] == [
        ("lesson", "lesson"), ("item", "new"), ("item", "new"), ("lesson", "lesson_again")]
    assert competency_status(c, s) == ["repeating", "locked"]
    assert follow(c, s, True).full()[2:] == ("repeat", 0)
    assert competency_status(c, s) == ["mastered", "open"]
    assert next_activity(c, s).full()[:3] == ("item", 2, "new")


def test_a_one_item_pool_cannot_establish_mastery_by_repeating_its_item() -> None:
    """Right answers to the same item are not independent proofs of mastery."""
    def run(course: EngineCourse) -> tuple[list, list[str]]:
        s = initial_state(course)
        s.p[0] = 0.99  # a mastered: b (one item) is next
        acts = [follow(course, s, True) for _ in range(7)]
        return [a and a.reason for a in acts], competency_status(course, s)

    # counted as fresh evidence (repeat_memory 0, max_passes 0: the old engine), four right
    # answers to b's single item "establish" mastery
    assert run(thin_course(repeat_memory=0.0, max_passes=0)) == (
        ["new", "repeat", "repeat", "repeat", None, None, None], ["mastered", "mastered"])
    # with recall, P(L) creeps up (0.5, 0.62, 0.68 …) without reaching 0.95: above
    # trainer_below after three passes, so b goes on; after six, a trainer's turn
    assert run(thin_course()) == (["new"] + ["repeat"] * 5 + [None], ["mastered", "needs_trainer"])


def test_a_learner_nearly_there_is_not_referred_after_max_passes() -> None:
    c = thin_course()
    s = initial_state(c)
    s.answered = [3, 3, 0]  # three passes through a's items
    s.p[0] = 0.6
    assert competency_status(c, s)[0] == "repeating"  # above trainer_below (0.5)
    s.p[0] = 0.4
    assert competency_status(c, s)[0] == "needs_trainer"
    s.p[0], s.answered = 0.9, [6, 6, 0]  # twice max_passes: referred whatever P(L)
    assert competency_status(c, s)[0] == "needs_trainer"


def test_shared_item_counts_for_each_competency_it_serves() -> None:
    c = EngineCourse(
        competencies=("fw:a", "fw:b"), n_own=2, params=(Params(0.2, 0.05), Params(0.2, 0.05)),
        prerequisites=((), ()), exact_matches=((), ()),
        items=(EngineItem("ab-q1", (0, 1), 0.25, 0.1), EngineItem("b-q2", (1,), 0.25, 0.1)),
        lessons=(EngineLesson("b-lesson", (1,)),), threshold=0.95, review_base=0)
    s = initial_state(c)
    s.seen[0] = True
    record_response(c, s, 0, False)  # a's only item: pass 1 of a ends; b still has a new item
    assert competency_status(c, s) == ["repeating", "open"] and s.seen == [True]
    record_response(c, s, 1, False)  # now b's pass ends too: its lesson comes back
    assert competency_status(c, s) == ["repeating", "repeating"] and s.seen == [False]


def test_answer_counts_survive_encoding_and_version_1_states_still_decode() -> None:
    c = thin_course()
    s = initial_state(c)
    s.answered = [1, 7, MAX_COUNT]
    back = decode_state(c, encode_state(c, s))
    assert back.answered == [1, 7, MAX_COUNT]
    # a version-1 state (items listed once, no counts) from before pools could run out
    from comptoir.adaptive.state import _num
    from comptoir.identity import state_key
    v1 = "1.AAAAD.." + _num(state_key("a-q1"), 4) + _num(state_key("b-q1"), 4) + "."
    old = decode_state(c, v1)
    assert old.answered == [1, 0, 1] and old.step == 3
