"""The cmi5 AU's xAPI client under node (no browser, no network): the outbox keeps what the LRS has
not taken across page loads, retries with exponential backoff, treats a statement the LRS already
holds as sent, drops what the LRS refuses, keeps only the newest learner state; ids are UUID v4,
timestamps strictly increase; responses are written in the form the interaction definitions of
comptoir.xapi declare."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from comptoir.xapi import interaction
from tests.browser.harness import load_bundle
from tests.browser.learner import response_for

PLAYER = Path(__file__).resolve().parents[1] / "comptoir" / "player"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run the player's modules")

# A fake clock and timers, an in-memory localStorage and an LRS whose answers the test scripts.
HARNESS = """
import { outbox, verdict, uuid, clock } from "./xapi.js";
const log = [];
let time = 0;
const pending = [];
const timers = {
  setTimeout(fn, ms) { const t = { at: time + ms, fn, ms }; pending.push(t); return t; },
  clearTimeout(t) { const k = pending.indexOf(t); if (k >= 0) pending.splice(k, 1); },
};
async function tick() {  // run the earliest timer, as the browser would when its time comes
  pending.sort((a, b) => a.at - b.at);
  const t = pending.shift();
  time = t.at;
  await t.fn();
  await new Promise((r) => setTimeout(r, 0));
}
const storage = { data: {}, getItem(k) { return this.data[k] ?? null; }, setItem(k, v) { this.data[k] = String(v); },
  removeItem(k) { delete this.data[k]; } };
let answers = [];  // what the LRS says next: a status, or "down"
const sent = [];
async function send(entry, options) {
  sent.push([entry.kind, entry.kind === "statement" ? entry.body.id : entry.body.n, options.keepalive]);
  const next = answers.length ? answers.shift() : 204;
  if (next === "down") throw new TypeError("Failed to fetch");
  return verdict(next, entry.kind === "statement");
}
const make = () => outbox({ storage, key: "k", send, timers, random: () => 0.5 });
"""


def run(script: str) -> object:
    done = subprocess.run(["node", "--input-type=module", "-e", HARNESS + script], cwd=PLAYER, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def test_unreachable_lrs_backoff_doubles_and_nothing_is_lost():
    got = run("""
        const box = make();
        answers = ["down", "down", "down", "down"];
        for (const id of ["a", "b", "c"]) box.push({ id });
        box.putState({ n: 1 });
        await box.flush();                        // fails: 1st failure
        const delays = [];
        for (let k = 0; k < 3; k++) { delays.push(pending[0].ms); await tick(); }
        const stored = JSON.parse(storage.data.k);  // still all there, in order
        box.putState({ n: 2 });                     // a newer state replaces the older one
        delays.push(pending[0].ms);
        await tick();                               // the LRS is back: everything goes, in order
        console.log(JSON.stringify({ delays, stored: stored.statements.map((s) => s.id), state: stored.state,
          sent: sent.slice(4), left: storage.data.k ?? null, size: box.size(), failures: box.failures() }));""")
    assert got["delays"] == [1000, 2000, 4000, 8000]  # base × 2^(failures−1), jitter 0 at random() = 0.5
    assert got["stored"] == ["a", "b", "c"] and got["state"] == {"n": 1}
    assert got["sent"] == [["statement", "a", False], ["statement", "b", False], ["statement", "c", False],
                           ["state", 2, False]]
    assert got["left"] is None and got["size"] == 0 and got["failures"] == 0


def test_backoff_is_capped_and_jittered():
    got = run("""
        const box = outbox({ storage, key: "k", send, timers, random: () => 1, cap: 5000 });
        answers = Array(8).fill("down");
        box.push({ id: "a" });
        await box.flush();
        const delays = [];
        for (let k = 0; k < 5; k++) { delays.push(Math.round(pending[0].ms)); await tick(); }
        console.log(JSON.stringify(delays));""")
    assert got == [1200, 2400, 4800, 6000, 6000]  # +20 % at random() = 1, and never past cap × 1.2


def test_a_page_closed_offline_leaves_its_queue_to_the_next_one():
    got = run("""
        const first = make();
        answers = ["down", "down", "down"];
        first.push({ id: "a" });
        first.push({ id: "t" });
        first.putState({ n: 7 });
        first.flushOnExit();                      // pagehide: keepalive requests, all refused
        await new Promise((r) => setTimeout(r, 0));
        const second = make();                    // the next launch, a new page
        const before = second.size();
        answers = [];
        await second.flush();
        console.log(JSON.stringify({ before, sent, left: storage.data.k ?? null }));""")
    assert got["before"] == 3
    assert got["sent"][:3] == [["statement", "a", True], ["statement", "t", True], ["state", 7, True]]
    assert got["sent"][3:] == [["statement", "a", False], ["statement", "t", False], ["state", 7, False]]
    assert got["left"] is None


def test_what_the_lrs_holds_is_done_what_it_refuses_is_dropped_what_fails_is_kept():
    got = run("""
        const box = make();
        for (const id of ["dup", "bad", "busy"]) box.push({ id });
        answers = [409, 400, 503];
        const errors = [];
        console.error = (...a) => errors.push(String(a[0]));
        await box.flush();
        console.log(JSON.stringify({ left: JSON.parse(storage.data.k).statements.map((s) => s.id), errors,
          verdicts: [200, 204, 409, 400, 403, 404, 401, 408, 429, 500, 503].map((s) => verdict(s, true)),
          state409: verdict(409, false) }));""")
    assert got["left"] == ["busy"]
    assert len(got["errors"]) == 1 and "refused a statement" in got["errors"][0]
    assert got["verdicts"] == ["done", "done", "done", "drop", "drop", "drop", "retry", "retry", "retry", "retry",
                               "retry"]
    assert got["state409"] == "drop"


def test_ids_are_uuid_v4_and_timestamps_strictly_increase():
    got = run("""
        const ids = Array.from({ length: 200 }, uuid);
        const now = clock(() => 1767225600000);   // a frozen wall clock
        const stamps = [now(), now(), now()];
        const fallback = (() => { const real = globalThis.crypto.randomUUID;
          Object.defineProperty(globalThis.crypto, "randomUUID", { value: undefined, configurable: true });
          const id = uuid();
          Object.defineProperty(globalThis.crypto, "randomUUID", { value: real, configurable: true });
          return id; })();
        console.log(JSON.stringify({ ids, stamps, fallback }));""")
    pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    import re
    assert all(re.match(pattern, i) for i in got["ids"] + [got["fallback"]])
    assert len(set(got["ids"])) == 200
    assert got["stamps"] == ["2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.001Z", "2026-01-01T00:00:00.002Z"]


def test_right_responses_are_the_declared_correct_response_patterns():
    """formatResponse (JS) writes a right response exactly as comptoir.xapi.interaction (Python)
    declares the correct one, for every item type of the fixture."""
    items = [item for language in ("fr", "it") for item in load_bundle(language)["items"]]
    cases = []
    for item in items:
        right = response_for(item, True)
        if item["type"] == "numeric":
            right = item["key"]["answer"]  # the number the player's parser gives for the typed text
        cases.append({"type": item["type"], "response": right})
    got = run(f"""
        const {{ formatResponse }} = await import("./transport-cmi5.js");
        console.log(JSON.stringify({json.dumps(cases)}.map((c) => formatResponse(c.type, c.response))));""")
    checked = set()
    for item, response in zip(items, got):
        definition = interaction(item, "fr-CH")
        patterns = definition.get("correctResponsesPattern", [])
        kind = definition["interactionType"]
        if kind == "fill-in":
            assert any(p.split("}", 1)[1].lower() == response.strip().lower() for p in patterns), (item["id"], response)
        elif kind == "numeric":
            low, _, high = patterns[0].partition("[:]")
            assert float(low) <= float(response) <= float(high or low)
        else:
            assert response in patterns, (item["id"], response, patterns)
        checked.add(item["type"])
    assert checked == {"true-false", "single", "multiple", "fill-in", "numeric", "matching", "sequencing", "scenario"}
