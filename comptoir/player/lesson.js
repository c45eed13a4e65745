// A lesson page: title, reading time, competencies, then its prose and key points. Item blocks
// are left out: the engine asks the lesson's items itself, when they are most useful.
import { h, trusted, uid } from "./dom.js";

/** markdown-it task lists are bare disabled checkboxes: each is named by its own list item. */
function labelChecklists(el) {
  for (const box of el.querySelectorAll("li.task-list-item > input[type=checkbox]")) {
    const li = box.parentElement;
    li.id ||= uid("task");
    box.setAttribute("aria-labelledby", li.id);
  }
  return el;
}

function block(ctx, b) {
  if (b.kind === "prose") return labelChecklists(trusted("div", b.html, { class: "prose" }));
  if (b.kind === "key-point") {
    return h("aside", { class: "key-point", "aria-label": ctx.i18n.t("Point clé") },
      h("p", { class: "key-point-label", "aria-hidden": "true" }, ctx.i18n.t("Point clé")), trusted("div", b.html));
  }
  return null;
}

/** `context` is the line saying why this lesson comes now; `actions` the buttons under it. */
export function renderLesson(ctx, lesson, { context, actions }) {
  const { t, plural } = ctx.i18n;
  const headingId = uid("lesson");
  return h("section", { class: "activity lesson", "aria-labelledby": headingId, "data-lesson": lesson.id },
    h("p", { class: "kicker" }, t("Leçon")),
    h("h2", { id: headingId }, lesson.title),
    h("p", { class: "meta" }, plural(lesson.minutes, "{n} minute de lecture", "{n} minutes de lecture")),
    context,
    h("div", { class: "lesson-body" }, lesson.blocks.map((b) => block(ctx, b))),
    h("div", { class: "actions" }, actions));
}
