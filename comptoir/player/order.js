// Renderers for matching and sequencing, operable without drag and drop: matching pairs each
// left entry with a lettered right entry through a <select>; sequencing moves steps with
// "up"/"down" buttons and announces each new position.
import { h, mark, trusted, textOf, uid, focus, button } from "./dom.js";
import { promptOf, expected, verdictFeedback, disableAll } from "./parts.js";

const letter = (k) => String.fromCharCode(65 + k);

export function matching(view, ctx) {
  const { t } = ctx.i18n;
  const rights = h("ol", { class: "letters" },
    view.right.map((html, k) => h("li", {}, h("span", { class: "letter", "aria-hidden": "true" }, `${letter(k)}.`), " ",
      trusted("span", html))));
  const rows = view.left.map((html) => {
    const id = uid("left");
    const select = h("select", { "aria-labelledby": id },
      h("option", { value: "" }, t("— choisir —")),
      view.right.map((right, k) => h("option", { value: String(k) }, `${letter(k)}. ${textOf(right)}`)));
    return { select, row: h("li", { class: "pair" }, trusted("span", html, { id, class: "left" }), select) };
  });
  const body = h("div", { class: "item-body" }, promptOf(view),
    h("p", { class: "hint" }, t("Pour chaque élément, choisissez la lettre qui lui correspond.")),
    h("div", { class: "matching" }, rights, h("ul", { class: "pairs" }, rows.map((r) => r.row))));
  return {
    body,
    answer() {
      const picked = rows.map((r) => (r.select.value === "" ? null : Number(r.select.value)));
      return picked.includes(null) ? undefined : picked;
    },
    lock: () => disableAll(body),
    reveal(key, response, score) {
      rows.forEach((r, i) => {
        const ok = response[i] === key.pairs[i];
        r.row.append(mark(ok, ctx.i18n));
        if (!ok) r.row.append(h("span", { class: "expected" }, t("Réponse attendue :"), " ", letter(key.pairs[i])));
      });
      return verdictFeedback(key, score === 1);
    },
  };
}

export function sequencing(view, ctx) {
  const { t } = ctx.i18n;
  const order = view.steps.map((_, k) => k); // shown positions, in the learner's current order
  const list = h("ol", { class: "steps" });
  const live = h("p", { class: "sr-only", "aria-live": "polite" });
  let locked = false;

  function move(from, to, which) {
    [order[from], order[to]] = [order[to], order[from]];
    draw();
    const moved = list.children[to];
    // Keep focus on the button just used; at either end of the list that button is gone.
    focus(moved.querySelector(`button.${which}`) || moved.querySelector("button"));
    live.textContent = t("« {step} » : position {position} sur {count}.",
      { step: textOf(view.steps[order[to]]), position: to + 1, count: order.length });
  }

  function draw() {
    list.replaceChildren(...order.map((k, pos) => {
      const label = textOf(view.steps[k]);
      return h("li", { class: "step", "data-step": String(k) }, trusted("span", view.steps[k], { class: "step-text" }),
        h("span", { class: "step-moves" },
          pos > 0 && !locked ? button("↑", () => move(pos, pos - 1, "up"),
            { class: "up", "aria-label": t("Monter « {step} »", { step: label }) }) : null,
          pos < order.length - 1 && !locked ? button("↓", () => move(pos, pos + 1, "down"),
            { class: "down", "aria-label": t("Descendre « {step} »", { step: label }) }) : null));
    }));
  }
  draw();
  const body = h("div", { class: "item-body" }, promptOf(view),
    h("p", { class: "hint" }, t("Mettez les étapes dans l'ordre avec les boutons ↑ et ↓.")), list, live);
  return {
    body,
    answer: () => order.slice(),
    lock() {
      locked = true;
      draw();
      disableAll(body);
    },
    reveal(key, response, score) {
      [...list.children].forEach((li, pos) => li.append(mark(response[pos] === key.order[pos], ctx.i18n)));
      if (score !== 1) {
        body.append(expected(ctx.i18n, h("ol", {}, key.order.map((k) => trusted("li", view.steps[k])))));
      }
      return verdictFeedback(key, score === 1);
    },
  };
}
