// Renderers for the typed answers: fill-in (a text box in place of the blank) and numeric.
import { h, mark, uid } from "./dom.js";
import { promptOf, expected, verdictFeedback, disableAll } from "./parts.js";

function textInput(attrs) {
  return h("input", { type: "text", autocomplete: "off", autocapitalize: "off", spellcheck: "false", ...attrs });
}

export function fillIn(view, ctx) {
  const { t } = ctx.i18n;
  const input = textInput({ class: "blank-input", "aria-label": t("Mot manquant") });
  const prompt = promptOf(view);
  const blank = prompt.querySelector(".blank");
  if (blank) blank.replaceWith(input);
  else prompt.append(" ", input);
  const body = h("div", { class: "item-body" }, h("p", { class: "hint" }, t("Complétez le texte.")), prompt);
  return {
    body,
    answer: () => (input.value.trim() ? input.value : undefined),
    lock: () => disableAll(body),
    reveal(key, response, score) {
      input.after(mark(score === 1, ctx.i18n));
      if (score !== 1) body.append(expected(ctx.i18n, key.answers.join(` ${t("ou")} `)));
      return verdictFeedback(key, score === 1);
    },
  };
}

/** Reads "12,5", "12.5", "1 250" or "1’250" (Swiss grouping) alike; undefined if not a number. */
export function parseNumber(text) {
  const cleaned = text.trim().replace(/[\s\u00a0\u202f'’]/g, "").replace(",", ".");
  if (!/^[-+−]?(\d+\.?\d*|\.\d+)$/.test(cleaned)) return undefined;
  return Number(cleaned.replace("−", "-"));
}

export function numeric(view, ctx) {
  const { t, number } = ctx.i18n;
  const id = uid("num");
  const input = textInput({ id, inputmode: "decimal", class: "number-input" });
  const unit = view.unit ? h("span", { class: "unit" }, view.unit) : null;
  const body = h("div", { class: "item-body" }, promptOf(view),
    h("p", { class: "answer-line" }, h("label", { for: id }, t("Votre réponse")), " ", input, unit ? " " : null, unit));
  return {
    body,
    missing: t("Saisissez un nombre, par exemple {example}.", { example: number(12.5) }),
    answer: () => parseNumber(input.value),
    lock: () => disableAll(body),
    reveal(key, response, score) {
      input.after(mark(score === 1, ctx.i18n));
      if (score !== 1) {
        const value = key.tolerance > 0 ? `${number(key.answer)} ± ${number(key.tolerance)}` : number(key.answer);
        body.append(expected(ctx.i18n, view.unit ? `${value} ${view.unit}` : value));
      }
      return verdictFeedback(key, score === 1);
    },
  };
}
