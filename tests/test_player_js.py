"""Player helpers under node (no browser): objective ids equal the Python rule, time and number
formats are the ones SCORM and the learner's region expect."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from comptoir.identity import objective_id

PLAYER = Path(__file__).resolve().parents[1] / "comptoir" / "player"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run the player's modules")


def run(script: str) -> object:
    """Run an ES module snippet with the player's modules importable as ./x.js; return its JSON output."""
    done = subprocess.run(["node", "--input-type=module", "-e", script], cwd=PLAYER, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


REFS = ["ch-arc:b.1", "fr-accueil:T22.7", "be-occ:co01669", "x_y:é", "a b:c", "x" * 300]


def test_objective_ids_are_the_same_in_javascript_and_python():
    got = run(f"""import {{ objectiveId }} from "./scorm-api.js";
        console.log(JSON.stringify({json.dumps(REFS)}.map(objectiveId)));""")
    assert got == [objective_id(ref) for ref in REFS]


def test_scorm_time_and_decimal_formats():
    got = run("""import { timespan, duration, decimal } from "./scorm-api.js";
        const ms = [0, 1234, 61005, 3600000 * 2 + 60000 * 3 + 4560, 3600000 * 12000];
        console.log(JSON.stringify({ timespan: ms.map(timespan), duration: ms.map(duration),
          decimal: [decimal(0.123456, 4), decimal(87.5, 2), decimal(1e-9, 4), decimal(100, 2)] }));""")
    assert got["timespan"] == ["0000:00:00.00", "0000:00:01.23", "0000:01:01.01", "0002:03:04.56", "9999:00:00.00"]
    assert got["duration"] == ["PT0H0M0.00S", "PT0H0M1.23S", "PT0H1M1.01S", "PT2H3M4.56S", "PT12000H0M0.00S"]
    assert got["decimal"] == ["0.1235", "87.5", "0", "100"]


def test_numbers_typed_the_way_the_region_writes_them():
    got = run("""import { parseNumber } from "./text.js";
        const typed = ["12,5", "12.5", " 1 250 ", "1’250", "1'250.75", "-3", "−3", ",5", "abc", "1,2,3", ""];
        console.log(JSON.stringify(typed.map((t) => parseNumber(t) ?? null)));""")
    assert got == [12.5, 12.5, 1250, 1250, 1250.75, -3, -3, 0.5, None, None, None]


def test_words_plurals_and_percentages_follow_the_region():
    got = run("""import { makeI18n } from "./i18n.js";
        const it = makeI18n({ "Valider": "Verifica", "{n} minute de lecture": { one: "{n} minuto", other: "{n} minuti" } }, "it-CH", "it");
        const fr = makeI18n({}, "fr_CH", "fr");
        const france = makeI18n({}, "fr-FR", "fr");
        console.log(JSON.stringify([it.t("Valider"), it.t("Continuer"), it.plural(1, "{n} minute de lecture", "x"),
          it.plural(6, "{n} minute de lecture", "x"), it.percent(0.935), fr.percent(0.935),
          fr.plural(0, "{n} minute", "{n} minutes"), fr.plural(2, "{n} minute", "{n} minutes"),
          fr.t("« {title} »", { title: "b.1" }), fr.list(["a", "b", "c"]), fr.number(1250.5), france.percent(0.935)]));""")
    assert got[:4] == ["Verifica", "Continuer", "1 minuto", "6 minuti"]
    # The region decides, not the language: Swiss French writes 94%, French French 94 %.
    assert got[4] == "94%" and got[5] == "94%" and got[11] == "94\xa0%"
    assert got[6:10] == ["0 minute", "2 minutes", "« b.1 »", "a, b et c"]
    assert got[10].replace("\u202f", " ").replace("’", "'") in ("1'250.5", "1 250,5")
