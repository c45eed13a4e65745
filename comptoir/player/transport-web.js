// Standalone transport: progress in this browser's localStorage (one entry per course and
// language), plus export to a JSON file and import from one, to move between browsers.
import { h, button } from "./dom.js";

const FORMAT = "comptoir-progress";

function readJSON(storage, key) {
  try {
    return JSON.parse(storage.getItem(key) || "null");
  } catch (err) {
    console.warn("comptoir: stored progress is unreadable", err);
    return null;
  }
}

function browserStorage() {
  try {
    return window.localStorage; // throws where storage is disabled (e.g. some sandboxed frames)
  } catch (err) {
    return null;
  }
}

export function webTransport(ctx, notice = null) {
  const { id, language } = ctx.bundle.course;
  const key = `comptoir:${id}:${language}`;
  const storage = browserStorage();
  let saved = { state: null, location: "" };

  const record = () => JSON.stringify({ format: FORMAT, version: 1, course: id, language, ...saved });

  function write() {
    try {
      storage?.setItem(key, record());
    } catch (err) {
      console.warn("comptoir: progress could not be stored in this browser", err);
    }
  }

  function exportFile() {
    const blob = new Blob([record()], { type: "application/json" });
    const link = h("a", { href: URL.createObjectURL(blob), download: `${id}-${language}-progress.json` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 0);
  }

  function tools(context) {
    const { t } = context.i18n;
    const message = h("p", { class: "status", role: "status" });
    const input = h("input", { type: "file", accept: ".json,application/json", class: "sr-only", tabindex: "-1",
      "aria-hidden": "true" });
    input.addEventListener("change", async () => {
      const file = input.files[0];
      if (!file) return;
      let data = null;
      try {
        data = JSON.parse(await file.text());
      } catch (err) {
        data = null;
      }
      if (!data || data.format !== FORMAT || data.course !== id || data.language !== language || typeof data.state !== "string") {
        message.textContent = t("Ce fichier ne contient pas de progression pour ce cours.");
        return;
      }
      saved = { state: data.state, location: data.location || "" };
      write();
      window.location.reload(); // the player starts again from the imported state
    });
    return [h("h2", {}, t("Votre progression")),
      h("p", { class: "hint" }, t("Elle est enregistrée dans ce navigateur. Exportez-la pour la reprendre ailleurs.")),
      h("div", { class: "actions" }, button(t("Exporter la progression"), exportFile),
        button(t("Importer une progression"), () => input.click())),
      input, message];
  }

  return {
    start() {
      const stored = storage ? readJSON(storage, key) : null;
      if (stored && typeof stored.state === "string") saved = { state: stored.state, location: stored.location || "" };
      return { state: saved.state, location: saved.location, mode: "normal", notice };
    },
    save({ state, location }) {
      saved = { state, location };
      write();
    },
    commit() {},
    finish() {},
    tools,
  };
}
