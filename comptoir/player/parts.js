// Pieces several item renderers share, so each renderer only says what is special to its type.
import { h, trusted, uid } from "./dom.js";

export function promptOf(view) {
  return trusted("div", view.prompt, { class: "prompt" });
}

/** The key's {correct, incorrect} feedback, for the types that have one text per verdict. */
export function verdictFeedback(key, correct) {
  return correct ? key.feedback.correct : key.feedback.incorrect;
}

/** "Expected answer: …" under a wrong response; `content` is text or an element. */
export function expected(i18n, content) {
  return h("div", { class: "expected" }, h("span", { class: "label" }, i18n.t("Réponse attendue :")), " ", content);
}

/**
 * A fieldset of radio buttons or checkboxes, one row per option, labels as bundle HTML or text.
 * Returns the fieldset, the inputs and the rows (where marks and feedback go after answering).
 */
export function optionGroup(legend, labels, multiple, html = true) {
  const name = uid("opt");
  const rows = [];
  const inputs = labels.map((label, i) => {
    const id = `${name}-${i}`;
    const input = h("input", { type: multiple ? "checkbox" : "radio", name, id, value: String(i) });
    const text = html ? trusted("label", label, { for: id }) : h("label", { for: id }, label);
    rows.push(h("div", { class: "option" }, input, text));
    return input;
  });
  const fieldset = h("fieldset", { class: "options" }, h("legend", { class: "sr-only" }, legend), rows);
  return { fieldset, inputs, rows };
}

export function checkedPositions(inputs) {
  return inputs.flatMap((input, i) => (input.checked ? [i] : []));
}

export function disableAll(root) {
  for (const el of root.querySelectorAll("input, select, button")) el.disabled = true;
}
