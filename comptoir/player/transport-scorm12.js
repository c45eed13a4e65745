// SCORM 1.2 transport (API object "API"): what each cmi element receives is listed in
// docs/player.md. suspend_data holds engine.js's encodeState text, which is built to fit 4,096.
import { scormTransport, decimal, timespan } from "./scorm-api.js";

export function scorm12Transport(ctx) {
  return scormTransport(ctx, {
    apiName: "API",
    label: "SCORM 1.2",
    names: { initialize: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit",
      finish: "LMSFinish", error: "LMSGetLastError", errorString: "LMSGetErrorString" },
    elements: { mode: "cmi.core.lesson_mode", location: "cmi.core.lesson_location" },
    suspendLimit: 4096,
    writeOnce(cmi, slots) {
      for (const { id, n, known } of slots) {
        if (!known) cmi.set(`cmi.objectives.${n}.id`, id);
        cmi.set(`cmi.objectives.${n}.score.min`, "0");
        cmi.set(`cmi.objectives.${n}.score.max`, "100");
      }
      cmi.set("cmi.core.score.min", "0");
      cmi.set("cmi.core.score.max", "100");
    },
    writeStatus(cmi, summary, slots, elapsedMs) {
      cmi.set("cmi.core.lesson_status", summary.passed ? "passed" : "incomplete");
      cmi.set("cmi.core.score.raw", decimal(summary.scaled * 100, 2));
      summary.competencies.forEach((comp, k) => {
        const { n } = slots[k];
        cmi.set(`cmi.objectives.${n}.status`, comp.mastered ? "passed" : "incomplete");
        cmi.set(`cmi.objectives.${n}.score.raw`, decimal(comp.p * 100, 2));
      });
      cmi.set("cmi.core.exit", summary.passed ? "" : "suspend");
      cmi.set("cmi.core.session_time", timespan(elapsedMs));
    },
  });
}
