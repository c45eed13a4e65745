// comptoir preview: the bar above the player, for authors and reviewers only (never packaged).
// It reads its data from #comptoir-preview (comptoir/preview.py, Site.config) and talks to the
// player only through the page's URL: #lesson=<id> / #item=<id> (docs/player.md).
const config = JSON.parse(document.getElementById("comptoir-preview").textContent);
const KEYS_FLAG = "comptoir-preview:keys";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/** HTML from the bundle: rendered and sanitised by the build, like everything the player shows. */
function built(html, cls) {
  const box = el("div", { class: cls });
  box.innerHTML = html;
  return box;
}

function text(html) {
  return new DOMParser().parseFromString(html, "text/html").body.textContent.trim();
}

function pageOf(course, language) {
  return `/c/${encodeURIComponent(course)}/${encodeURIComponent(language)}/index.html`;
}

function switches() {
  const current = config.courses.find((c) => c.id === config.course);
  if (!current) return [];
  const course = el("select", { id: "cp-course", "aria-label": "Course" },
    config.courses.map((c) => el("option", { value: c.id, selected: c.id === config.course }, `${c.title} (${c.id})`)));
  course.addEventListener("change", () => {
    const next = config.courses.find((c) => c.id === course.value);
    window.location.assign(pageOf(next.id, next.locales.includes(config.language) ? config.language : next.locales[0]));
  });
  const locale = el("select", { id: "cp-locale", "aria-label": "Locale" },
    current.locales.map((l) => el("option", { value: l, selected: l === config.language }, l)));
  locale.addEventListener("change", () => window.location.assign(pageOf(config.course, locale.value) + window.location.hash));
  return [el("label", {}, "Course ", course), el("label", {}, "Locale ", locale)];
}

function go(hash) {
  if (window.location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else window.location.hash = hash;
}

function link(hash, label) {
  const a = el("a", { href: hash }, label);
  a.addEventListener("click", (event) => {
    event.preventDefault();
    a.closest("details").open = false;
    go(hash);
  });
  return a;
}

function jumpList() {
  if (!config.outline.length) return null;
  const lessons = config.outline.map((lesson) => el("li", { "data-lesson": lesson.id },
    link(`#lesson=${encodeURIComponent(lesson.id)}`, lesson.title),
    el("ul", {}, lesson.items.map((item) => el("li", { "data-item": item.id },
      link(`#item=${encodeURIComponent(item.id)}`, `${item.id} · ${item.type} — ${text(item.prompt).slice(0, 90)}`),
      config.keys[item.id] ? built(config.keys[item.id], "cp-key") : null)))));
  return el("details", { class: "cp-jump" }, el("summary", {}, "Jump to…"), el("ol", {}, lessons));
}

function keySwitch(bar) {
  const box = el("input", { type: "checkbox", id: "cp-keys" });
  box.checked = sessionStorage.getItem(KEYS_FLAG) === "1";
  const apply = () => {
    bar.classList.toggle("cp-show-keys", box.checked);
    sessionStorage.setItem(KEYS_FLAG, box.checked ? "1" : "0");
  };
  box.addEventListener("change", apply);
  apply();
  return el("label", {}, box, " Reveal keys");
}

function resetButton() {
  const button = el("button", { type: "button", id: "cp-reset" }, "Reset progress");
  button.addEventListener("click", () => {
    localStorage.removeItem(`comptoir:${config.course}:${config.language}`); // the web transport's key
    window.location.hash = "";
    window.location.reload();
  });
  return button;
}

function diagnostics() {
  const errors = config.diagnostics.filter((d) => d.severity === "error");
  const warnings = config.diagnostics.filter((d) => d.severity !== "error");
  if (!config.diagnostics.length) return null;
  const row = (d) => el("li", { class: `cp-${d.severity}` },
    el("code", {}, `${d.path}:${d.line}:${d.col}`), ` ${d.severity}[${d.code}]: ${d.message}`,
    d.hint ? el("div", { class: "cp-hint" }, `hint: ${d.hint}`) : null);
  const headline = config.stale
    ? `The sources have ${errors.length} error(s): this page still shows the last good build.`
    : errors.length ? `${errors.length} error(s) to fix before a build; the preview goes on meanwhile.` : null;
  return el("div", { class: errors.length ? "cp-diagnostics" : "cp-diagnostics cp-quiet", role: errors.length ? "alert" : null },
    headline ? el("p", { class: "cp-headline" }, headline) : null,
    errors.length ? el("ul", {}, errors.map(row)) : null,
    warnings.length ? el("details", {}, el("summary", {}, `${warnings.length} warning(s)`), el("ul", {}, warnings.map(row))) : null);
}

/** The key of the item on screen, kept in step with the player through its data-item attribute. */
function currentKey(bar) {
  const box = el("aside", { class: "cp-current-key", "aria-label": "Key of the item on screen", hidden: true });
  const main = document.getElementById("comptoir-main");
  const update = () => {
    const item = main && main.querySelector(".activity[data-item]");
    const html = item ? config.keys[item.dataset.item] : null;
    box.hidden = !html;
    box.replaceChildren(...(html ? [el("strong", {}, `Key of ${item.dataset.item}`), built(html, "cp-key")] : []));
  };
  if (main) new MutationObserver(update).observe(main, { childList: true });
  update();
  return box;
}

function watch() {
  let warned = false;
  setInterval(async () => {
    try {
      const answer = await fetch("/__comptoir/version", { cache: "no-store" });
      const { version } = await answer.json();
      if (version !== config.version) window.location.reload();
    } catch (err) {
      if (!warned) console.warn("comptoir preview: the preview server does not answer", err);
      warned = true;
    }
  }, 500);
}

function mount() {
  const bar = el("div", { id: "comptoir-preview-bar", role: "region", "aria-label": "comptoir preview",
    "data-version": String(config.version) });
  bar.append(el("div", { class: "cp-row" }, el("strong", {}, "comptoir preview"), switches(), jumpList(),
    config.course ? keySwitch(bar) : null, config.course ? resetButton() : null),
  diagnostics(), config.course ? currentKey(bar) : null);
  document.body.prepend(bar);
  watch();
}

// The player mounts itself from its own module; the bar waits for it so the key box can follow it.
const player = document.getElementById("comptoir-player");
if (!player || player.dataset.ready) mount();
else new MutationObserver((_, observer) => {
  if (player.dataset.ready) { observer.disconnect(); mount(); }
}).observe(player, { attributes: true, attributeFilter: ["data-ready"] });
