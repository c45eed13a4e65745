// comptoir adaptive engine, JavaScript twin of comptoir/adaptive/engine.py and state.py.
//
// Hand-written, not generated: every function keeps the Python's order of floating-point
// operations so both engines produce the same IEEE-754 bits (only + - * / on doubles, no
// exp/log/pow, no randomness; ties go to the lowest index). The course is the object produced
// by EngineCourse.to_json() in Python. tests/test_adaptive_parity.py checks the bits.

export const MAX_STAGE = 16;
export const VERSION = "1";
export const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const QMAX = (1 << 18) - 1;

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
  };
  course.itemsOf = itemsOf(course);
  return course;
}

export function initialState(course) {
  const n = course.competencies.length;
  return {
    step: 0,
    p: course.params.map((prm) => prm.prior),
    stage: new Array(n).fill(0),
    due: new Array(n).fill(0),
    answered: new Array(course.items.length).fill(false),
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

export function itemsOf(course) {
  const out = course.competencies.map(() => []);
  course.items.forEach((item, i) => {
    for (const c of item.competencies) out[c].push(i);
  });
  return out;
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

export function recordResponse(course, state, itemIndex, correct) {
  const item = course.items[itemIndex];
  const thr = course.threshold;
  const after = state.step + 1;
  for (const c of evidenceTargets(course, itemIndex)) {
    const old = state.p[c];
    const next = bktUpdate(old, course.params[c], item.guess, item.slip, correct);
    state.p[c] = next;
    if (c >= course.nOwn || course.reviewBase <= 0) continue;
    if (next >= thr && old < thr) {
      state.stage[c] = 1;
      state.due[c] = after + reviewInterval(course, 1);
    } else if (next >= thr && state.stage[c] > 0 && state.due[c] <= state.step) {
      state.stage[c] = Math.min(state.stage[c] + 1, MAX_STAGE);
      state.due[c] = after + reviewInterval(course, state.stage[c]);
    } else if (next < thr) {
      state.stage[c] = 0;
      state.due[c] = 0;
    }
  }
  state.step = after;
  state.answered[itemIndex] = true;
  for (const c of item.competencies) {
    const own = course.itemsOf[c];
    if (own.every((i) => state.answered[i])) for (const i of own) state.answered[i] = false;
  }
}

export function recordLesson(course, state, lessonIndex) {
  state.seen[lessonIndex] = true;
}

export function separation(course, i) {
  return (1.0 - course.items[i].slip) - course.items[i].guess;
}

/** Practise with the least telling unanswered item; test with the most telling (engine.py). */
export function pickItem(course, state, c) {
  const candidates = course.itemsOf[c];
  let fresh = candidates.filter((i) => !state.answered[i]);
  if (fresh.length === 0) fresh = candidates;
  let best = fresh[0];
  let weakest = fresh[0];
  let bestScore = separation(course, fresh[0]);
  let weakestScore = bestScore;
  let ready = false;
  for (const i of fresh) {
    const score = separation(course, i);
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
    if (score < weakestScore) {
      weakest = i;
      weakestScore = score;
    }
    const item = course.items[i];
    if (bktUpdate(state.p[c], course.params[c], item.guess, item.slip, true) >= course.threshold) {
      ready = true;
    }
  }
  return ready ? best : weakest;
}

/** ["lesson", j] | ["item", i] | null, by the same rules as engine.py's next_activity. */
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
    if (dueC >= 0) return ["item", pickItem(course, state, dueC)];
  }
  for (let c = 0; c < course.nOwn; c++) {
    if (state.p[c] >= thr || perComp[c].length === 0) continue;
    if (course.prerequisites[c].some((q) => perComp[q].length > 0 && state.p[q] < thr)) continue;
    for (let j = 0; j < course.lessons.length; j++) {
      if (course.lessons[j].competencies.includes(c) && !state.seen[j]) return ["lesson", j];
    }
    return ["item", pickItem(course, state, c)];
  }
  return null;
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
  const answered = itemKeys.filter((_, i) => state.answered[i]).map((k) => num(k, 4)).join("");
  const seen = lessonKeys.filter((_, j) => state.seen[j]).map((k) => num(k, 4)).join("");
  return [VERSION, num(state.step, 5), records, answered, seen].join(".");
}

export function decodeState(course, text) {
  const parts = text.split(".");
  if (parts.length !== 5 || parts[0] !== VERSION) {
    throw new Error(`learner state: expected version ${VERSION} with 5 fields`);
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
  const fields = [[parts[3], course.items.map((i) => i.id), state.answered],
    [parts[4], course.lessons.map((l) => l.id), state.seen]];
  for (const [field, names, flags] of fields) {
    const index = new Map(keys(names, "ids").map((k, i) => [k, i]));
    if (field.length % 4) throw new Error("learner state: truncated key list");
    for (let p = 0; p < field.length; p += 4) {
      const i = index.get(parse(field, p, 4, "key"));
      if (i !== undefined) flags[i] = true;
    }
  }
  return state;
}
