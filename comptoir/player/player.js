// The player: lays out the page, asks the session what comes next, shows it, hands what the
// learner did to the session and the result to the transport. Sequencing and scoring are the
// session's alone: engine.js and scoring.js in the browser (session-local.js) or the host's
// server (session-remote.js, the XBlock).
import { h, button, focus } from "./dom.js";
import { renderLesson } from "./lesson.js";
import { renderItem } from "./item.js";
import { summarise, reasonFor, reasonText, masteryPanel } from "./progress.js";
import { localSession } from "./session-local.js";

/** `started` is transport.start(); `session` defaults to the local one, resuming from its state. */
export function createPlayer(root, ctx, transport, started, session = localSession(ctx, started)) {
  const { bundle } = ctx;
  const { t, plural } = ctx.i18n;
  const { course } = session;
  const notices = [...(started.notice ? [started.notice] : []), ...session.notices];
  const recording = started.mode === "normal";
  if (!recording) notices.push(t("Mode consultation : vos réponses ne sont pas enregistrées."));
  const lessonIndex = new Map(bundle.lessons.map((l, j) => [l.id, j]));
  const itemIndex = new Map(bundle.items.map((it, i) => [it.id, i]));
  ctx.titleOf = (c) => (c < bundle.competencies.length ? bundle.competencies[c].title : course.competencies[c]);

  const where = h("p", { class: "where" });
  const main = h("main", { class: "main", id: "comptoir-main" });
  const masteryBox = h("div", {});
  const lessonList = h("ul", { class: "lesson-list" });
  const side = h("aside", { class: "side", "aria-label": t("Votre progression") },
    h("section", { class: "panel" }, h("h2", {}, t("Votre maîtrise")), masteryBox),
    h("nav", { class: "panel", "aria-label": t("Leçons du cours") }, h("h2", {}, t("Leçons")), lessonList),
    transport.tools ? h("div", { class: "panel tools" }, transport.tools(ctx)) : null);
  root.replaceChildren(...[
    h("header", { class: "top" }, h("p", { class: "course-title" }, bundle.course.title), where),
    notices.length ? h("div", { class: "notice", role: "status" }, notices.map((n) => h("p", {}, n))) : null,
    h("div", { class: "columns" }, main, side)].filter(Boolean));

  let location = "";
  let finished = false;

  function summary() {
    return summarise(course, session.state, session.upcoming() === null);
  }

  /** Runs a session request; if the host cannot be reached, says so and leaves the screen as it is. */
  async function attempt(request) {
    try {
      await request();
      return true;
    } catch (err) {
      console.error(err);
      const message = t("La connexion au serveur a échoué : réessayez dans un instant.");
      const status = main.querySelector(".activity .status");
      if (status) status.textContent = message;
      else main.replaceChildren(h("p", { class: "notice", role: "alert" }, message));
      return false;
    }
  }

  // After finish() the SCORM transports drop every call themselves; the web one keeps saving,
  // which a page restored from the back-forward cache needs.
  function save(commit) {
    if (!recording) return;
    transport.save({ state: session.encoded(), location, summary: summary() });
    if (commit) transport.commit();
  }

  function refreshSide() {
    const s = summary();
    const mastered = s.competencies.filter((c) => c.mastered).length;
    masteryBox.replaceChildren(
      h("p", { class: "mastery-count" }, plural(mastered, "{n} compétence maîtrisée sur {total}",
        "{n} compétences maîtrisées sur {total}", { total: s.competencies.length })),
      masteryPanel(ctx, s), trainerNote(s));
    lessonList.replaceChildren(...bundle.lessons.map((lesson, j) => h("li", {},
      button(lesson.title, () => revisit(j), { "aria-current": location === lesson.id ? "page" : false }),
      session.state.seen[j] ? h("span", { class: "tag" }, t("lue")) : null)));
  }

  function show(section, id, lessonId, c) {
    location = id;
    const lesson = lessonId !== undefined ? bundle.lessons[lessonIndex.get(lessonId)] : null;
    where.replaceChildren(...[
      c !== undefined ? h("span", {}, t("Compétence :"), " ", ctx.titleOf(c)) : null,
      lesson ? h("span", {}, t("Leçon :"), " ", lesson.title) : null].filter(Boolean));
    main.replaceChildren(section);
    refreshSide();
    focus(section.querySelector("h2"));
  }

  /** "Next: …, because …" and the button to go on, shown under a lesson or an answer. */
  function upNext() {
    const act = session.upcoming();
    if (!act) {
      return h("div", { class: "up-next" }, h("p", {}, t("Vous avez travaillé tout ce que le cours propose.")),
        button(t("Voir le résultat"), advance, { class: "primary" }));
    }
    const what = act[0] === "lesson"
      ? t("À suivre : la leçon « {title} ».", { title: bundle.lessons[act[1]].title })
      : t("À suivre : une question.");
    return h("div", { class: "up-next" }, h("p", {}, what, " ", reasonText(ctx, reasonFor(course, session.state, act))),
      button(t("Continuer"), advance, { class: "primary" }));
  }

  function showLesson(j, act) {
    const lesson = bundle.lessons[j];
    const reason = reasonFor(course, session.state, act);
    const section = renderLesson(ctx, lesson, {
      context: h("p", { class: "why" }, reasonText(ctx, reason)),
      actions: [button(t("J'ai lu la leçon, continuer"), async () => {
        if (!await attempt(() => session.read(j))) return;
        save(true);
        await advance();
      }, { class: "primary" }), h("p", { class: "status", role: "status" })],
    });
    show(section, lesson.id, lesson.id, reason.c);
    save(false);
  }

  function showItem(i, act) {
    const item = bundle.items[i];
    const reason = reasonFor(course, session.state, act);
    const section = renderItem(ctx, item, {
      heading: t("Question"),
      context: h("p", { class: "why" }, reasonText(ctx, reason)),
      async answer(response) {
        const result = await session.answer(i, response);
        if (recording) transport.answered?.({ item, response, score: result.score }); // optional hook (cmi5)
        return result;
      },
      step: (path) => session.step(i, path),
      walk: session.walk(i),
      onAnswer() {
        save(true);
        refreshSide();
        return upNext();
      },
    });
    show(section, item.id, item.lesson, reason.c);
    save(false);
  }

  function showEnd() {
    const s = summary();
    const section = h("section", { class: "activity end", "aria-labelledby": "comptoir-end" },
      h("h2", { id: "comptoir-end" }, s.passed ? t("Cours réussi") : t("Plus rien à travailler pour le moment")),
      h("p", {}, s.passed ? t("Vous maîtrisez toutes les compétences du cours.")
        : t("Certaines compétences ne sont pas encore maîtrisées, mais le cours n'a plus d'activité à vous proposer.")),
      trainerNote(s),
      masteryPanel(ctx, s),
      h("p", {}, t("Vous pouvez relire chaque leçon depuis la liste des leçons.")));
    show(section, "", undefined, undefined);
    // Nothing more to record: commit and end the session — unless a trainer's release may come.
    if (s.competencies.some((comp) => comp.trainer)) save(true);
    else finish();
  }

  /**
   * Competencies the engine stopped offering after repeated passes (docs/adaptive.md, "Then a
   * trainer"), each with a button to take it up again once a trainer has worked on it with the
   * learner. The learner presses it (a page has no trainer role): a release never raises mastery,
   * it only gives the competency another pass, lessons first.
   */
  function trainerNote(s) {
    const referred = s.competencies.flatMap((comp, c) => (comp.trainer ? [c] : []));
    if (!referred.length) return null;
    const titles = referred.map((c) => t("« {title} »", { title: ctx.titleOf(c) }));
    return h("div", { class: "trainer" },
      h("p", {}, t("Après plusieurs lectures et exercices, ces compétences demandent l'aide d'un formateur ou d'une formatrice : {competencies}.",
        { competencies: ctx.i18n.list(titles) })),
      recording ? h("div", { class: "actions" }, referred.map((c) => button(
        t("Reprendre « {title} » après la séance avec le formateur ou la formatrice", { title: ctx.titleOf(c) }),
        () => release(c)))) : null);
  }

  async function release(c) {
    if (!await attempt(() => session.release(c))) return;
    save(true);
    await advance();
  }

  function revisit(j) {
    const lesson = bundle.lessons[j];
    const section = renderLesson(ctx, lesson, {
      context: h("p", { class: "why" }, t("Vous relisez cette leçon ; le cours reprend où vous l'avez laissé.")),
      actions: [button(t("Reprendre le cours"), advance, { class: "primary" })],
    });
    show(section, lesson.id, lesson.id, lesson.competencies.length ? course.competencies.indexOf(lesson.competencies[0]) : undefined);
    save(false);
  }

  /**
   * `#lesson=<id>` or `#item=<id>` in the page's URL opens that lesson or item out of the engine's
   * order (docs/player.md, "Links to a lesson or an item"): the preview's jump list and a trainer's
   * link use it. An answer counts as evidence like any other; "Continue" goes back to the engine.
   */
  function jump() {
    const found = /^#(lesson|item)=(.+)$/.exec(window.location.hash);
    const id = found ? decodeURIComponent(found[2]) : "";
    if (found && found[1] === "lesson" && lessonIndex.has(id)) revisit(lessonIndex.get(id));
    else if (found && found[1] === "item" && itemIndex.has(id)) {
      const i = itemIndex.get(id);
      showItem(i, ["item", i, undefined, course.items[i].competencies[0]]);
    } else return false;
    return true;
  }

  async function advance() {
    let act;
    if (!await attempt(async () => { act = await session.next(); })) return;
    if (!act) showEnd();
    else if (act[0] === "lesson") showLesson(act[1], act);
    else showItem(act[1], act);
  }

  function finish() {
    if (finished) return;
    if (recording) transport.commit();
    finished = true;
    transport.finish();
  }

  return {
    async start() {
      await advance();
      // A learner who was rereading a lesson comes back to it; anything else the engine decides.
      const j = lessonIndex.get(started.location);
      if (!jump() && j !== undefined && location !== started.location && !finished) revisit(j);
      window.addEventListener("hashchange", jump);
    },
    finish,
  };
}
