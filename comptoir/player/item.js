// One frame for every item type: heading, the type's renderer, the "check" button, then the
// verdict, the feedback and the explanation in a live region. Scoring is scoring.js's alone.
import { h, mark, trusted, focus, button, uid } from "./dom.js";
import { score } from "./scoring.js";
import { trueFalse, choices } from "./choices.js";
import { fillIn, numeric } from "./text.js";
import { matching, sequencing } from "./order.js";
import { scenario } from "./scenario.js";

const RENDERERS = {
  "true-false": trueFalse,
  single: (view, ctx) => choices(view, ctx, false),
  multiple: (view, ctx) => choices(view, ctx, true),
  "fill-in": fillIn,
  numeric,
  matching,
  sequencing,
  scenario,
};

function verdict(t, value) {
  if (value === 1) return t("Bonne réponse");
  return value > 0 ? t("Réponse en partie juste") : t("Réponse incorrecte");
}

/**
 * The item section. `onAnswer(score, response)` records the answer and returns what to show
 * under the feedback (what comes next); it is called once.
 */
export function renderItem(ctx, item, { heading, context, onAnswer }) {
  const { t } = ctx.i18n;
  const headingId = uid("item");
  const status = h("p", { class: "status", role: "status" });
  const result = h("div", { class: "result", "aria-live": "polite" });
  let answered = false;

  function submit(response) {
    if (answered) return;
    if (response === undefined) {
      status.textContent = renderer.missing || t("Répondez avant de valider.");
      return;
    }
    answered = true;
    status.textContent = "";
    renderer.lock();
    check?.remove();
    const value = score(item.type, item.key, response, item.view.start); // start: scenarios only
    const general = renderer.reveal(item.key, response, value);
    const title = h("h3", { class: "verdict" }, mark(value === 1, ctx.i18n), " ", verdict(t, value));
    result.append(title,
      general ? trusted("div", general, { class: "feedback-text" }) : null,
      item.key.explanation ? h("div", { class: "explanation" }, h("h4", {}, t("Pourquoi")),
        trusted("div", item.key.explanation)) : null,
      onAnswer(value, response));
    focus(title);
  }

  const renderer = RENDERERS[item.type](item.view, { ...ctx, key: item.key, done: submit });
  const check = renderer.selfSubmitting ? null
    : button(t("Valider"), () => submit(renderer.answer()), { class: "primary" });
  const form = h("div", { class: "item-form" }, renderer.body, status, check);
  const section = h("section", { class: "activity item", "aria-labelledby": headingId, "data-item": item.id,
    "data-type": item.type }, h("h2", { id: headingId }, heading), context, form, result);
  return section;
}
