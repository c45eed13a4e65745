// comptoir adaptive engine, JavaScript twin of comptoir/adaptive/engine.py and state.py.
//
// Hand-written, not generated: every function keeps the Python's order of floating-point
// operations so both engines produce the same IEEE-754 bits (only + - * / on doubles, no
// exp/log/pow, no randomness; ties go to the lowest index). The course is the object produced
// by EngineCourse.to_json() in Python. tests/test_adaptive_parity.py checks the bits.

export const MAX_STAGE = 16;
/** Answer counts per item are kept up to this (one base64url digit in the learner state). */
export const MAX_COUNT = 63;
export const VERSION = "2";
export const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const QMAX = (1 << 18) - 1;
const DEFAULT_REPEAT_MEMORY = 0.5;
const DEFAULT_MAX_PASSES = 3;
const DEFAULT_TRAINER_ANSWERS = 18;
const DEFAULT_TRAINER_BELOW = 0.5;

/** Why nextActivity offers what it offers: the third element of its answer (see engine.py). */
export const REASONS = Object.freeze({
  LESSON: "lesson", // the competency's lesson, first time
  LESSON_AGAIN: "lesson_again", // every item answered, not mastered: read the lesson again
  NEW: "new", // an item this learner has not answered yet
  REPEAT: "repeat", // every item answered already: one comes again, its evidence discounted
  REVIEW: "review", // spaced review of a mastered competency
});

/** Per-competency codes of competencyStatus (see engine.py). */
export const STATUSES = Object.freeze({
  MASTERED: "mastered",
  OPEN: "open",
  REPEATING: "repeating",
  NEEDS_TRAINER: "needs_trainer",
  LOCKED: "locked",
  NO_ITEMS: "no_items",
});

/** Parse EngineCourse JSON into the shape the functions below use. */
export function loadCourse(json) {
  const raw = typeof json === "string" ? JSON.parse(json) : json;
  const course = {
    competencies: raw.competencies,
    nOwn: raw.nOwn,
    params: raw.params.map(([prior, learn, forget]) => ({ prior, learn, forget })),
    prerequisites: raw.prerequisites,
    exactMatches: raw.exactMatches,
    items: raw.items.map(([id, competencies, guess, slip]) => ({ id, competencies, guess, slip })),
    lessons: raw.lessons.map(([id, competencies]) => ({ id, competencies })),
    threshold: raw.threshold,
    reviewBase: raw.reviewBase,
    repeatMemory: raw.repeatMemory === undefined ? DEFAULT_REPEAT_MEMORY : raw.repeatMemory,
    maxPasses: raw.maxPasses === undefined ? DEFAULT_MAX_PASSES : raw.maxPasses,
    trainerAnswers: raw.trainerAnswers === undefined ? DEFAULT_TRAINER_ANSWERS : raw.trainerAnswers,
    trainerBelow: raw.trainerBelow === undefined ? DEFAULT_TRAINER_BELOW : raw.trainerBelow,
  };
  course.itemsOf = itemsOf(course);
  return course;
}

/** answered[i] counts the answers given to item i (0 = never; capped at MAX_COUNT). */
export function initialState(course) {
  const n = course.competencies.length;
  return {
    step: 0,
    p: course.params.map((prm) => prm.prior),
    stage: new Array(n).fill(0),
    due: new Array(n).fill(0),
    answered: new Array(course.items.length).fill(0),
    seen: new Array(course.lessons.length).fill(false),
  };
}

export function predictCorrect(p, guess, slip) {
  return p * (1.0 - slip) + (1.0 - p) * guess;
}

export function bktUpdate(p, prm, guess, slip, correct) {
  let num;
  let den;
  if (correct) {
    num = p * (1.0 - slip);
    den = num + (1.0 - p) * guess;
  } else {
    num = p * slip;
    den = num + (1.0 - p) * (1.0 - guess);
  }
  const post = den > 0.0 ? num / den : p;
  return post * (1.0 - prm.forget) + (1.0 - post) * prm.learn;
}

/** P(the learner does not recall the answer) after `count` answers: (1 - repeatMemory)^count. */
export function repeatOdds(course, count) {
  let keep = 1.0;
  if (course.repeatMemory > 0.0) {
    for (let k = 0; k < count; k++) keep = keep * (1.0 - course.repeatMemory);
  }
  return keep;
}

/** P(right | not known) on an item answered `count` times before: recalled, or guessed. */
export function effectiveGuess(course, guess, count) {
  if (count <= 0 || course.repeatMemory <= 0.0) return guess;
  return guess + (1.0 - guess) * (1.0 - repeatOdds(course, count));
}

/** P(wrong | known) on an item answered `count` times before: a recalled answer is no slip. */
export function effectiveSlip(course, slip, count) {
  if (count <= 0 || course.repeatMemory <= 0.0) return slip;
  return slip * repeatOdds(course, count);
}

export function itemsOf(course) {
  const out = course.competencies.map(() => []);
  course.items.forEach((item, i) => {
    for (const c of item.competencies) out[c].push(i);
  });
  return out;
}

/** Full passes through competency c's items: the fewest answers any of its items has had. */
export function passes(course, state, c) {
  let least = -1;
  for (const i of course.itemsOf[c]) {
    if (least < 0 || state.answered[i] < least) least = state.answered[i];
  }
  return Math.max(least, 0);
}

/** Answers given to competency c's items (each item's count stops at MAX_COUNT). */
export function answers(course, state, c) {
  let total = 0;
  for (const i of course.itemsOf[c]) total = total + state.answered[i];
  return total;
}

/** c is referred to a trainer and no longer offered (engine.py's needs_trainer). */
export function needsTrainer(course, state, c) {
  if (course.maxPasses <= 0 || course.itemsOf[c].length === 0 || state.p[c] >= course.threshold) {
    return false;
  }
  const done = passes(course, state, c);
  if (done < course.maxPasses || answers(course, state, c) < course.trainerAnswers) return false;
  return state.p[c] < course.trainerBelow || done >= 2 * course.maxPasses;
}

export function evidenceTargets(course, itemIndex) {
  const comps = course.items[itemIndex].competencies;
  const out = [];
  for (const c of comps) if (!out.includes(c)) out.push(c);
  for (const c of comps) {
    for (const m of course.exactMatches[c]) if (!out.includes(m)) out.push(m);
  }
  return out;
}

export function reviewInterval(course, stage) {
  let interval = course.reviewBase;
  for (let k = 0; k < stage - 1; k++) interval = interval * 2;
  return interval;
}

/** The review stage a verdict at P(L) = p has earned (engine.py's margin_stage). */
export function marginStage(course, p) {
  let doubt = 1.0 - p;
  const room = 1.0 - course.threshold;
  let stage = 1;
  while (stage < MAX_STAGE && doubt + doubt <= room) {
    doubt = doubt + doubt;
    stage = stage + 1;
  }
  return stage;
}

function reofferLessons(course, state, c) {
  course.lessons.forEach((lesson, j) => {
    if (lesson.competencies.includes(c)) state.seen[j] = false;
  });
}

export function recordResponse(course, state, itemIndex, correct) {
  const item = course.items[itemIndex];
  const thr = course.threshold;
  const after = state.step + 1;
  const count = state.answered[itemIndex];
  const guess = effectiveGuess(course, item.guess, count);
  const slip = effectiveSlip(course, item.slip, count);
  const before = item.competencies.map((c) => passes(course, state, c));
  for (const c of evidenceTargets(course, itemIndex)) {
    const old = state.p[c];
    const next = bktUpdate(old, course.params[c], guess, slip, correct);
    state.p[c] = next;
    if (c >= course.nOwn || course.reviewBase <= 0) continue;
    if (next >= thr && old < thr) {
      state.stage[c] = marginStage(course, next);
      state.due[c] = after + reviewInterval(course, state.stage[c]);
    } else if (next >= thr && state.stage[c] > 0 && state.due[c] <= state.step) {
      state.stage[c] = Math.max(Math.min(state.stage[c] + 1, MAX_STAGE), marginStage(course, next));
      state.due[c] = after + reviewInterval(course, state.stage[c]);
    } else if (next < thr) {
      state.stage[c] = 0;
      state.due[c] = 0;
    }
  }
  state.step = after;
  state.answered[itemIndex] = Math.min(count + 1, MAX_COUNT);
  item.competencies.forEach((c, k) => {
    if (state.p[c] < thr && passes(course, state, c) > before[k]) reofferLessons(course, state, c);
  });
}

export function recordLesson(course, state, lessonIndex) {
  state.seen[lessonIndex] = true;
}

/** A trainer has worked on competency c: counts down to maxPasses - 1, lessons again. */
export function releaseCompetency(course, state, c) {
  const keep = course.maxPasses > 1 ? course.maxPasses - 1 : 0;
  for (const i of course.itemsOf[c]) {
    if (state.answered[i] > keep) state.answered[i] = keep;
  }
  reofferLessons(course, state, c);
}

export function separation(course, i, count = 0) {
  const item = course.items[i];
  return (1.0 - effectiveSlip(course, item.slip, count)) - effectiveGuess(course, item.guess, count);
}

/** Practise with the least telling of the least answered items; test with the most telling. */
export function pickItem(course, state, c) {
  const least = passes(course, state, c);
  const prm = course.params[c];
  const p = state.p[c];
  const thr = course.threshold;
  let best = -1;
  let weakest = -1;
  let bestScore = 0.0;
  let weakestScore = 0.0;
  let ready = false;
  for (const i of course.itemsOf[c]) {
    if (state.answered[i] !== least) continue;
    const item = course.items[i];
    const guess = effectiveGuess(course, item.guess, least);
    const slip = effectiveSlip(course, item.slip, least);
    const score = (1.0 - slip) - guess;
    if (best < 0 || score > bestScore) {
      best = i;
      bestScore = score;
    }
    if (weakest < 0 || score < weakestScore) {
      weakest = i;
      weakestScore = score;
    }
    if (!ready && bktUpdate(p, prm, guess, slip, true) >= thr) ready = true;
  }
  return ready ? best : weakest;
}

function gated(course, state, c) {
  return course.prerequisites[c].some(
    (q) => course.itemsOf[q].length > 0 && state.p[q] < course.threshold);
}

/**
 * [kind, index, reason, competency] | null, by the same rules as engine.py's next_activity:
 * kind "lesson" or "item", reason one of REASONS, competency the own competency served.
 */
export function nextActivity(course, state) {
  const thr = course.threshold;
  const perComp = course.itemsOf;
  if (course.reviewBase > 0) {
    let dueC = -1;
    for (let c = 0; c < course.nOwn; c++) {
      if (state.stage[c] > 0 && state.p[c] >= thr && state.due[c] <= state.step &&
          perComp[c].length > 0 && (dueC < 0 || state.due[c] < state.due[dueC])) {
        dueC = c;
      }
    }
    if (dueC >= 0) return ["item", pickItem(course, state, dueC), REASONS.REVIEW, dueC];
  }
  for (let c = 0; c < course.nOwn; c++) {
    if (state.p[c] >= thr || perComp[c].length === 0) continue;
    if (gated(course, state, c) || needsTrainer(course, state, c)) continue;
    for (let j = 0; j < course.lessons.length; j++) {
      if (course.lessons[j].competencies.includes(c) && !state.seen[j]) {
        return ["lesson", j, passes(course, state, c) > 0 ? REASONS.LESSON_AGAIN : REASONS.LESSON, c];
      }
    }
    const i = pickItem(course, state, c);
    return ["item", i, state.answered[i] > 0 ? REASONS.REPEAT : REASONS.NEW, c];
  }
  return null;
}

/** One of STATUSES per own competency, in course order (engine.py's competency_status). */
export function competencyStatus(course, state) {
  const out = [];
  for (let c = 0; c < course.nOwn; c++) {
    if (course.itemsOf[c].length === 0) out.push(STATUSES.NO_ITEMS);
    else if (state.p[c] >= course.threshold) out.push(STATUSES.MASTERED);
    else if (needsTrainer(course, state, c)) out.push(STATUSES.NEEDS_TRAINER);
    else if (gated(course, state, c)) out.push(STATUSES.LOCKED);
    else out.push(passes(course, state, c) > 0 ? STATUSES.REPEATING : STATUSES.OPEN);
  }
  return out;
}

export function mastery(course, state) {
  const out = {};
  course.competencies.forEach((ref, c) => { out[ref] = state.p[c]; });
  return out;
}

// ---- learner-state encoding (state.py) ----

const encoder = new TextEncoder();

export function stateKey(text) {
  let h = 0x811c9dc5;
  for (const b of encoder.encode(text)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return ((h ^ (h >>> 24)) & 0xffffff) >>> 0;
}

function num(value, width) {
  let out = "";
  for (let k = 0; k < width; k++) {
    out = ALPHABET[value % 64] + out;
    value = Math.floor(value / 64);
  }
  return out;
}

function parse(text, pos, width, where) {
  const chunk = text.slice(pos, pos + width);
  let value = 0;
  if (chunk.length !== width) throw new Error(`learner state: truncated or invalid ${where} at character ${pos}`);
  for (const ch of chunk) {
    const d = ALPHABET.indexOf(ch);
    if (d < 0) throw new Error(`learner state: truncated or invalid ${where} at character ${pos}`);
    value = value * 64 + d;
  }
  return value;
}

export function quantise(p) {
  const q = Math.floor(p * QMAX + 0.5);
  return Math.min(Math.max(q, 0), QMAX);
}

function keys(names, what) {
  const out = names.map(stateKey);
  const seen = new Map();
  names.forEach((name, i) => {
    if (seen.has(out[i])) throw new Error(`${what} ${seen.get(out[i])} and ${name} share a learner-state key`);
    seen.set(out[i], name);
  });
  return out;
}

export function encodeState(course, state) {
  const compKeys = keys(course.competencies, "competencies");
  const itemKeys = keys(course.items.map((i) => i.id), "items");
  const lessonKeys = keys(course.lessons.map((l) => l.id), "lessons");
  let records = "";
  compKeys.forEach((key, c) => {
    if (state.p[c] === course.params[c].prior && state.stage[c] === 0) return;
    records += num(key, 4) + num(quantise(state.p[c]), 3) + num(state.stage[c], 1);
    if (state.stage[c] > 0) records += num(state.due[c], 5);
  });
  let once = "";
  let again = "";
  itemKeys.forEach((k, i) => {
    const a = state.answered[i];
    if (a === 1) once += num(k, 4);
    else if (a > 1) again += num(k, 4) + num(Math.min(a, MAX_COUNT), 1);
  });
  const seen = lessonKeys.filter((_, j) => state.seen[j]).map((k) => num(k, 4)).join("");
  return [VERSION, num(state.step, 5), records, once, seen, again].join(".");
}

function positions(field, width) {
  if (field.length % width) throw new Error("learner state: truncated key list");
  const out = [];
  for (let p = 0; p < field.length; p += width) out.push(p);
  return out;
}

/** Inverse of encodeState up to the 18-bit quantisation of P(L); reads versions 2 and 1. */
export function decodeState(course, text) {
  const parts = text.split(".");
  const fields = { 1: 5, 2: 6 }[parts[0]];
  if (fields === undefined || fields !== parts.length) {
    throw new Error("learner state: expected version 2 with 6 fields (or 1 with 5)");
  }
  const state = initialState(course);
  state.step = parse(parts[1], 0, 5, "step");
  const compIndex = new Map(keys(course.competencies, "competencies").map((k, i) => [k, i]));
  const recs = parts[2];
  let pos = 0;
  while (pos < recs.length) {
    const key = parse(recs, pos, 4, "competency key");
    const q = parse(recs, pos + 4, 3, "probability");
    const stage = parse(recs, pos + 7, 1, "stage");
    pos += 8;
    let due = 0;
    if (stage > 0) {
      due = parse(recs, pos, 5, "due step");
      pos += 5;
    }
    const c = compIndex.get(key);
    if (c !== undefined) {
      state.p[c] = q / QMAX;
      state.stage[c] = stage;
      state.due[c] = due;
    }
  }
  const itemIndex = new Map(keys(course.items.map((i) => i.id), "items").map((k, i) => [k, i]));
  const lessonIndex = new Map(keys(course.lessons.map((l) => l.id), "lessons").map((k, j) => [k, j]));
  for (const p of positions(parts[3], 4)) {
    const i = itemIndex.get(parse(parts[3], p, 4, "key"));
    if (i !== undefined) state.answered[i] = 1;
  }
  for (const p of positions(parts[4], 4)) {
    const j = lessonIndex.get(parse(parts[4], p, 4, "key"));
    if (j !== undefined) state.seen[j] = true;
  }
  if (parts.length === 6) {
    for (const p of positions(parts[5], 5)) {
      const i = itemIndex.get(parse(parts[5], p, 4, "key"));
      const count = parse(parts[5], p + 4, 1, "count");
      if (i !== undefined) state.answered[i] = count;
    }
  }
  return state;
}
