// SCORM 1.2 transport (API object "API"): what each cmi element receives is listed in
// docs/player.md. suspend_data holds engine.js's encodeState text, which is built to fit 4,096.
import { scormTransport, objectiveSlots, decimal, timespan } from "./scorm-api.js";

const SUSPEND_LIMIT = 4096;

export function scorm12Transport(ctx) {
  const refs = ctx.bundle.competencies.map((c) => c.ref);
  const started = Date.now();
  return scormTransport(ctx, {
    apiName: "API",
    label: "SCORM 1.2",
    modeElement: "cmi.core.lesson_mode",
    names: { initialize: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit",
      finish: "LMSFinish", error: "LMSGetLastError", errorString: "LMSGetErrorString" },
  }, (cmi) => {
    let slots = null;
    let first = true;
    return {
      start() {
        slots = objectiveSlots(cmi, refs);
        return { state: cmi.get("cmi.suspend_data") || null, location: cmi.get("cmi.core.lesson_location") };
      },
      save({ state, location, summary }) {
        if (first) {
          // Identifiers and score ranges never change: written once per session, ids in slot order.
          for (const { id, n, known } of slots) {
            if (!known) cmi.set(`cmi.objectives.${n}.id`, id);
            cmi.set(`cmi.objectives.${n}.score.min`, "0");
            cmi.set(`cmi.objectives.${n}.score.max`, "100");
          }
          cmi.set("cmi.core.score.min", "0");
          cmi.set("cmi.core.score.max", "100");
          first = false;
        }
        cmi.set("cmi.core.lesson_status", summary.passed ? "passed" : "incomplete");
        cmi.set("cmi.core.score.raw", decimal(summary.scaled * 100, 2));
        summary.competencies.forEach((comp, k) => {
          const { n } = slots[k];
          cmi.set(`cmi.objectives.${n}.status`, comp.mastered ? "passed" : "incomplete");
          cmi.set(`cmi.objectives.${n}.score.raw`, decimal(comp.p * 100, 2));
        });
        cmi.set("cmi.core.exit", summary.passed ? "" : "suspend");
        cmi.set("cmi.core.session_time", timespan(Date.now() - started));
        if (state.length <= SUSPEND_LIMIT) cmi.set("cmi.suspend_data", state);
        else console.error(`comptoir: learner state of ${state.length} characters exceeds SCORM 1.2's ${SUSPEND_LIMIT}; not written`);
        if (location) cmi.set("cmi.core.lesson_location", location); // "" (end screen) is refused by some LMSs
      },
    };
  });
}
