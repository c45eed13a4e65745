// Renderer for scenarios: the learner walks the graph node by node. Each choice shows its
// feedback at once (the key travels with the item, as for every type) and the next node follows
// below, so the whole conversation stays readable; reaching an end node submits the walk.
import { h, mark, trusted, focus } from "./dom.js";
import { promptOf } from "./parts.js";

export function scenario(view, ctx) {
  const { t } = ctx.i18n;
  const key = ctx.key;
  const path = [];
  const trail = h("div", { class: "scenario-trail" });
  const body = h("div", { class: "item-body scenario" }, promptOf(view), trail);

  function showNode(pos) {
    const node = view.nodes[pos];
    const step = h("div", { class: node.end ? "node end" : "node" }, trusted("div", node.text, { class: "node-text" }));
    trail.append(step);
    if (node.end) {
      const outcome = key.outcome[pos];
      const label = { success: t("Réussite"), partial: t("Réussite partielle"), failure: t("Échec") }[outcome];
      step.append(h("p", { class: `outcome ${outcome}` }, label));
      return;
    }
    const choices = h("div", { class: "node-choices", role: "group", "aria-label": t("Que faites-vous ?") },
      node.choices.map((html, k) => h("button", { type: "button", class: "choice", onclick: () => choose(pos, k, choices) },
        trusted("span", html))));
    step.append(h("p", { class: "hint" }, t("Que faites-vous ?")), choices);
  }

  function choose(pos, k, choices) {
    path.push(k);
    const best = key.best[pos][k];
    const taken = h("div", { class: "taken", tabindex: "-1" },
      h("p", {}, mark(best, ctx.i18n), " ", h("span", { class: "label" }, t("Votre choix :")), " ",
        trusted("span", view.nodes[pos].choices[k])),
      key.feedback[pos][k] ? trusted("div", key.feedback[pos][k], { class: "choice-feedback" }) : null);
    choices.previousElementSibling.remove(); // the "what do you do?" hint belongs to open choices
    choices.replaceWith(taken);
    const next = key.next[pos][k];
    showNode(next);
    focus(taken);
    if (view.nodes[next].end) ctx.done(path.slice());
  }

  showNode(view.start);
  return {
    body,
    selfSubmitting: true,
    answer: () => undefined,
    lock() {},
    reveal: () => null,
  };
}
