// A line-oriented bridge from the Python tests to playwright-core: one JSON command per line on
// stdin, one JSON answer per line on stdout. Drives Debian's Chromium only (never downloads a
// browser); each launch gets a fresh temporary profile (Playwright passes --user-data-dir).
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import readline from "node:readline";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ARGS });
let context = null;
let page = null;
let events = [];
let exchanges = [];

function target(frame) {
  if (!frame) return page;
  const found = page.frame({ name: frame });
  if (!found) throw new Error(`no frame named ${frame}`);
  return found;
}

const ops = {
  async newPage({ width = 1280, height = 900 }) {
    if (context) await context.close();
    context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true });
    page = await context.newPage();
    events = [];
    exchanges = [];
    page.on("console", (m) => events.push({ kind: m.type(), text: m.text() }));
    // Every response with its request body and its own body (text), for tests that check what
    // crossed the network (the XBlock's: no item key before its answer).
    page.on("response", async (r) => {
      let body = null;
      try { body = await r.text(); } catch (err) { body = null; }
      exchanges.push({ url: r.url(), method: r.request().method(), status: r.status(),
        type: r.headers()["content-type"] || "", request: r.request().postData() || null, body });
    });
    page.on("pageerror", (e) => events.push({ kind: "pageerror", text: String(e) }));
    return true;
  },
  async goto({ url }) { await page.goto(url, { waitUntil: "load" }); return true; },
  async reload() { await page.reload({ waitUntil: "load" }); return true; },
  async eval({ fn, arg, frame }) { return target(frame).evaluate(eval(`(${fn})`), arg); },
  async waitFor({ selector, frame, state = "visible" }) {
    await target(frame).locator(selector).first().waitFor({ state, timeout: 10000 });
    return true;
  },
  async press({ key }) { await page.keyboard.press(key); return true; },
  async type({ text }) { await page.keyboard.type(text); return true; },
  async click({ selector, frame }) { await target(frame).locator(selector).first().click(); return true; },
  async fill({ selector, value, frame }) { await target(frame).locator(selector).first().fill(value); return true; },
  async select({ selector, value, frame }) { await target(frame).locator(selector).first().selectOption(value); return true; },
  async setFiles({ selector, path, frame }) { await target(frame).locator(selector).first().setInputFiles(path); return true; },
  async download({ selector, frame }) {
    const [download] = await Promise.all([page.waitForEvent("download"), target(frame).locator(selector).first().click()]);
    return readFileSync(await download.path(), "utf8");
  },
  async axe({ frame }) {
    const where = target(frame);
    await where.addScriptTag({ content: AXE });
    return where.evaluate(async () => {
      const result = await window.axe.run(document, { resultTypes: ["violations"] });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.map((n) => n.target.join(" ")) }));
    });
  },
  async events() { const out = events; events = []; return out; },
  async network() { const out = exchanges; exchanges = []; return out; },
  async close() { await browser.close(); process.exit(0); },
};

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const { op, ...args } = JSON.parse(line);
  let answer;
  try {
    answer = { ok: true, value: (await ops[op](args)) ?? null };
  } catch (err) {
    answer = { ok: false, error: String(err && err.stack || err) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
await browser.close();
