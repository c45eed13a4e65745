// The local session: the browser decides and scores. engine.js picks each activity and records
// it, scoring.js scores each answer from the key the bundle carries. Used by every package the
// browser plays on its own (web, SCORM, cmi5); the XBlock uses session-remote.js instead.
//
// A session (both kinds) — what the player asks, so rendering never knows who decides:
//   course, state        engine.js's course and the learner's state (read-only for display)
//   notices              texts to show once, at start
//   upcoming()           the next activity, [kind, index] or null, as far as known now
//   next()               → Promise of the activity to show (an item's view is in the bundle by then)
//   read(j)              → Promise: lesson j was read
//   step(i, path)        → Promise of {node, best, feedback, outcome}: one more choice in scenario i
//   answer(i, response)  → Promise of {score, key}: answer to item i, scored and recorded
//   release(c)           → Promise: competency c, referred to a trainer, is taken up again
//   walk(i)              the steps of scenario i already taken (a remote walk resumed), in order
//   encoded()            the state as encodeState text, for the transport to save
import { loadCourse, initialState, nextActivity, recordLesson, recordResponse, releaseCompetency, encodeState,
  decodeState } from "./engine.js";
import { score } from "./scoring.js";

function restore(course, text, ctx, notices) {
  if (!text) return initialState(course);
  try {
    return decodeState(course, text);
  } catch (err) {
    console.warn("comptoir: unreadable learner state, starting over", err);
    notices.push(ctx.i18n.t("Votre progression enregistrée n'a pas pu être lue : le cours reprend au début."));
    return initialState(course);
  }
}

/** `started` is the transport's start(): its saved state text is where the learner resumes. */
export function localSession(ctx, started) {
  const { bundle } = ctx;
  const course = loadCourse(bundle.engine);
  const notices = [];
  const state = restore(course, started.state, ctx, notices);
  const upcoming = () => nextActivity(course, state);
  return {
    course,
    state,
    notices,
    upcoming,
    next: async () => upcoming(),
    async read(j) {
      recordLesson(course, state, j);
    },
    async step(i, path) {
      const { key, view } = bundle.items[i];
      let node = view.start;
      for (const k of path.slice(0, -1)) node = key.next[node][k];
      const k = path[path.length - 1];
      const after = key.next[node][k];
      return { node: after, best: key.best[node][k], feedback: key.feedback[node][k], outcome: key.outcome[after] };
    },
    async answer(i, response) {
      const item = bundle.items[i];
      const value = score(item.type, item.key, response, item.view.start); // start: scenarios only
      recordResponse(course, state, i, value === 1);
      return { score: value, key: item.key };
    },
    async release(c) {
      releaseCompetency(course, state, c);
    },
    walk: () => [],
    encoded: () => encodeState(course, state),
  };
}
