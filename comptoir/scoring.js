// comptoir scoring, JavaScript twin of comptoir/scoring.py (used by the browser player).
//
// Hand-written, not generated. `key` is the JSON of the Python key dataclass, as produced by
// comptoir.present.to_data(key); `type` is the item type. Keep in sync with the Python, which
// tests/test_scoring_parity.py checks on generated keys and responses (results and errors):
//
// - the fill-in policy: NFC, the same apostrophe map, the same WHITESPACE list (never `\s`, which
//   differs between the languages), runs collapsed to one space, surrounding spaces removed,
//   lower-cased, final sigma folded into sigma;
// - what a position is: an integer (never a boolean) from 0 to the count, exclusive;
// - when ResponseError is thrown: exactly where the Python raises ResponseError.

export const OUTCOME_SCORES = { success: 1.0, partial: 0.5, failure: 0.0 };

const APOSTROPHES = /[\u2019\u2018\u02bc\u00b4]/gu;
// Spaces are listed, not `\s`: Python's and JavaScript's `\s` differ, and both twins must agree.
export const WHITESPACE = " \t\n\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";
const SPACES = new RegExp(`[${WHITESPACE}]+`, "gu");

/** A response that does not fit the item (wrong shape, a position that does not exist). */
export class ResponseError extends Error {
  constructor(message) {
    super(message);
    this.name = "ResponseError";
  }
}

export function normaliseAnswer(text) {
  const spaced = text.normalize("NFC").replace(APOSTROPHES, "'").replace(SPACES, " ");
  return spaced.replace(/^ +| +$/gu, "").toLowerCase().replaceAll("\u03c2", "\u03c3"); // ς -> σ
}

// Number.isInteger is false for true and false, as Python excludes bool from positions.
function positions(response, count) {
  if (!Array.isArray(response) ||
      !response.every((p) => Number.isInteger(p) && p >= 0 && p < count)) {
    throw new ResponseError(`expected a list of positions below ${count}`);
  }
  return response;
}

const sameSequence = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The outcome score of a walk: the choice positions taken node after node from `start`; a walk
 * through a move marked as a mistake scores at most partial, however it ends. */
export function scenarioPathScore(key, start, path) {
  let node = start;
  let erred = false;
  const mistake = key.mistake || [];
  for (const step of positions(path, 1 << 30)) {
    if (step >= key.next[node].length) throw new ResponseError(`node ${node} has no choice ${step}`);
    erred = erred || Boolean(mistake.length && mistake[node][step]);
    node = key.next[node][step];
  }
  if (key.outcome[node] === null) throw new ResponseError(`the walk stops at decision node ${node}`);
  const score = OUTCOME_SCORES[key.outcome[node]];
  return erred ? Math.min(score, OUTCOME_SCORES.partial) : score;
}

/** The score of `response` in [0, 1]; 1 means correct. `start` is the scenario's start node. */
export function score(type, key, response, start = 0) {
  switch (type) {
    case "true-false":
      if (typeof response !== "boolean") throw new ResponseError("expected true or false");
      return response === key.answer ? 1.0 : 0.0;
    case "single":
    case "multiple": {
      const chosen = new Set(positions(response, key.feedback.length));
      const correct = new Set(key.correct);
      return chosen.size === correct.size && [...chosen].every((p) => correct.has(p)) ? 1.0 : 0.0;
    }
    case "fill-in": {
      if (typeof response !== "string") throw new ResponseError("expected a text");
      const given = normaliseAnswer(response);
      return key.answers.some((a) => normaliseAnswer(a) === given) ? 1.0 : 0.0;
    }
    case "numeric":
      if (typeof response !== "number" || Number.isNaN(response)) throw new ResponseError("expected a number");
      return Math.abs(response - key.answer) <= key.tolerance ? 1.0 : 0.0;
    case "matching":
      return sameSequence(positions(response, key.pairs.length), key.pairs) ? 1.0 : 0.0;
    case "sequencing":
      return sameSequence(positions(response, key.order.length), key.order) ? 1.0 : 0.0;
    case "scenario":
      return scenarioPathScore(key, start, response);
    default:
      throw new TypeError(`no scoring for ${type}`);
  }
}
