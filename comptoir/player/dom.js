// Small DOM helpers shared by every view. `trusted` is the only place that parses HTML, and it
// is only ever given build-time HTML from the course bundle, never learner input or host data.

/** h("p", {class: "x", onclick: fn, "aria-live": "polite"}, "text", child, …) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name in el && typeof value !== "string") el[name] = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** An element holding bundle HTML (rendered and sanitised at build time). */
export function trusted(tag, html, attrs = {}) {
  const el = h(tag, attrs);
  el.innerHTML = html;
  return el;
}

/** The text of bundle HTML, for places that only take text (option labels). Inert: a template
 *  neither runs scripts nor loads images. */
export function textOf(html) {
  const tpl = document.createElement("template");
  tpl.innerHTML = html;
  return tpl.content.textContent.replace(/\s+/g, " ").trim();
}

let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Move focus to new content so keyboard and screen-reader users land on it. */
export function focus(el) {
  if (!el.hasAttribute("tabindex") && !/^(BUTTON|INPUT|SELECT|TEXTAREA|A)$/.test(el.tagName)) {
    el.setAttribute("tabindex", "-1");
  }
  el.focus();
}

/** A ✓ or ✗ with its meaning spelled out for screen readers (the sign alone says nothing). */
export function mark(ok, i18n) {
  return h("span", { class: ok ? "mark ok" : "mark ko" },
    h("span", { "aria-hidden": "true" }, ok ? "✓" : "✗"),
    h("span", { class: "sr-only" }, ok ? i18n.t("correct") : i18n.t("incorrect")));
}

export function button(label, onclick, attrs = {}) {
  return h("button", { type: "button", onclick, ...attrs }, label);
}
