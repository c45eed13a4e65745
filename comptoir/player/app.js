// Entry point: reads the course inlined in index.html, opens the transport named by the page
// and starts the player. Everything else lives in modules with one job each.
import { makeI18n } from "./i18n.js";
import { openTransport } from "./transport.js";
import { createPlayer } from "./player.js";

performance.mark("comptoir:start"); // every module is loaded and linked by now (bench/player.py)
const root = document.getElementById("comptoir-player");
const bundle = JSON.parse(document.getElementById("comptoir-course").textContent);
const i18n = makeI18n(bundle.ui, bundle.course.region, bundle.course.language);
const ctx = { bundle, i18n };
const transport = openTransport(document.documentElement.dataset.transport || "web", ctx);
const player = createPlayer(root, ctx, transport, transport.start());
await player.start();
// Hosts may close the window at any time: the last commit and the end of the session go first.
for (const type of ["pagehide", "beforeunload"]) window.addEventListener(type, () => player.finish());
root.removeAttribute("aria-busy");
root.dataset.ready = "true";
performance.mark("comptoir:interactive");
