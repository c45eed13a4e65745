// Renderers for true-false, single and multiple choice: radio buttons or checkboxes in a
// fieldset, so arrow keys, Tab and Space work as in any form.
import { h, mark, trusted } from "./dom.js";
import { promptOf, optionGroup, checkedPositions, disableAll } from "./parts.js";

/** Under one option: ✓ (a right option) or ✗ (a wrong pick), "your choice", the key's feedback. */
function outcome(ctx, right, chosen, feedback) {
  return h("div", { class: "option-result" },
    right || chosen ? mark(right, ctx.i18n) : null,
    chosen ? h("span", { class: "tag" }, ctx.i18n.t("votre choix")) : null,
    feedback ? trusted("div", feedback, { class: "choice-feedback" }) : null);
}

export function trueFalse(view, ctx) {
  const { t } = ctx.i18n;
  const values = [true, false];
  const group = optionGroup(t("Vrai ou faux ?"), [t("Vrai"), t("Faux")], false, false);
  const body = h("div", { class: "item-body" }, promptOf(view), group.fieldset);
  return {
    body,
    answer() {
      const [pos] = checkedPositions(group.inputs);
      return pos === undefined ? undefined : values[pos];
    },
    lock: () => disableAll(body),
    reveal(key, response) {
      values.forEach((value, i) => {
        if (value === response || value === key.answer) {
          group.rows[i].append(outcome(ctx, value === key.answer, value === response, null));
        }
      });
      return key.feedback[String(response)];
    },
  };
}

/** Single choice (radios) and multiple choice (checkboxes): the learner picks by position. */
export function choices(view, ctx, multiple) {
  const { t } = ctx.i18n;
  const legend = multiple ? t("Cochez toutes les bonnes réponses.") : t("Choisissez une réponse.");
  const group = optionGroup(legend, view.choices, multiple);
  const body = h("div", { class: "item-body" }, promptOf(view),
    h("p", { class: "hint" }, legend), group.fieldset);
  return {
    body,
    answer() {
      const picked = checkedPositions(group.inputs);
      return picked.length ? picked : undefined;
    },
    lock: () => disableAll(body),
    reveal(key, response) {
      // Every choice gets its feedback, so the learner also learns why the others were wrong.
      group.rows.forEach((row, i) => {
        const right = key.correct.includes(i);
        row.append(outcome(ctx, right, response.includes(i), key.feedback[i]));
      });
      return null;
    },
  };
}
