// One frame for every item type: heading, the type's renderer, the "check" button, then the
// verdict, the feedback and the explanation in a live region. Scoring is the session's: the key
// used for the feedback is the one the answer returns.
import { h, mark, trusted, focus, button, uid } from "./dom.js";
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
 * The item section. `answer(response)` scores and records it (→ Promise of {score, key});
 * `step(path)` plays one more scenario choice (→ Promise of a step) and `walk` lists the steps
 * already taken; `onAnswer(score, response)` returns what to show under the feedback (what
 * comes next); it is called once.
 */
export function renderItem(ctx, item, { heading, context, answer, step, walk, onAnswer }) {
  const { t } = ctx.i18n;
  const headingId = uid("item");
  const status = h("p", { class: "status", role: "status" });
  const result = h("div", { class: "result", "aria-live": "polite" });
  let answered = false;
  const failed = (err) => {
    status.textContent = t("La connexion au serveur a échoué : réessayez dans un instant.");
    throw err;
  };

  async function submit(response) {
    if (answered) return;
    if (response === undefined) {
      status.textContent = renderer.missing || t("Répondez avant de valider.");
      return;
    }
    answered = true; // until the session says otherwise: one answer per item, however many clicks
    status.textContent = "";
    let scored;
    try {
      scored = await answer(response);
    } catch (err) {
      answered = false;
      console.error(err);
      status.textContent = t("La connexion au serveur a échoué : réessayez dans un instant.");
      return;
    }
    renderer.lock();
    check?.remove();
    const { score: value, key } = scored;
    const general = renderer.reveal(key, response, value);
    const title = h("h3", { class: "verdict" }, mark(value === 1, ctx.i18n), " ", verdict(t, value));
    result.append(title,
      general ? trusted("div", general, { class: "feedback-text" }) : null,
      key.explanation ? h("div", { class: "explanation" }, h("h4", {}, t("Pourquoi")),
        trusted("div", key.explanation)) : null,
      onAnswer(value, response));
    focus(title);
  }

  const renderer = RENDERERS[item.type](item.view, { ...ctx, done: submit, walk: walk || [],
    step: (path) => step(path).catch(failed) });
  const check = renderer.selfSubmitting ? null
    : button(t("Valider"), () => submit(renderer.answer()), { class: "primary" });
  const form = h("div", { class: "item-form" }, renderer.body, status, check);
  const section = h("section", { class: "activity item", "aria-labelledby": headingId, "data-item": item.id,
    "data-type": item.type }, h("h2", { id: headingId }, heading), context, form, result);
  return section;
}
