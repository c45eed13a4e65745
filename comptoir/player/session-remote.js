// The remote session: the host decides and scores (the Open edX XBlock, xblocks/handlers.py).
// The page carries the course without keys and without item views; each request returns the
// learner's state and the activity on offer (a lesson, or an item's view), and an answer returns
// the score with the item's key, so the feedback can be shown. Same interface as
// session-local.js; engine.js only decodes the state here, for the mastery panel and the reasons.
import { loadCourse, initialState, decodeState } from "./engine.js";

/** Django's CSRF token, from the cookie Open edX (and the SDK workbench) sets for the page. */
function csrfToken() {
  const found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return found ? decodeURIComponent(found[1]) : "";
}

function answerId() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** `urls`: {next, read, step, answer, release}, the block's handler URLs. */
export function remoteSession(ctx, urls) {
  const { bundle } = ctx;
  const course = loadCourse(bundle.engine);
  let state = initialState(course);
  let encoded = "";
  let seq = 0;
  let upcoming = null;
  let known = false;
  const walks = new Map();

  async function post(name, body) {
    const response = await fetch(urls[name], {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(`comptoir: ${name} refused (${response.status} ${data.error}): ${data.message}`);
    seq = data.seq;
    encoded = data.state;
    state = encoded ? decodeState(course, encoded) : initialState(course);
    if ("activity" in data) {
      const a = data.activity;
      if (a && a.kind === "item") {
        bundle.items[a.index].view = a.view;
        walks.set(a.index, a.walk || []);
      }
      upcoming = a ? [a.kind, a.index, a.why, a.competency] : null; // as engine.js's nextActivity
      known = true;
    }
    return data;
  }

  return {
    course,
    get state() { return state; },
    notices: [],
    upcoming: () => upcoming,
    async next() {
      if (!known) await post("next", {});
      return upcoming;
    },
    async read(j) {
      await post("read", { lesson: bundle.lessons[j].id, seq });
    },
    async step(i, path) {
      const { node, best, feedback, outcome } = await post("step", { item: bundle.items[i].id, path, seq });
      return { node, best, feedback, outcome };
    },
    async answer(i, response) {
      const data = await post("answer", { item: bundle.items[i].id, response, seq, answer_id: answerId() });
      return { score: data.score, key: data.key };
    },
    async release(c) {
      await post("release", { competency: course.competencies[c], seq });
    },
    walk: (i) => walks.get(i) || [],
    encoded: () => encoded,
  };
}
