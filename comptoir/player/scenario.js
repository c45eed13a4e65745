// Renderer for scenarios: the learner walks the graph node by node. Each choice is played through
// the session (ctx.step), which says where it leads, whether it was a best move and its
// feedback, shown at once; the next node follows below, so the whole conversation stays
// readable; reaching an end node submits the walk. A walk the host already holds (ctx.walk, a
// page reloaded mid-scenario) is shown again as it was taken.
import { h, mark, trusted, focus } from "./dom.js";
import { promptOf } from "./parts.js";

export function scenario(view, ctx) {
  const { t } = ctx.i18n;
  const path = [];
  const trail = h("div", { class: "scenario-trail" });
  const body = h("div", { class: "item-body scenario" }, promptOf(view), trail);
  let open = null; // the node whose choices are on screen: {pos, choices}
  let busy = false;

  function showNode(pos, outcome) {
    const node = view.nodes[pos];
    const step = h("div", { class: node.end ? "node end" : "node" }, trusted("div", node.text, { class: "node-text" }));
    trail.append(step);
    if (node.end) {
      const label = { success: t("Réussite"), partial: t("Réussite partielle"), failure: t("Échec") }[outcome];
      step.append(h("p", { class: `outcome ${outcome}` }, label));
      open = null;
      return;
    }
    const choices = h("div", { class: "node-choices", role: "group", "aria-label": t("Que faites-vous ?") },
      node.choices.map((html, k) => h("button", { type: "button", class: "choice", onclick: () => choose(k) },
        trusted("span", html))));
    step.append(h("p", { class: "hint" }, t("Que faites-vous ?")), choices);
    open = { pos, choices };
  }

  /** Shows choice k of the open node as taken, then the node it leads to. */
  function taken(k, { node, best, feedback, outcome }) {
    const { pos, choices } = open;
    const shown = h("div", { class: "taken", tabindex: "-1" },
      h("p", {}, mark(best, ctx.i18n), " ", h("span", { class: "label" }, t("Votre choix :")), " ",
        trusted("span", view.nodes[pos].choices[k])),
      feedback ? trusted("div", feedback, { class: "choice-feedback" }) : null);
    choices.previousElementSibling.remove(); // the "what do you do?" hint belongs to open choices
    choices.replaceWith(shown);
    showNode(node, outcome);
    return shown;
  }

  async function choose(k) {
    if (busy || !open) return;
    busy = true;
    let played;
    try {
      played = await ctx.step([...path, k]);
    } catch (err) {
      console.error(err);
      return;
    } finally {
      busy = false;
    }
    path.push(k);
    const shown = taken(k, played);
    focus(shown);
    if (view.nodes[played.node].end) ctx.done(path.slice());
  }

  showNode(view.start);
  for (const played of ctx.walk) {
    path.push(played.choice);
    taken(played.choice, played);
  }
  if (ctx.walk.length && !open) ctx.done(path.slice()); // the walk ended but its answer was never sent
  return {
    body,
    selfSubmitting: true,
    answer: () => undefined,
    lock() {},
    reveal: () => null,
  };
}
