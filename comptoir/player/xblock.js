// Entry point in an Open edX page: the XBlock's init function imports this module and calls
// mount() with the block's element and its handler URLs. The course (without keys) is inlined in
// the block's HTML, like index.html's; the host decides and scores (session-remote.js).
import { makeI18n } from "./i18n.js";
import { xblockTransport } from "./transport-xblock.js";
import { remoteSession } from "./session-remote.js";
import { createPlayer } from "./player.js";

export async function mount(element, urls) {
  const root = element.querySelector(".player");
  const bundle = JSON.parse(element.querySelector(".comptoir-course").textContent);
  const ctx = { bundle, i18n: makeI18n(bundle.ui, bundle.course.region, bundle.course.language) };
  const transport = xblockTransport(ctx);
  const player = createPlayer(root, ctx, transport, transport.start(), remoteSession(ctx, urls));
  await player.start();
  root.removeAttribute("aria-busy");
  root.dataset.ready = "true";
}
