// The one interface between the player and its host (docs/player.md, "Transports"):
//
//   start()  → {state: string | null, location: string, mode: "normal" | "browse" | "review",
//               notice: string | null}            once, before anything else
//   save({state, location, summary})               after every change; cheap, may only buffer
//   commit()                                       make what was saved durable (after answers)
//   finish()                                       end of the session; idempotent; the player
//                                                  calls nothing after it
//   tools(ctx) → Element[]                          optional controls for the side panel
//
// `state` is engine.js's encodeState text, `location` the id of the lesson or item on screen,
// `summary` {progress, scaled, passed, completed, competencies: [{ref, p, mastered, progress}]}.
import { webTransport } from "./transport-web.js";
import { scorm12Transport } from "./transport-scorm12.js";
import { scorm2004Transport } from "./transport-scorm2004.js";

const FACTORIES = { web: webTransport, scorm12: scorm12Transport, scorm2004: scorm2004Transport };
FACTORIES.cmi5 = (await import("./transport-cmi5.js")).cmi5Transport; // loaded here: its launch awaits the LMS

export function openTransport(name, ctx) {
  return (FACTORIES[name] || webTransport)(ctx);
}
