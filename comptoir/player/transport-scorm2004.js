// SCORM 2004 4th edition transport (API object "API_1484_11"): what each cmi element receives
// is listed in docs/player.md. Objective ids are the manifest's objectiveIDs (scorm-api.js).
import { scormTransport, decimal, duration } from "./scorm-api.js";

export function scorm2004Transport(ctx) {
  return scormTransport(ctx, {
    apiName: "API_1484_11",
    label: "SCORM 2004",
    names: { initialize: "Initialize", get: "GetValue", set: "SetValue", commit: "Commit",
      finish: "Terminate", error: "GetLastError", errorString: "GetErrorString" },
    elements: { mode: "cmi.mode", location: "cmi.location" },
    suspendLimit: 64000,
    writeOnce(cmi, slots) {
      for (const { id, n, known } of slots) if (!known) cmi.set(`cmi.objectives.${n}.id`, id);
      cmi.set("cmi.score.min", "0");
      cmi.set("cmi.score.max", "100");
    },
    writeStatus(cmi, summary, slots, elapsedMs) {
      cmi.set("cmi.completion_status", summary.completed ? "completed" : "incomplete");
      // Not "failed" while the engine still has work to offer: the learner is still learning.
      cmi.set("cmi.success_status", summary.passed ? "passed" : summary.completed ? "failed" : "unknown");
      cmi.set("cmi.score.scaled", decimal(summary.scaled, 4));
      cmi.set("cmi.score.raw", decimal(summary.scaled * 100, 2));
      cmi.set("cmi.progress_measure", decimal(summary.progress, 4));
      summary.competencies.forEach((comp, k) => {
        const { n } = slots[k];
        cmi.set(`cmi.objectives.${n}.success_status`, comp.mastered ? "passed" : "unknown");
        cmi.set(`cmi.objectives.${n}.score.scaled`, decimal(comp.p, 4));
        cmi.set(`cmi.objectives.${n}.progress_measure`, decimal(comp.progress, 4));
      });
      cmi.set("cmi.exit", summary.passed ? "normal" : "suspend");
      cmi.set("cmi.session_time", duration(elapsedMs));
    },
  });
}
