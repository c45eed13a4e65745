// What the SCORM 1.2 and 2004 transports share: finding the LMS's API object, calling it
// defensively, the objective id rule and the two time formats.
import { webTransport } from "./transport-web.js";

/** ADL's search: this window and its parents, then the opener's; bounded, cross-origin safe. */
function findApi(win, name, maxDepth = 10) {
  function climb(start) {
    let w = start;
    for (let depth = 0; w && depth <= maxDepth; depth++) {
      try {
        if (w[name]) return w[name];
      } catch (err) {
        // A cross-origin frame: keep climbing, its parent may be ours.
      }
      if (w.parent === w) break;
      w = w.parent;
    }
    return null;
  }
  let opener = null;
  try {
    opener = win.opener;
  } catch (err) {
    opener = null;
  }
  return climb(win) || (opener ? climb(opener) : null);
}

/**
 * The SCORM objective id of a competency reference: the reference itself ("ch-arc:b.1") when it
 * holds only ASCII letters, digits, ".", ":" and "-" and at most 255 characters, which every
 * comptoir reference does (space-free codes); otherwise each other UTF-8 byte becomes "_" and two
 * hex digits. Kept ids have no "_", so the two cases never collide, and the escape is reversible.
 * comptoir.player.objective_id is the same rule in Python, for the manifests.
 */
export function objectiveId(ref) {
  if (/^[A-Za-z0-9.:-]{1,255}$/.test(ref)) return ref;
  let out = "";
  for (const byte of new TextEncoder().encode(ref)) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9.:-]/.test(ch) ? ch : `_${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** A decimal without exponent, rounded to `digits` places ("0.9", "87.5"). */
export function decimal(x, digits) {
  return String(Number(x.toFixed(digits)));
}

function parts(ms) {
  const cs = Math.max(0, Math.round(ms / 10));
  return { h: Math.floor(cs / 360000), m: Math.floor(cs / 6000) % 60, s: Math.floor(cs / 100) % 60, cs: cs % 100 };
}
const two = (n) => String(n).padStart(2, "0");

/** SCORM 1.2 CMITimespan, HHHH:MM:SS.SS. */
export function timespan(ms) {
  const p = parts(ms);
  return `${String(Math.min(p.h, 9999)).padStart(4, "0")}:${two(p.m)}:${two(p.s)}.${two(p.cs)}`;
}

/** SCORM 2004 timeinterval (ISO 8601 duration), PT#H#M#.##S. */
export function duration(ms) {
  const p = parts(ms);
  return `PT${p.h}H${p.m}M${p.s}.${two(p.cs)}S`;
}

/**
 * The calls of one SCORM session, by the API's own method names. A refused call (anything but
 * "true") is logged with the LMS's error and the player goes on; after finish nothing is sent.
 */
function cmiSession(api, names, label) {
  let open = true;
  const call = (method, ...args) => String(api[method](...args));
  function refused(what) {
    const code = call(names.error);
    console.warn(`comptoir: ${label} ${what} refused: error ${code} (${call(names.errorString, code)})`);
  }
  return {
    initialize() {
      const ok = call(names.initialize, "") === "true";
      if (!ok) refused(names.initialize);
      return ok;
    },
    get(element) {
      const value = api[names.get](element);
      return value === null || value === undefined ? "" : String(value);
    },
    set(element, value) {
      if (!open) return false;
      const ok = call(names.set, element, String(value)) === "true";
      if (!ok) refused(`${names.set}(${element}, ${String(value).slice(0, 40)})`);
      return ok;
    },
    commit() {
      if (open && call(names.commit, "") !== "true") refused(names.commit);
    },
    finish() {
      if (!open) return;
      open = false;
      if (call(names.finish, "") !== "true") refused(names.finish);
    },
  };
}

/**
 * Slot n of cmi.objectives for each competency. An LMS may preload objectives (SCORM 2004
 * from the manifest, or a resumed attempt) in its own order, so known ids keep their slot and
 * new ones are appended.
 */
export function objectiveSlots(cmi, refs) {
  const count = Number(cmi.get("cmi.objectives._count")) || 0;
  const known = new Map();
  for (let n = 0; n < count; n++) known.set(cmi.get(`cmi.objectives.${n}.id`), n);
  let next = count;
  return refs.map((ref) => {
    const id = objectiveId(ref);
    return known.has(id) ? { id, n: known.get(id), known: true } : { id, n: next++, known: false };
  });
}

const MODES = ["normal", "browse", "review"];

/**
 * Open a SCORM session and keep the learner in it, or fall back to the standalone transport with
 * a notice when the package runs outside an LMS.
 *
 * Both versions resume and save the same way (objective slots, suspend_data within the version's
 * limit, location): that lives here. A `dialect` names the version's elements and says what
 * differs: `writeOnce(cmi, slots)` (identifiers and score ranges, once per session) and
 * `writeStatus(cmi, summary, slots, elapsedMs)` (status, scores, exit, session time).
 */
export function scormTransport(ctx, dialect) {
  const { apiName, names, label, elements, suspendLimit, writeOnce, writeStatus } = dialect;
  const { t } = ctx.i18n;
  const api = findApi(window, apiName);
  if (!api) {
    return webTransport(ctx, t("Aucune plateforme de formation (LMS) n'a été trouvée : votre progression est enregistrée dans ce navigateur seulement."));
  }
  const cmi = cmiSession(api, names, label);
  if (!cmi.initialize()) {
    return webTransport(ctx, t("La plateforme de formation n'a pas ouvert la session : votre progression est enregistrée dans ce navigateur seulement."));
  }
  const refs = ctx.bundle.competencies.map((c) => c.ref);
  const started = Date.now();
  let slots = null;
  let first = true;
  return {
    start() {
      slots = objectiveSlots(cmi, refs);
      const mode = cmi.get(elements.mode);
      return { state: cmi.get("cmi.suspend_data") || null, location: cmi.get(elements.location),
        mode: MODES.includes(mode) ? mode : "normal", notice: null };
    },
    save({ state, location, summary }) {
      if (first) {
        writeOnce(cmi, slots);
        first = false;
      }
      writeStatus(cmi, summary, slots, Date.now() - started);
      if (state.length <= suspendLimit) cmi.set("cmi.suspend_data", state);
      else console.error(`comptoir: learner state of ${state.length} characters exceeds ${label}'s ${suspendLimit}; not written`);
      if (location) cmi.set(elements.location, location); // "" (end screen) is refused by some LMSs
    },
    commit: () => cmi.commit(),
    finish: () => cmi.finish(),
  };
}
