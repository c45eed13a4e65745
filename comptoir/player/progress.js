// What the learner's state means: the summary every transport reports, the reason the next
// activity comes now, and the mastery panel. Read-only over the engine's state.
import { h } from "./dom.js";
import { REASONS, STATUSES, competencyStatus } from "./engine.js";

/** Share of the way from the prior to the threshold, clamped to [0, 1]; 1 once mastered. */
function competencyProgress(course, state, c) {
  const prior = course.params[c].prior;
  if (state.p[c] >= course.threshold) return 1;
  if (course.threshold <= prior) return 0;
  return Math.min(Math.max((state.p[c] - prior) / (course.threshold - prior), 0), 1);
}

/** The own competencies the engine can offer (a competency without items can never be mastered). */
function practised(course) {
  const out = [];
  for (let c = 0; c < course.nOwn; c++) if (course.itemsOf[c].length > 0) out.push(c);
  return out;
}

/**
 * {progress, scaled, passed, completed, competencies}: progress and scaled are means over the
 * practised own competencies of competencyProgress and of P(L); passed when each of them is
 * mastered; completed once passed or when the engine has nothing left to offer.
 */
export function summarise(course, state, completed) {
  const comps = practised(course);
  let progress = 0;
  let scaled = 0;
  for (const c of comps) {
    progress += competencyProgress(course, state, c);
    scaled += state.p[c];
  }
  const n = comps.length || 1;
  const status = competencyStatus(course, state);
  const competencies = [];
  for (let c = 0; c < course.nOwn; c++) {
    competencies.push({ ref: course.competencies[c], p: state.p[c], mastered: state.p[c] >= course.threshold,
      progress: competencyProgress(course, state, c), trainer: status[c] === STATUSES.NEEDS_TRAINER });
  }
  const passed = comps.every((c) => state.p[c] >= course.threshold);
  return { progress: progress / n, scaled: scaled / n, passed, completed: completed || passed, competencies };
}

/**
 * Why the engine offers this activity: {kind, c, prerequisites}. The engine says why (its third
 * element: review, lesson, lesson_again, new, repeat) and for which competency (its fourth); a first
 * lesson is "unlocked" when the competency has prerequisites the learner has just mastered.
 */
export function reasonFor(course, state, [kind, , why, c]) {
  if (why === REASONS.REVIEW) return { kind: "review", c, prerequisites: [] };
  if (why === REASONS.LESSON_AGAIN) return { kind: "lesson-again", c, prerequisites: [] };
  if (why === REASONS.REPEAT) return { kind: "repeat", c, prerequisites: [] };
  if (kind === "item") return { kind: "practice", c, prerequisites: [] };
  const prerequisites = course.prerequisites[c].filter((q) => course.itemsOf[q].length > 0);
  return { kind: prerequisites.length ? "unlocked" : "new", c, prerequisites };
}

export function reasonText(ctx, reason) {
  const { t, list } = ctx.i18n;
  const title = (c) => t("« {title} »", { title: ctx.titleOf(c) });
  switch (reason.kind) {
    case "review": return t("Révision : vous maîtrisez {competency}, une révision est prévue maintenant.",
      { competency: title(reason.c) });
    case "unlocked": return t("Nouvelle compétence, débloquée parce que vous maîtrisez {prerequisites}.",
      { prerequisites: list(reason.prerequisites.map(title)) });
    case "new": return t("Nouvelle compétence : {competency}.", { competency: title(reason.c) });
    case "lesson-again": return t("Vous avez répondu à toutes les questions sur {competency} sans la maîtriser encore : relisez la leçon avant de continuer.",
      { competency: title(reason.c) });
    case "repeat": return t("Toutes les questions sur {competency} ont déjà été posées : celle-ci revient, et compte un peu moins que la première fois.",
      { competency: title(reason.c) });
    default: return t("Entraînement : {competency}.", { competency: title(reason.c) });
  }
}

/** The mastery panel: one row per own competency, P(L) as a percentage, mastered or not. */
export function masteryPanel(ctx, summary) {
  const { t, percent } = ctx.i18n;
  return h("ul", { class: "mastery" }, summary.competencies.map((comp, c) => {
    const info = ctx.bundle.competencies[c];
    return h("li", { class: comp.mastered ? "mastered" : "", "data-ref": comp.ref },
      h("span", { class: "comp-title" }, h("span", { class: "code" }, info.code), " ", info.title),
      h("span", { class: "bar", "aria-hidden": "true" },
        h("span", { class: "fill", style: `width: ${(comp.progress * 100).toFixed(1)}%` })),
      h("span", { class: "comp-state" }, h("span", { class: "pct" }, percent(comp.p)), " · ",
        comp.mastered ? t("maîtrisée") : comp.trainer ? t("à revoir avec votre formateur ou formatrice")
          : t("pas encore maîtrisée")));
  }));
}
