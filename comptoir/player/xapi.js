// A small xAPI client for the cmi5 transport: requests to the LMS's endpoint, client-made statement
// ids, strictly increasing timestamps, and an outbox kept in localStorage that is retried with
// exponential backoff, so that nothing is lost while the LRS is unreachable and nothing is stored
// twice once it answers again.
//
// Why not a library: the maintained ones (@xapi/xapi and @xapi/cmi5, TinCanJS, ADL's xAPIWrapper)
// are CommonJS or import bare package names (axios), which a browser cannot load without a build
// step, and the player has none (docs/player.md); @xapi/cmi5 with axios alone would take half of the
// player's 60 KB gzipped budget; and none of them keeps unsent statements across a page that is
// closed while offline, which is the part that matters here. What the AU needs of xAPI — PUT a
// statement by id, GET and PUT a State document — is a few lines of fetch().

export const XAPI_VERSION = "1.0.3";

/** A UUID v4: crypto.randomUUID where the page is a secure context, else the same from getRandomValues. */
export function uuid() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** ISO 8601 UTC timestamps that never repeat or go back within a page (cmi5 orders a session's
 *  statements by timestamp: "initialized" first, "terminated" last). */
export function clock(now = () => Date.now()) {
  let last = 0;
  return () => {
    last = Math.max(now(), last + 1);
    return new Date(last).toISOString();
  };
}

/** Requests to an xAPI endpoint with the cmi5 authorization token (HTTP Basic, cmi5 §8.2). */
export function lrsClient({ endpoint, token, fetchImpl = (...a) => globalThis.fetch(...a) }) {
  const base = endpoint.endsWith("/") ? endpoint : `${endpoint}/`;
  return function request(method, resource, { params = {}, body, keepalive = false } = {}) {
    const url = new URL(resource, base);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const headers = { "X-Experience-API-Version": XAPI_VERSION, Authorization: `Basic ${token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetchImpl(url.href, { method, headers, keepalive, cache: "no-store", credentials: "omit",
      body: body === undefined ? undefined : JSON.stringify(body) });
  };
}

/** What to do with an entry after the LRS answered `status`: "done", "retry" later, or "drop".
 *  409 to a PUT of a statement means the LRS already holds that id: an earlier try got through. */
export function verdict(status, isStatement) {
  if ((status >= 200 && status < 300) || (isStatement && status === 409)) return "done";
  if (status === 401 || status === 408 || status === 429 || status >= 500) return "retry";
  return "drop"; // 400, 403, 404, 413…: the LRS refuses this entry; sending it again cannot help
}

const EMPTY = () => ({ statements: [], state: null });

/**
 * The entries still to send, persisted under `key` in `storage` after every change:
 * statements in order, then the latest learner-state document (a newer one replaces an older).
 * `send(entry, {keepalive})` resolves to "done", "retry" or "drop" and rejects when the network
 * fails. A failed attempt waits base × 2^(failures−1) ms (± 20 %, at most `cap`) before the next;
 * flush() tries at once (after an answer, or when the browser is back online).
 */
export function outbox({ storage, key, send, base = 1000, cap = 60000, timers = globalThis,
  random = Math.random, onChange = () => {} }) {
  let data = EMPTY();
  try {
    const stored = JSON.parse(storage?.getItem(key) || "null");
    if (stored && Array.isArray(stored.statements)) data = { statements: stored.statements, state: stored.state ?? null };
  } catch (err) {
    console.warn("comptoir: the unsent xAPI records stored in this browser are unreadable", err);
  }
  let failures = 0;
  let timer = null;
  let running = null;

  const size = () => data.statements.length + (data.state ? 1 : 0);
  function persist() {
    try {
      if (size()) storage?.setItem(key, JSON.stringify(data));
      else storage?.removeItem(key);
    } catch (err) {
      console.warn("comptoir: unsent xAPI records could not be kept in this browser", err);
    }
    onChange(size());
  }
  const next = () => (data.statements.length ? { kind: "statement", body: data.statements[0] }
    : data.state ? { kind: "state", body: data.state } : null);

  function schedule() {
    const delay = Math.min(base * 2 ** (failures - 1), cap) * (0.8 + 0.4 * random());
    timers.clearTimeout(timer);
    timer = timers.setTimeout(() => { timer = null; flush(); }, delay);
  }

  async function drain() {
    timers.clearTimeout(timer);
    timer = null;
    for (let entry = next(); entry; entry = next()) {
      let outcome;
      try {
        outcome = await send(entry, { keepalive: false });
      } catch (err) {
        outcome = "retry"; // unreachable: no answer at all
      }
      if (outcome === "retry") {
        failures += 1;
        schedule();
        return false;
      }
      if (outcome === "drop") console.error(`comptoir: the LRS refused a ${entry.kind}; it is dropped`, entry.body);
      if (entry.kind === "statement") data.statements.shift();
      else if (data.state === entry.body) data.state = null; // a newer state saved meanwhile stays
      failures = 0;
      persist();
    }
    return true;
  }

  function flush() {
    if (!running) running = drain().finally(() => { running = null; });
    return running;
  }

  return {
    size,
    failures: () => failures,
    push(statement) {
      data.statements.push(statement);
      persist();
    },
    putState(doc) {
      data.state = doc;
      persist();
    },
    pendingState: () => data.state,
    flush,
    /** The page is going away: send everything at once with keepalive, keep it all stored (what
     *  got through is sent again at the next launch, and the LRS keeps one statement per id). */
    flushOnExit() {
      for (const body of data.statements) send({ kind: "statement", body }, { keepalive: true }).catch(() => {});
      if (data.state) send({ kind: "state", body: data.state }, { keepalive: true }).catch(() => {});
    },
  };
}
