"""The adaptive block's Studio editor: what an instructor sees and may change.

Settings (name, the competencies to work on, the mastery threshold, the weight in the grade), the
item bank the selection draws from (read-only: items are edited in the sources and re-imported),
and an import box for the course data when the block was added by hand rather than imported with
the course (the JSON text of the ``comptoir_adaptive`` element of a ``comptoir build --target olx``
archive). Every check is made before anything is stored: a refused form changes nothing.
"""
from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any, Mapping

from web_fragments.fragment import Fragment

from .content import ContentError, check, loads
from .handlers import RequestError

if TYPE_CHECKING:
    from .adaptive import AdaptiveBlock

WORDS = ("Nom affiché", "Compétences travaillées", "Aucune case cochée : toutes les compétences du cours.",
         "Seuil de maîtrise", "Vide : le seuil du cours ({threshold}).", "Pondération dans la note",
         "Banque de questions", "Question", "Type", "Leçon", "Compétences",
         "Importer un cours (texte JSON de l'élément comptoir_adaptive d'un export OLX)",
         "Enregistrer", "Annuler", "Ce bloc ne contient pas encore de cours.")


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def studio_fragment(block: "AdaptiveBlock") -> Fragment:
    t = block._
    data, _ = block.stored()
    competencies = data.get("competencies", [])
    selected = set(block.competencies) or {c["ref"] for c in competencies}
    lessons = {les["id"]: les["title"] for les in data.get("lessons", [])}
    codes = {c["ref"]: c["code"] for c in competencies}
    boxes = "".join(
        f'<li><label><input type="checkbox" name="competency" value="{_e(c["ref"])}"'
        f'{" checked" if c["ref"] in selected else ""}> <strong>{_e(c["code"])}</strong> {_e(c["title"])}</label></li>'
        for c in competencies)
    rows = "".join(
        f'<tr><td><code>{_e(item["id"])}</code></td><td>{_e(item["type"])}</td>'
        f'<td>{_e(lessons.get(item["lesson"], ""))}</td>'
        f'<td>{_e(" ".join(codes.get(ref, ref) for ref in item["competencies"]))}</td></tr>'
        for item in data.get("items", []))
    course_threshold = data.get("course", {}).get("threshold", "")
    threshold = "" if block.threshold is None else block.threshold
    heads = "".join(f"<th>{_e(t(word))}</th>" for word in ("Question", "Type", "Leçon", "Compétences"))
    bank = (f'<table class="comptoir-bank"><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>'
            if rows else f'<p>{_e(t("Ce bloc ne contient pas encore de cours."))}</p>')
    threshold_tip = t("Vide : le seuil du cours ({threshold}).").replace("{threshold}", str(course_threshold))
    import_label = t("Importer un cours (texte JSON de l'élément comptoir_adaptive d'un export OLX)")
    body = f"""<div class="comptoir-studio editor-with-buttons">
<div class="wrapper-comp-settings is-active"><ul class="list-input settings-list">
<li class="field"><label>{_e(t("Nom affiché"))}
 <input type="text" name="display_name" value="{_e(block.display_name)}"></label></li>
<li class="field"><fieldset><legend>{_e(t("Compétences travaillées"))}</legend>
<p class="tip">{_e(t("Aucune case cochée : toutes les compétences du cours."))}</p><ul>{boxes}</ul></fieldset></li>
<li class="field"><label>{_e(t("Seuil de maîtrise"))}
 <input type="number" name="threshold" min="0.5" max="0.99" step="0.01"
 value="{_e(threshold)}" placeholder="{_e(course_threshold)}"></label>
<span class="tip">{_e(threshold_tip)}</span></li>
<li class="field"><label>{_e(t("Pondération dans la note"))} <input type="number" name="weight" min="0" step="any"
 value="{_e(block.weight)}"></label></li>
<li class="field"><h3>{_e(t("Banque de questions"))}</h3>{bank}</li>
<li class="field"><label>{_e(import_label)}
<textarea name="data" rows="4"></textarea></label></li>
</ul></div>
<p class="comptoir-studio-error" role="alert"></p>
<div class="xblock-actions"><ul>
<li class="action-item"><a href="#" class="button action-primary save-button">{_e(t("Enregistrer"))}</a></li>
<li class="action-item"><a href="#" class="button cancel-button">{_e(t("Annuler"))}</a></li>
</ul></div></div>"""
    frag = Fragment(body)
    frag.add_css(_STUDIO_CSS)
    frag.add_javascript(_STUDIO_JS)
    frag.initialize_js("ComptoirAdaptiveStudio", {"url": block.runtime.handler_url(block, "studio_submit")})
    return frag


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        raise RequestError(400, "bad-setting", f"{name} must be a number from {low} to {high}")
    return float(value)


def apply_settings(block: "AdaptiveBlock", data: Mapping[str, Any]) -> None:
    """Check the whole form, then store it; RequestError(400) naming the first problem."""
    course, keys = block.stored()
    text = data.get("data") or ""
    if not isinstance(text, str):
        raise RequestError(400, "bad-setting", "data must be the JSON text of a comptoir_adaptive element")
    if text.strip():
        try:
            course, keys = loads(text)
        except ContentError as exc:
            raise RequestError(400, "bad-course", str(exc)) from exc
    elif course:
        check(course, keys)
    name = data.get("display_name", block.display_name)
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise RequestError(400, "bad-setting", "display_name must be a non-empty text of at most 255 characters")
    known = [c["ref"] for c in (course or {}).get("competencies", [])]
    chosen = data.get("competencies", list(block.competencies))
    if not isinstance(chosen, list) or not all(isinstance(r, str) and r in known for r in chosen):
        raise RequestError(400, "bad-setting", "competencies must be references of the course's competencies")
    threshold = data.get("threshold", block.threshold)
    threshold = None if threshold in (None, "") else _number(threshold, "threshold", 0.5, 0.99)
    weight = _number(data.get("weight", block.weight), "weight", 0, 1000)
    if text.strip():
        block.set_course(course, keys)
    block.display_name = name.strip()
    block.competencies = [ref for ref in known if ref in chosen and len(chosen) < len(known)]
    block.threshold, block.weight = threshold, weight


_STUDIO_CSS = """
.comptoir-studio ul { list-style: none; padding-left: 0; }
.comptoir-studio .field { margin: 0 0 1em; }
.comptoir-studio fieldset { border: 0; padding: 0; }
.comptoir-studio legend, .comptoir-studio h3 { font-weight: bold; }
.comptoir-studio .tip { color: #555; font-size: 0.9em; }
.comptoir-studio textarea { display: block; width: 100%; }
.comptoir-bank { border-collapse: collapse; font-size: 0.9em; }
.comptoir-bank th, .comptoir-bank td { border-bottom: 1px solid #ddd; padding: 0.2em 0.6em; text-align: left; }
.comptoir-studio-error { color: #b20610; }
"""

_STUDIO_JS = """
function ComptoirAdaptiveStudio(runtime, element, args) {
  var root = element && element.jquery ? element[0] : element;
  var error = root.querySelector(".comptoir-studio-error");
  function csrf() {
    var m = document.cookie.match(/(?:^|;\\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  root.querySelector(".cancel-button").addEventListener("click", function (e) {
    e.preventDefault();
    runtime.notify("cancel", {});
  });
  root.querySelector(".save-button").addEventListener("click", function (e) {
    e.preventDefault();
    var value = function (name) { return root.querySelector("[name=" + name + "]").value; };
    var body = {
      display_name: value("display_name"),
      competencies: Array.prototype.map.call(root.querySelectorAll("[name=competency]:checked"),
        function (box) { return box.value; }),
      threshold: value("threshold") === "" ? null : Number(value("threshold")),
      weight: Number(value("weight")),
      data: value("data")
    };
    runtime.notify("save", { state: "start" });
    fetch(args.url, { method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() } })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (res) {
        if (res.ok) { runtime.notify("save", { state: "end" }); return; }
        error.textContent = res.data.message || res.data.error;
        runtime.notify("error", { title: "comptoir", message: error.textContent });
      });
  });
}
"""
