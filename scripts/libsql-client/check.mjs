// check.mjs: drives the data plane of the fake Turso (turso-platform-fake) with the
// official libSQL TypeScript client, @libsql/client@0.18.0, the way an application on
// Turso does: it provisions databases and tokens through the Platform API (plain fetch),
// then runs SQL through `createClient` over Hrana-over-HTTP on each database's URL
// (`http://` + its Hostname). scripts/libsql-client.sh installs the pinned package and
// runs this against the binary:
//
//   BASE_URL=http://127.0.0.1:8080 TOKEN=... node check.mjs
//
// BASE_URL is the fake's `base_url` (with or without a trailing "/v1"); TOKEN its
// unrestricted platform API token. The fake must be freshly seeded (org `fake-org`,
// group `default`). Needs Node >= 18 and the exact package version installed next to
// this file (`npm install @libsql/client@0.18.0`).
//
// Checks, one line each (`<step>  ok` or `<step>  FAIL(<reason>)`, exit 1 on any FAIL):
//   provision           a fresh database, a read-write and a read-only token, a client each
//   value-types         integer (incl. int64 beyond 2^53, intMode "bigint"), float, text
//                       (non-ASCII), blob (Uint8Array and ArrayBuffer), null round-trip
//                       exactly, with the SQLite storage class each should have
//   read-only-refused   the read-only client's INSERT fails (HTTP 403), no row is added
//   batch-write         batch(..., "write") runs; a failing statement rolls back the batch
//   transaction-read    transaction("read") reads, and refuses a write
//   transaction-write   an interactive transaction("write") over several HTTP requests
//                       commits (invisible to others until then); a rollback leaves nothing
//   execute-multiple    executeMultiple runs a script of several statements
//   concurrent-writes   20 clients x 25 concurrent INSERTs: all 500 rows are there
//   token-rotation      after auth/rotate the old token gets HTTP 401, a new one works
//   cross-db-token      a token of database A on database B's URL gets HTTP 404
//   copy                a database seeded from another (seed type "database") has its rows
//   delete              after DELETE, a query on the deleted database's URL gets HTTP 404
//   usage               the database's usage reports rows_written > 0, storage_bytes > 0
//
// Every request goes through a recording fetch that refuses any host but 127.0.0.1, so
// the run is offline; a failure names the last HTTP exchange (status and body).

import { createClient, LibsqlError } from "@libsql/client";

const PKG_VERSION = "0.18.0";
const ORG = "fake-org";
const GROUP = "default";
// Databases this run creates; all follow Turso's name rule [a-z0-9-].
const DB_A = "libsql-check-a";
const DB_B = "libsql-check-b";
const DB_COPY = "libsql-check-copy";
const ALL_DBS = [DB_A, DB_B, DB_COPY];

const { BASE_URL, TOKEN } = process.env;
if (!BASE_URL || !TOKEN) {
  console.error("libsql-client-check: set BASE_URL and TOKEN");
  process.exit(2);
}
const apiRoot = BASE_URL.replace(/\/+$/, "").replace(/\/v1$/, "") + "/v1/";

// --- HTTP: every request recorded, only 127.0.0.1 ------------------------------------

const realFetch = globalThis.fetch;
/** Every HTTP exchange, in order: { client, method, url, body, status, answer }. */
const exchanges = [];

function offlineOnly(url) {
  const host = new URL(url).hostname;
  if (host !== "127.0.0.1") throw new Error(`libsql-client-check: blocked request to ${url}`);
}

/** The fetch given to every libSQL client: records each exchange, answers unchanged. */
async function recordingFetch(client, input, init) {
  const request = new Request(input, init);
  offlineOnly(request.url);
  const entry = {
    client,
    method: request.method,
    url: request.url,
    body: request.body ? await request.clone().text() : "",
    status: undefined,
    answer: undefined,
  };
  exchanges.push(entry);
  let response;
  try {
    response = await realFetch(request);
  } catch (err) {
    entry.status = `network error: ${err?.cause?.code ?? err?.message}`;
    throw err;
  }
  entry.status = response.status;
  if (!response.ok) entry.answer = await response.clone().text();
  return response;
}

/** A Platform API request (not recorded): { status, json, text }. */
async function api(method, path, body) {
  const url = new URL(path.replace(/^\//, ""), apiRoot);
  offlineOnly(url.href);
  const res = await realFetch(url, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, json, text };
}

const dbPath = (name) => `organizations/${ORG}/databases/${name}`;

/** Creates a database (optionally a copy of another); its Platform API answer. */
async function createDatabase(name, seedFrom) {
  const body = { name, group: GROUP };
  if (seedFrom) body.seed = { type: "database", name: seedFrom };
  const r = await api("POST", `organizations/${ORG}/databases`, body);
  must(r.status === 200 && r.json?.database?.Hostname, `create ${name}: ${r.status} ${clip(r.text)}`);
  return r.json.database;
}

/** The SQL URL of a database: `http://` + the Hostname GET answers. */
async function databaseUrl(name) {
  const r = await api("GET", dbPath(name));
  must(r.status === 200 && r.json?.database?.Hostname, `get ${name}: ${r.status} ${clip(r.text)}`);
  return `http://${r.json.database.Hostname}`;
}

/** Mints a database token (read-write unless readOnly). */
async function mintToken(name, readOnly = false) {
  const q = readOnly ? "?expiration=1h&authorization=read-only" : "?expiration=1h";
  const r = await api("POST", `${dbPath(name)}/auth/tokens${q}`);
  must(r.status === 200 && typeof r.json?.jwt === "string", `token for ${name}: ${r.status} ${clip(r.text)}`);
  return r.json.jwt;
}

const clients = [];
/** A client of `url` (integers as bigint); `label` tags its HTTP exchanges. */
function connect(url, authToken, label = "client") {
  const fetch = (input, init) => recordingFetch(label, input, init);
  const client = createClient({ url, authToken, intMode: "bigint", fetch });
  clients.push(client);
  return client;
}

// --- checks --------------------------------------------------------------------------

class Check extends Error {}
function must(cond, reason) { if (!cond) throw new Check(reason); }
const clip = (s, n = 200) => { s = String(s); return s.length > n ? s.slice(0, n - 3) + "..." : s; };
const show = (v) => clip(JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}n` : x)));
const describe = (err) =>
  err instanceof LibsqlError ? `LibsqlError ${err.code}: ${err.message}` : `${err?.name}: ${err?.message}`;

/** One exchange, for a failure reason. */
const exchangeText = (e) =>
  `${e.method} ${new URL(e.url).pathname} ${clip(e.body, 300)} -> ${e.status}${e.answer ? ` ${clip(e.answer, 300)}` : ""}`;

async function settle(promise) {
  try { return { ok: true, value: await promise }; } catch (err) { return { ok: false, err }; }
}

/**
 * The promise must fail with a LibsqlError after an HTTP answer with this status
 * (the last exchange made from `from` on). Returns the error.
 */
async function failsWithStatus(from, promise, status, what) {
  const r = await settle(promise);
  must(!r.ok, `${what}: expected an error (HTTP ${status}), it succeeded: ${show(r.value?.rows)}`);
  const made = exchanges.slice(from);
  const last = made[made.length - 1];
  must(last, `${what}: expected HTTP ${status}, no request was made (${describe(r.err)})`);
  must(last.status === status, `${what}: expected HTTP ${status}, got ${exchangeText(last)} (${describe(r.err)})`);
  must(r.err instanceof LibsqlError, `${what}: expected a LibsqlError, got ${describe(r.err)}`);
  return r.err;
}

/** The promise must fail with a LibsqlError (whatever the transport answered). */
async function failsWithLibsqlError(promise, what) {
  const r = await settle(promise);
  must(!r.ok, `${what}: expected an error, it succeeded: ${show(r.value?.rows)}`);
  must(r.err instanceof LibsqlError, `${what}: expected a LibsqlError, got ${describe(r.err)}`);
  return r.err;
}

async function count(client, table, where = "") {
  const rs = await client.execute(`SELECT count(*) AS n FROM ${table} ${where}`);
  return rs.rows[0].n;
}

const results = [];
const state = {};
async function step(name, fn) {
  const from = exchanges.length;
  let line;
  try {
    await fn(from);
    line = "ok";
  } catch (err) {
    let reason = err instanceof Check ? err.message : `unexpected ${describe(err)}`;
    const last = exchanges.slice(from).at(-1);
    if (!(err instanceof Check) && last) reason += `; last HTTP: ${exchangeText(last)}`;
    line = `FAIL(${reason})`;
  }
  results.push(line !== "ok");
  console.log(`${name.padEnd(20)}  ${line}`);
}

function needs(...keys) {
  for (const k of keys) must(state[k] !== undefined, `skipped: an earlier step did not set up ${k}`);
}

console.log(`@libsql/client ${PKG_VERSION} against ${apiRoot} (org ${ORG})`);

await step("provision", async () => {
  const db = await createDatabase(DB_A);
  must(db.Name === DB_A && db.DbId, `create answered ${show(db)}`);
  state.urlA = await databaseUrl(DB_A);
  must(state.urlA === `http://${db.Hostname}`, `GET Hostname ${state.urlA} differs from create's ${db.Hostname}`);
  state.rwToken = await mintToken(DB_A);
  state.roToken = await mintToken(DB_A, true);
  state.rw = connect(state.urlA, state.rwToken, "rw");
  state.ro = connect(state.urlA, state.roToken, "ro");
  const rs = await state.rw.execute("SELECT 1 AS one");
  must(rs.rows.length === 1 && rs.rows[0].one === 1n, `SELECT 1 answered ${show(rs.rows)}`);
  const ro = await state.ro.execute("SELECT 2 AS two");
  must(ro.rows[0]?.two === 2n, `read-only SELECT 2 answered ${show(ro.rows)}`);
});

await step("value-types", async () => {
  needs("rw");
  const c = state.rw;
  await c.execute("CREATE TABLE vals (k TEXT PRIMARY KEY, v ANY)");
  const blobBytes = Uint8Array.from([0, 1, 2, 127, 128, 254, 255, 0]);
  const bufBytes = Uint8Array.from([222, 173, 190, 239]);
  const cases = [
    ["int", 42n, "integer"],
    ["int-neg", -7n, "integer"],
    ["int-2^53+1", 9007199254740993n, "integer"],
    ["int-max", 9223372036854775807n, "integer"],
    ["int-min", -9223372036854775808n, "integer"],
    ["float", 3.141592653589793, "real"],
    ["float-tiny", 5e-324, "real"],
    ["float-huge", -1.7976931348623157e308, "real"],
    ["text", "héllo wörld ✓ 日本語 🚀 \u0000 end", "text"],
    ["text-empty", "", "text"],
    ["blob-u8", blobBytes, "blob"],
    ["blob-ab", bufBytes.buffer, "blob"],
    ["blob-empty", new Uint8Array(0), "blob"],
    ["null", null, "null"],
  ];
  for (const [k, v] of cases) {
    await c.execute({ sql: "INSERT INTO vals (k, v) VALUES (?, ?)", args: [k, v] });
  }
  // Named arguments too.
  await c.execute({ sql: "INSERT INTO vals (k, v) VALUES (:k, :v)", args: { k: "named", v: 12345678901234567n } });
  cases.push(["named", 12345678901234567n, "integer"]);

  const rs = await c.execute("SELECT k, v, typeof(v) AS t FROM vals ORDER BY rowid");
  must(rs.rows.length === cases.length, `read back ${rs.rows.length} rows, wrote ${cases.length}`);
  must(rs.columns.join() === "k,v,t", `columns ${show(rs.columns)}`);
  const bytes = (x) => (x instanceof ArrayBuffer ? new Uint8Array(x) : x);
  for (const [i, [k, v, t]] of cases.entries()) {
    const row = rs.rows[i];
    must(row.k === k && row[0] === k, `row ${i}: key ${show(row.k)}, expected ${k}`);
    must(row.t === t, `${k}: stored as ${row.t}, expected ${t}`);
    const got = row.v;
    if (t === "blob") {
      must(got instanceof ArrayBuffer, `${k}: read back ${Object.prototype.toString.call(got)}, expected an ArrayBuffer`);
      const want = bytes(v);
      const have = new Uint8Array(got);
      must(have.length === want.length && have.every((b, j) => b === want[j]),
        `${k}: read back [${[...have]}], expected [${[...want]}]`);
    } else {
      must(typeof got === typeof v && (got === v || (v === null && got === null)),
        `${k}: read back ${typeof got} ${show(got)}, expected ${typeof v} ${show(v)}`);
    }
  }
  // Integer arithmetic in SQL on the big value stays exact.
  const sum = await c.execute({ sql: "SELECT v + 1 AS s FROM vals WHERE k = ?", args: ["int-2^53+1"] });
  must(sum.rows[0].s === 9007199254740994n, `2^53+1 + 1 = ${show(sum.rows[0].s)}`);
});

await step("read-only-refused", async () => {
  needs("rw", "ro");
  await state.rw.execute("CREATE TABLE ro_probe (x INTEGER)");
  await state.rw.execute("INSERT INTO ro_probe VALUES (1)");
  const before = await count(state.rw, "ro_probe");
  const at = exchanges.length;
  await failsWithStatus(at, state.ro.execute("INSERT INTO ro_probe VALUES (2)"), 403, "read-only INSERT");
  const after = await count(state.rw, "ro_probe");
  must(after === before, `rows ${before} before, ${after} after the refused INSERT`);
  // And the read-only client still reads.
  must((await count(state.ro, "ro_probe")) === before, "the read-only client no longer reads");
});

await step("batch-write", async () => {
  needs("rw");
  const c = state.rw;
  const ok = await c.batch([
    "CREATE TABLE b (id INTEGER PRIMARY KEY, name TEXT UNIQUE)",
    { sql: "INSERT INTO b (name) VALUES (?)", args: ["one"] },
    { sql: "INSERT INTO b (name) VALUES (?)", args: ["two"] },
    "SELECT name FROM b ORDER BY id",
  ], "write");
  must(ok.length === 4, `batch answered ${ok.length} result sets, expected 4`);
  must(ok[1].rowsAffected === 1 && ok[2].lastInsertRowid === 2n, `inserts answered ${show([ok[1].rowsAffected, ok[2].lastInsertRowid])}`);
  must(show(ok[3].rows.map((r) => r.name)) === show(["one", "two"]), `select in batch answered ${show(ok[3].rows)}`);
  // Atomic: the third statement violates UNIQUE; the first two must not stay.
  const err = await failsWithLibsqlError(c.batch([
    { sql: "INSERT INTO b (name) VALUES (?)", args: ["three"] },
    { sql: "UPDATE b SET name = 'uno' WHERE name = 'one'" },
    { sql: "INSERT INTO b (name) VALUES (?)", args: ["two"] },
  ], "write"), "batch with a UNIQUE violation");
  must(/UNIQUE/i.test(err.message), `the failing batch's error is not the UNIQUE violation: ${describe(err)}`);
  const names = (await c.execute("SELECT name FROM b ORDER BY id")).rows.map((r) => r.name);
  must(show(names) === show(["one", "two"]), `after the failed batch the table holds ${show(names)}, expected ["one","two"]`);
});

await step("transaction-read", async () => {
  needs("rw");
  const tx = await state.rw.transaction("read");
  try {
    const rs = await tx.execute("SELECT count(*) AS n FROM b");
    must(rs.rows[0].n === 2n, `read in the transaction answered ${show(rs.rows)}`);
    await failsWithLibsqlError(tx.execute("INSERT INTO b (name) VALUES ('in-read-tx')"), "INSERT in a read transaction");
  } finally {
    tx.close();
  }
  const n = await count(state.rw, "b", "WHERE name = 'in-read-tx'");
  must(n === 0n, `the read transaction's INSERT left ${n} row(s)`);
});

await step("transaction-write", async () => {
  needs("rw", "ro");
  const c = state.rw;
  await c.execute("CREATE TABLE tx (id INTEGER PRIMARY KEY, v TEXT)");
  const start = exchanges.length;
  const tx = await c.transaction("write");
  try {
    await tx.execute({ sql: "INSERT INTO tx (v) VALUES (?)", args: ["first"] });
    const seen = await tx.execute("SELECT count(*) AS n FROM tx");
    must(seen.rows[0].n === 1n, `the transaction does not see its own row: ${show(seen.rows)}`);
    await tx.execute({ sql: "INSERT INTO tx (v) VALUES (?)", args: ["second"] });
    // Another connection does not see uncommitted rows.
    const outside = await count(state.ro, "tx");
    must(outside === 0n, `another client sees ${outside} uncommitted row(s)`);
    await tx.commit();
  } finally {
    tx.close();
  }
  // BEGIN + INSERT, SELECT, INSERT, COMMIT: several requests on one stream, each after
  // the first carrying the baton the previous answer gave.
  const own = exchanges.slice(start).filter((e) => e.client === "rw" && /\/pipeline$/.test(e.url));
  must(own.length >= 3, `the transaction took ${own.length} HTTP request(s), expected several`);
  const batons = own.slice(1).map((e) => JSON.parse(e.body).baton);
  must(batons.every((b) => typeof b === "string" && b), `requests after the first carry batons ${show(batons)}`);
  const rows = (await c.execute("SELECT v FROM tx ORDER BY id")).rows.map((r) => r.v);
  must(show(rows) === show(["first", "second"]), `after commit the table holds ${show(rows)}`);

  const tx2 = await c.transaction("write");
  try {
    await tx2.execute("INSERT INTO tx (v) VALUES ('rolled-back')");
    await tx2.execute("DELETE FROM tx WHERE v = 'first'");
    await tx2.rollback();
  } finally {
    tx2.close();
  }
  const after = (await c.execute("SELECT v FROM tx ORDER BY id")).rows.map((r) => r.v);
  must(show(after) === show(["first", "second"]), `after rollback the table holds ${show(after)}`);
});

await step("execute-multiple", async () => {
  needs("rw");
  await state.rw.executeMultiple(`
    CREATE TABLE m (x INTEGER);
    INSERT INTO m VALUES (1);
    INSERT INTO m VALUES (2);
    INSERT INTO m VALUES (3);
    UPDATE m SET x = x * 10 WHERE x = 3;
  `);
  const xs = (await state.rw.execute("SELECT x FROM m ORDER BY x")).rows.map((r) => r.x);
  must(show(xs) === show([1n, 2n, 30n]), `the script left ${show(xs)}`);
});

await step("concurrent-writes", async () => {
  needs("rw", "urlA", "rwToken");
  await state.rw.execute("CREATE TABLE conc (client INTEGER, n INTEGER, PRIMARY KEY (client, n))");
  const writers = Array.from({ length: 20 }, () => connect(state.urlA, state.rwToken));
  const outcomes = await Promise.allSettled(writers.flatMap((w, client) =>
    Array.from({ length: 25 }, (_, n) =>
      w.execute({ sql: "INSERT INTO conc (client, n) VALUES (?, ?)", args: [client, n] }))));
  const failed = outcomes.filter((o) => o.status === "rejected");
  for (const w of writers) w.close();
  const rs = await state.rw.execute("SELECT count(*) AS n, count(DISTINCT client) AS c, sum(n) AS s FROM conc");
  const { n, c, s } = rs.rows[0];
  state.concRows = n; // what later steps compare with, whatever this step found
  // A failed INSERT whose row is there all the same committed, and its answer was lost.
  const unanswered = n - BigInt(500 - failed.length);
  const lost = failed.length
    ? `; ${failed.length} of 500 INSERTs failed, e.g. ${describe(failed[0].reason)}${failed[0].reason?.cause ? ` (cause: ${failed[0].reason.cause.code ?? failed[0].reason.cause.message})` : ""}` +
      (unanswered > 0n ? `, ${unanswered} of them committed all the same` : "")
    : "";
  must(n === 500n && c === 20n && s === 20n * 300n && !failed.length,
    `the table holds ${n} rows from ${c} clients (sum of n ${s}), expected 500 from 20 (sum 6000)${lost}`);
});

await step("token-rotation", async () => {
  needs("urlA", "rwToken", "concRows");
  const r = await api("POST", `${dbPath(DB_A)}/auth/rotate`);
  must(r.status === 200, `auth/rotate answered ${r.status} ${clip(r.text)}`);
  const stale = connect(state.urlA, state.rwToken);
  await failsWithStatus(exchanges.length, stale.execute("SELECT 1"), 401, "query with the rotated token");
  // The client made before rotation fails the same way.
  if (state.rw) await failsWithStatus(exchanges.length, state.rw.execute("SELECT 1"), 401, "query of the earlier client");
  state.rwToken = await mintToken(DB_A);
  state.rw = connect(state.urlA, state.rwToken, "rw");
  const n = await count(state.rw, "conc");
  must(n === state.concRows, `the new token reads ${n} rows of conc, expected ${state.concRows} as before`);
});

await step("cross-db-token", async () => {
  needs("rwToken");
  await createDatabase(DB_B);
  state.urlB = await databaseUrl(DB_B);
  must(state.urlB !== state.urlA, `databases A and B share the URL ${state.urlB}`);
  const wrong = connect(state.urlB, state.rwToken);
  const err = await failsWithStatus(exchanges.length, wrong.execute("SELECT 1"), 404, "A's token on B's URL");
  must(/doesn't exist|not found/i.test(err.message), `the 404's error does not say the namespace is missing: ${describe(err)}`);
  // B's own token works there.
  const b = connect(state.urlB, await mintToken(DB_B));
  const rs = await b.execute("SELECT 1 AS one");
  must(rs.rows[0].one === 1n, `B's token on B's URL answered ${show(rs.rows)}`);
});

await step("copy", async () => {
  needs("rw", "concRows");
  await createDatabase(DB_COPY, DB_A);
  state.urlCopy = await databaseUrl(DB_COPY);
  must(state.urlCopy !== state.urlA, `the copy shares A's URL ${state.urlCopy}`);
  state.copyToken = await mintToken(DB_COPY);
  const copy = connect(state.urlCopy, state.copyToken);
  const src = await state.rw.execute("SELECT k, v FROM vals ORDER BY rowid");
  const dst = await copy.execute("SELECT k, v FROM vals ORDER BY rowid");
  const norm = (rows) => rows.map((r) => [r.k, r.v instanceof ArrayBuffer ? [...new Uint8Array(r.v)] : r.v]);
  must(show(norm(dst.rows)) === show(norm(src.rows)), `the copy's vals ${show(norm(dst.rows))} differ from the source's`);
  const n = await count(copy, "conc");
  must(n === state.concRows, `the copy holds ${n} rows of conc, the source ${state.concRows}`);
  // Independent: a write to the copy does not reach the source.
  await copy.execute("INSERT INTO m VALUES (99)");
  must((await count(state.rw, "m", "WHERE x = 99")) === 0n, "a write to the copy shows in the source");
});

await step("delete", async () => {
  needs("urlCopy", "copyToken");
  const r = await api("DELETE", dbPath(DB_COPY));
  must(r.status === 200, `DELETE answered ${r.status} ${clip(r.text)}`);
  const gone = await api("GET", dbPath(DB_COPY));
  must(gone.status === 404, `GET after DELETE answered ${gone.status} ${clip(gone.text)}`);
  const c = connect(state.urlCopy, state.copyToken);
  await failsWithStatus(exchanges.length, c.execute("SELECT count(*) FROM m"), 404, "query on the deleted database");
});

await step("usage", async () => {
  needs("urlA");
  const r = await api("GET", `${dbPath(DB_A)}/usage`);
  must(r.status === 200, `usage answered ${r.status} ${clip(r.text)}`);
  const u = r.json?.database?.usage;
  must(u && typeof u.rows_written === "number" && typeof u.storage_bytes === "number", `usage answered ${clip(r.text)}`);
  must(u.rows_written > 0, `rows_written is ${u.rows_written} after 500+ INSERTs`);
  must(u.storage_bytes > 0, `storage_bytes is ${u.storage_bytes}`);
  must(typeof u.rows_read !== "number" || u.rows_read > 0, `rows_read is ${u.rows_read} after many SELECTs`);
});

// Cleanup: close the clients, drop what this run created (best effort).
for (const c of clients) c.close();
for (const name of ALL_DBS) await api("DELETE", dbPath(name)).catch(() => {});

const failed = results.filter(Boolean).length;
console.log(failed ? `${failed} of ${results.length} steps FAILED` : `all ${results.length} steps ok`);
process.exit(failed ? 1 : 0);
