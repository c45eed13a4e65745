// Renderers for true-false, single and multiple choice: radio buttons or checkboxes in a
// fieldset, so arrow keys, Tab and Space work as in any form.
import { h, mark, trusted } from "./dom.js";
import { promptOf, optionGroup, checkedPositions, disableAll } from "./parts.js";

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
        if (value === response || value === key.answer) group.rows[i].append(mark(value === key.answer, ctx.i18n));
        if (value === response) group.rows[i].append(h("span", { class: "tag" }, t("votre choix")));
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
        const chosen = response.includes(i);
        if (right || chosen) row.append(mark(right, ctx.i18n));
        if (chosen) row.append(h("span", { class: "tag" }, t("votre choix")));
        if (key.feedback[i]) row.append(trusted("div", key.feedback[i], { class: "choice-feedback" }));
      });
      return null;
    },
  };
}
