// cmi5 transport: the player as a cmi5 assignable unit (AU) talking xAPI to the LMS that launched
// it. docs/cmi5.md says what is sent and why; docs/player.md gives the transport interface.
//
// The launch (cmi5 §8, §10, §11) happens while this module loads, before the player starts: the
// launch parameters are read from the URL, the authorization token is obtained from the `fetch`
// URL (one POST), then LMS.LaunchData, the learner preferences and the learner's saved state are
// read from the LMS. The player then starts on that state, in the launch mode the LMS asked for.
//
// Every statement and state document goes through an outbox kept in localStorage (xapi.js):
// statements get their id on this side, so a statement sent twice is stored once; what the LRS
// could not take is retried with backoff and, if the page is closed first, sent at the next launch.
// All IRIs come from the bundle's "xapi" entry, written by comptoir.xapi at build time.
import { webTransport } from "./transport-web.js";
import { h, button } from "./dom.js";
import { duration } from "./scorm-api.js";
import { lrsClient, outbox, uuid, clock, verdict } from "./xapi.js";

const LAUNCH_DATA = "LMS.LaunchData";
const PREFERENCES = "cmi5LearnerPreferences";
const STATE_ID = "comptoir.learner-state"; // comptoir.xapi.STATE_ID
const DOC_FORMAT = "comptoir-cmi5-state";
const PARAMETERS = ["endpoint", "fetch", "actor", "registration", "activityId"];
const MODES = { Normal: "normal", Browse: "browse", Review: "review" };
const SOON = 2000; // ms after a save that no commit followed

const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Retries what fails to reach the server at all (the LMS launched us a moment ago). */
async function reach(attempt, tries = 3) {
  for (let k = 1; ; k++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof TypeError) || k >= tries) throw err;
      await pause(500 * 2 ** k);
    }
  }
}

async function fetchToken(url) {
  const answer = await reach(() => fetch(url, { method: "POST", cache: "no-store", credentials: "omit" }));
  const body = await answer.json();
  if (!answer.ok || typeof body["auth-token"] !== "string") {
    throw new Error(`the fetch URL gave no token: ${answer.status} ${body["error-code"] ?? ""} ${body["error-text"] ?? ""}`);
  }
  return body["auth-token"];
}

/** A JSON document of the State or Agent Profile API, or null when there is none (404). */
async function readDocument(request, resource, params) {
  const answer = await reach(() => request("GET", resource, { params }));
  if (answer.status === 404) return null;
  if (!answer.ok) throw new Error(`GET ${resource} ${params.stateId || params.profileId}: ${answer.status}`);
  return answer.json();
}

/** The cmi5 launch: parameters, token, launch data, learner state. {error} when it cannot happen. */
async function launch(search) {
  const query = new URLSearchParams(search);
  if (!PARAMETERS.every((name) => query.get(name))) return { error: "absent" };
  try {
    const actor = JSON.parse(query.get("actor"));
    const params = { endpoint: query.get("endpoint"), actor, registration: query.get("registration"),
      activityId: query.get("activityId") };
    const request = lrsClient({ endpoint: params.endpoint, token: await fetchToken(query.get("fetch")) });
    const state = (stateId) => ({ activityId: params.activityId, agent: JSON.stringify(actor),
      registration: params.registration, stateId });
    const launchData = await readDocument(request, "activities/state", state(LAUNCH_DATA));
    if (!launchData || typeof launchData.contextTemplate !== "object") throw new Error("no LMS.LaunchData");
    // cmi5 §11: read on startup. A package has one language, so only the LMS's reports use it.
    await readDocument(request, "agents/profile", { agent: JSON.stringify(actor), profileId: PREFERENCES })
      .catch((err) => console.warn("comptoir: learner preferences unreadable", err));
    const saved = await readDocument(request, "activities/state", state(STATE_ID));
    return { params, request, launchData, saved: saved?.format === DOC_FORMAT ? saved : null, state };
  } catch (err) {
    console.warn("comptoir: cmi5 launch failed", err);
    return { error: "refused" };
  }
}

const launched = globalThis.document?.documentElement?.dataset.transport === "cmi5"
  ? await launch(window.location.search) : null;

function browserStorage() {
  try {
    return window.localStorage;
  } catch (err) {
    return null;
  }
}

/** Responses in xAPI's formats, with the component ids of comptoir.xapi.interaction. */
export function formatResponse(type, response) {
  switch (type) {
    case "single":
    case "multiple": return [...response].sort((a, b) => a - b).join("[,]");
    case "matching": return response.map((right, left) => `L${left}[.]R${right}`).join("[,]");
    case "sequencing":
    case "scenario": return response.join("[,]");
    default: return String(response); // true-false, fill-in (as typed), numeric
  }
}

/** The LMS's returnURL when it is a web address (never a javascript: or data: URL), else null. */
function returnTo(url) {
  if (typeof url !== "string" || !url) return null;
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch (err) {
    return null;
  }
}

function addActivities(context, kind, list) {
  const ca = context.contextActivities || (context.contextActivities = {});
  const have = ca[kind] === undefined ? [] : [].concat(ca[kind]);
  ca[kind] = [...have, ...list.filter((a) => !have.some((b) => b.id === a.id))];
}

export function cmi5Transport(ctx) {
  const { t, plural } = ctx.i18n;
  if (!launched || launched.error) {
    return webTransport(ctx, launched?.error === "refused"
      ? t("La plateforme de formation n'a pas ouvert la session : votre progression est enregistrée dans ce navigateur seulement.")
      : t("Aucune plateforme de formation (LMS) n'a été trouvée : votre progression est enregistrée dans ce navigateur seulement."));
  }
  const { bundle } = ctx;
  const x = bundle.xapi;
  const { params, request, launchData, state: stateParams } = launched;
  const mode = MODES[launchData.launchMode] || "normal";
  const recording = mode === "normal";
  const masteryScore = typeof launchData.masteryScore === "number" ? launchData.masteryScore : null;
  const bar = masteryScore ?? bundle.course.threshold;
  const practised = new Set(bundle.items.flatMap((item) => item.competencies));
  const now = clock();
  const started = Date.now();
  let shownAt = started;
  let lastLocation = null;
  let finished = false;
  let status = null;
  let soon = null;
  const known = new Map(); // ref → the P(L) last reported

  const box = outbox({
    storage: browserStorage(),
    key: `comptoir:cmi5:${params.endpoint}|${params.registration}|${params.activityId}`,
    send: async ({ kind, body }, { keepalive }) => {
      const answer = kind === "statement"
        ? await request("PUT", "statements", { params: { statementId: body.id }, body, keepalive })
        : await request("PUT", "activities/state", { params: stateParams(STATE_ID), body, keepalive });
      return verdict(answer.status, kind === "statement");
    },
    onChange: (n) => showStatus(n),
  });

  // The newest of what the LMS holds and what this browser could not send last time.
  const pending = box.pendingState();
  const saved = launched.saved;
  const doc = { format: DOC_FORMAT, version: 1, state: null, location: "", saved: "", elapsed: 0,
    reported: { passed: false, completed: false, failed: false },
    ...(pending && (!saved || pending.saved > saved.saved) ? pending : saved || {}) };
  const before = doc.elapsed;

  function statement(verb, object, { result, defined = false, moveOn = false, activities = {}, extensions = {} } = {}) {
    const context = structuredClone(launchData.contextTemplate);
    context.registration = params.registration;
    if (defined) {
      addActivities(context, "category", [...(moveOn ? [{ id: x.vocabulary.categories.moveOn }] : []),
        { id: x.vocabulary.categories.cmi5 }]);
    }
    for (const [kind, list] of Object.entries(activities)) addActivities(context, kind, list);
    context.extensions = { ...extensions, ...context.extensions }; // the template's values win
    if (!context.language) context.language = bundle.course.region;
    const s = { id: uuid(), actor: params.actor, verb: { id: x.vocabulary.verbs[verb], display: { "en-US": verb } },
      object, context, timestamp: now() };
    if (result) s.result = result;
    box.push(s);
  }
  const au = { objectType: "Activity", id: params.activityId };
  const elapsed = () => before + (Date.now() - started);
  const scoreExtensions = masteryScore === null ? {} : { [x.vocabulary.extensions.masteryScore]: masteryScore };

  /** passed / failed / completed once per registration, from the summary (docs/cmi5.md, "Passing"). */
  function report(summary) {
    const levels = summary.competencies.filter((c) => practised.has(c.ref)).map((c) => c.p);
    const lowest = levels.length ? Math.min(...levels) : 1;
    const passed = lowest >= bar;
    const done = doc.reported;
    if (passed && !done.passed) {
      statement("passed", au, { defined: true, moveOn: true, extensions: scoreExtensions,
        result: { success: true, score: { scaled: lowest }, duration: duration(elapsed()) } });
      done.passed = true;
    }
    if ((passed || summary.completed) && !done.completed) {
      if (!passed && !done.passed && !done.failed) {
        statement("failed", au, { defined: true, moveOn: true, extensions: scoreExtensions,
          result: { success: false, score: { scaled: lowest }, duration: duration(elapsed()) } });
        done.failed = true;
      }
      statement("completed", au, { defined: true, moveOn: true,
        result: { completion: true, duration: duration(elapsed()) } });
      done.completed = true;
    }
  }

  /** One statement per own competency whose estimate moved: "mastered" when it just reached the
   *  threshold, "progressed" otherwise, with P(L) as the scaled score. */
  function competencies(summary) {
    for (const c of summary.competencies) {
      const was = known.get(c.ref);
      known.set(c.ref, c.p);
      if (was === undefined || was === c.p) continue;
      const verb = c.mastered && was < bundle.course.threshold ? "mastered" : "progressed";
      statement(verb, x.competencies[c.ref], { activities: { parent: [au] },
        result: { success: c.mastered, score: { scaled: c.p } } });
    }
  }

  function finish() {
    if (finished) return;
    finished = true;
    if (recording) box.putState({ ...doc, saved: now(), elapsed: elapsed() });
    statement("terminated", au, { defined: true, result: { duration: duration(Date.now() - started) } });
    box.flushOnExit();
    box.flush();
  }

  function showStatus(n) {
    if (!status) return;
    status.dataset.pending = String(n);
    status.textContent = n ? plural(n, "{n} enregistrement attend d'être envoyé à la plateforme de formation.",
      "{n} enregistrements attendent d'être envoyés à la plateforme de formation.")
      : t("Tout est enregistré sur la plateforme de formation.");
  }

  window.addEventListener("online", () => box.flush());

  return {
    start() {
      statement("initialized", au, { defined: true });
      box.flush();
      return { state: doc.state, location: doc.location || "", mode, notice: null };
    },
    answered({ item, response, score }) {
      if (!recording || finished) return;
      const about = x.items[item.id];
      statement("answered", { objectType: "Activity", id: about.id, definition: about.definition }, {
        activities: { parent: [au], other: about.competencies.map((ref) => x.competencies[ref]) },
        result: { success: score === 1, score: { scaled: score }, response: formatResponse(item.type, response),
          duration: duration(Date.now() - shownAt) } });
    },
    save({ state, location, summary }) {
      if (!recording || finished) return;
      if (location !== lastLocation) {
        lastLocation = location;
        shownAt = Date.now();
      }
      competencies(summary);
      report(summary);
      Object.assign(doc, { state, location, saved: now(), elapsed: elapsed() });
      box.putState({ ...doc, reported: { ...doc.reported } });
      // A save without a commit (an activity shown) reaches the LMS shortly after, not at once.
      clearTimeout(soon);
      soon = setTimeout(() => box.flush(), SOON);
    },
    commit() {
      if (!finished) box.flush();
    },
    finish,
    tools() {
      status = h("p", { class: "hint", role: "status" }); // not .status: the player shows those as warnings
      showStatus(box.size());
      const target = returnTo(launchData.returnURL);
      const back = target
        ? button(t("Quitter le cours et revenir à la plateforme"), async () => {
          finish();
          await Promise.race([box.flush(), pause(3000)]);
          window.location.assign(target);
        }, { class: "exit" })
        : null;
      return [h("h2", {}, t("Votre progression")), status, back ? h("div", { class: "actions" }, back) : null];
    },
  };
}
