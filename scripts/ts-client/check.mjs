// check.mjs: runs every public method of Turso's TypeScript client
// @tursodatabase/api@2.0.5 (34 of them) against the fake Turso (turso-platform-fake).
// scripts/ts-client.sh installs the pinned package and runs this against the binary:
//
//   BASE_URL=http://127.0.0.1:8080 TOKEN=... node check.mjs
//
// BASE_URL is the fake's `base_url` (with or without a trailing "/v1"); TOKEN its
// unrestricted platform API token. The fake must be freshly seeded: user `fake-user`
// owning `fake-org`, group `default`, database `fake-db`. Needs Node >= 18 and the exact
// package version installed next to this file (`npm install @tursodatabase/api@2.0.5`).
//
// Prints one line per method: `ok`, `known-bug(<name>)` (the call fails exactly as the
// client's bug makes it fail), `known-gap(<name>)` (a real Turso route outside the spec
// the fake serves), or `FAIL(<reason>)`. Exits 1 on any FAIL, including a known bug that
// no longer shows ("client bug fixed?"): someone must look and update this script.
//
// Optional: UNROUTED_BODY=json|text pins how the server answers a request to a route it
// does not serve (404/405): with the JSON `{"error": ...}` body (TursoClientError) or a
// non-JSON body (plain Error "Something went wrong! Status N"). Unset, either is accepted.

import { createClient } from "@tursodatabase/api";

const PKG_VERSION = "2.0.5";
const ORG = "fake-org";
const GROUP = "default";
const DB = "fake-db";
const USER = "fake-user";
// Names this run creates; all follow Turso's name rule [a-z0-9-].
const TMP_TOKEN = "ts-check-token";
const TMP_GROUP = "ts-check-group";
const TMP_DB = "ts-check-db";
const TMP_EMAIL = "ts-check@example.com";
const NOT_A_MEMBER = "ts-check-nobody";
const PRIMARY = "aws-eu-west-1";
const REPLICA = "aws-us-west-2";

const { BASE_URL, TOKEN, UNROUTED_BODY } = process.env;
if (!BASE_URL || !TOKEN) {
  console.error("ts-api-check: set BASE_URL and TOKEN");
  process.exit(2);
}
if (UNROUTED_BODY && !["json", "text"].includes(UNROUTED_BODY)) {
  console.error("ts-api-check: UNROUTED_BODY must be json or text");
  process.exit(2);
}

// The client resolves every path with `new URL(path, baseUrl)`: baseUrl must end in
// "/v1/" (trailing slash included), or "/v1" is dropped from every request.
const origin = new URL(BASE_URL).origin;
const apiRoot = BASE_URL.replace(/\/+$/, "").replace(/\/v1$/, "") + "/v1/";

// Every request the client makes goes through this recorder. Requests anywhere but the
// fake are blocked, so the run is offline and deterministic (locations.closest).
const requests = [];
const realFetch = globalThis.fetch;
// A path to send elsewhere, once: how a probe sees a bug hidden behind another.
let redirect;
globalThis.fetch = async (input, init = {}) => {
  let url = new URL(input instanceof Request ? input.url : String(input));
  const headers = new Headers(init.headers ?? {});
  requests.push({
    method: (init.method ?? "GET").toUpperCase(),
    url: url.href,
    path: url.pathname,
    search: url.search,
    authorization: headers.get("authorization"),
    contentType: headers.get("content-type"),
    body: typeof init.body === "string" ? init.body : init.body == null ? null : "<non-string>",
  });
  if (url.origin !== origin) {
    throw new Error(`ts-api-check: blocked request to ${url.href}`);
  }
  if (redirect && url.pathname === redirect.from) {
    url = new URL(redirect.to + url.search, origin);
    redirect = undefined;
    return realFetch(url, init);
  }
  return realFetch(input, init);
};

const turso = createClient({ org: ORG, token: TOKEN, baseUrl: apiRoot });

// Raw requests for setup and cross-checks, not recorded.
async function raw(method, path, body) {
  const res = await realFetch(new URL(path.replace(/^\//, ""), apiRoot), {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, json, text };
}

// --- checks -----------------------------------------------------------------------

class Check extends Error {}
function must(cond, reason) { if (!cond) throw new Check(reason); }
const show = (v) => { const s = JSON.stringify(v); return s && s.length > 160 ? s.slice(0, 157) + "..." : s; };

async function settle(promise) {
  try { return { ok: true, value: await promise }; } catch (err) { return { ok: false, err }; }
}

/** The request the step made: exactly one, with this method and path. */
function sent(from, method, path) {
  const made = requests.slice(from);
  must(made.length === 1, `expected 1 request, the client made ${made.length}: ${show(made.map((r) => `${r.method} ${r.url}`))}`);
  const r = made[0];
  must(r.method === method && r.path === path, `expected ${method} ${path}, sent ${r.method} ${r.path}`);
  return r;
}

/** The error a JSON error body gives: TursoClientError (not exported at runtime: by name) with this status. */
function apiError(err, status) {
  must(err?.name === "TursoClientError", `expected TursoClientError ${status}, got ${err?.name}: ${err?.message}`);
  must(err.status === status, `expected status ${status}, got ${err.status} (${err.message})`);
  return err.message;
}

/** The error of a request to a route the server does not serve: 404 or 405. */
function unrouted(err) {
  const text = /^Something went wrong! Status (404|405)$/.exec(err?.message ?? "");
  if (err?.name === "Error" && text) {
    must(UNROUTED_BODY !== "json", `expected a JSON error body, got non-JSON (${err.message})`);
    return `${text[1]}, non-JSON body`;
  }
  must(err?.name === "TursoClientError" && (err.status === 404 || err.status === 405),
    `expected 404/405 for an unserved route, got ${err?.name}: ${err?.message} (status ${err?.status})`);
  must(UNROUTED_BODY !== "text", `expected a non-JSON body, got JSON (${err.message})`);
  return `${err.status}, ${show(err.message)}`;
}

/** The error of response.json() on the empty 200 body the API answers. */
function emptyBodyParse(err) {
  must(err instanceof SyntaxError && /end of JSON input/i.test(err.message),
    `expected SyntaxError "Unexpected end of JSON input", got ${err?.name}: ${err?.message}`);
}

const results = [];
const probes = [];
const state = {};

/** Runs one method's check. `fn(from)` returns "ok" or { bug | gap: name, detail }. */
async function step(method, fn, into = results) {
  const from = requests.length;
  let line;
  try {
    const r = await fn(from);
    if (r === "ok" || r === undefined) line = "ok";
    else if (r.bug) line = `known-bug(${r.bug})${r.detail ? ` ${r.detail}` : ""}`;
    else if (r.gap) line = `known-gap(${r.gap})${r.detail ? ` ${r.detail}` : ""}`;
  } catch (err) {
    const reason = err instanceof Check ? err.message : `unexpected ${err?.name}: ${err?.message}`;
    line = `FAIL(${reason})`;
  }
  into.push(line.startsWith("FAIL"));
  console.log(`${method.padEnd(28)} ${line}`);
}

/** A known bug that shows as an error: the call must fail, and `check(err)` must hold. */
async function failsWith(name, promise, check) {
  const r = await settle(promise);
  must(!r.ok, `client bug fixed? ${name}: the call succeeded with ${show(r.value)}`);
  if (r.err instanceof Check) throw r.err;
  const detail = check(r.err);
  return { bug: name, detail: typeof detail === "string" ? detail : undefined };
}

// --- the run ----------------------------------------------------------------------

console.log(`@tursodatabase/api ${PKG_VERSION} against ${apiRoot} (org ${ORG})`);

// apiTokens (4) ------------------------------------------------------------------

await step("apiTokens.list", async (from) => {
  const list = await turso.apiTokens.list();
  sent(from, "GET", "/v1/auth/api-tokens");
  must(Array.isArray(list) && list.length >= 1, `expected the seeded token, got ${show(list)}`);
  must(list.every((t) => typeof t.id === "string" && typeof t.name === "string"), `tokens without id/name: ${show(list)}`);
});

await step("apiTokens.create", async (from) => {
  const created = await turso.apiTokens.create(TMP_TOKEN);
  const r = sent(from, "POST", `/v1/auth/api-tokens/${TMP_TOKEN}`);
  // It declares a JSON content type and sends no body: an unrestricted token.
  must(r.body === null, `expected no body, sent ${show(r.body)}`);
  must(created?.name === TMP_TOKEN && typeof created.id === "string" && typeof created.token === "string" && created.token.length > 0,
    `expected {id, name: ${TMP_TOKEN}, token}, got ${show(created)}`);
  state.apiToken = created;
});

await step("apiTokens.validate", async (from) => {
  must(state.apiToken, "needs apiTokens.create");
  // Bugs: path auth/api-tokens/validate (the API's is /v1/auth/validate); the token
  // argument is overwritten by the client's own token; exp -1 would read as invalid.
  return failsWith("validate-wrong-path", turso.apiTokens.validate(state.apiToken.token), (err) => {
    const r = sent(from, "GET", "/v1/auth/api-tokens/validate");
    must(r.authorization === `Bearer ${TOKEN}`, `expected the client's own token in Authorization (argument ignored), sent ${show(r.authorization)}`);
    return `(${unrouted(err)}; argument token not sent)`;
  });
});

await step("apiTokens.revoke", async (from) => {
  must(state.apiToken, "needs apiTokens.create");
  const revoked = await turso.apiTokens.revoke(TMP_TOKEN);
  sent(from, "DELETE", `/v1/auth/api-tokens/${TMP_TOKEN}`);
  must(revoked?.token === TMP_TOKEN, `expected {token: ${TMP_TOKEN}}, got ${show(revoked)}`);
  state.apiToken = undefined;
});

// organizations (10; delete last) ---------------------------------------------------

await step("organizations.list", async (from) => {
  const direct = await raw("GET", "organizations");
  must(direct.status === 200 && Array.isArray(direct.json) && direct.json.some((o) => o.slug === ORG),
    `GET /v1/organizations should answer a bare array with ${ORG}: ${direct.status} ${show(direct.json)}`);
  const list = await turso.organizations.list();
  sent(from, "GET", "/v1/organizations");
  // Bug: reads `.organizations` of what the API answers as a bare array.
  must(!(Array.isArray(list) && list.some((o) => o.slug === ORG)), `client bug fixed? organizations-list-bare-array: got ${show(list)}`);
  must(Array.isArray(list) && list.length === 0, `expected [] (the bug), got ${show(list)}`);
  return { bug: "organizations-list-bare-array", detail: `(returned [] for ${direct.json.length} organizations)` };
});

await step("organizations.update", async (from) => {
  const org = await turso.organizations.update({ overages: true });
  const r = sent(from, "PATCH", `/v1/organizations/${ORG}`);
  must(r.body === '{"overages":true}', `expected body {"overages":true}, sent ${show(r.body)}`);
  // No content-type header is set: fetch sends text/plain;charset=UTF-8.
  must(org?.slug === ORG && org.overages === true, `expected ${ORG} with overages true, got ${show(org)}`);
});

await step("organizations.members", async (from) => {
  const members = await turso.organizations.members();
  sent(from, "GET", `/v1/organizations/${ORG}/members`);
  must(Array.isArray(members) && members.some((m) => m.username === USER && m.role === "owner"),
    `expected ${USER} as owner, got ${show(members)}`);
});

await step("organizations.addMember", async (from) => {
  // Bugs: POST .../members/{username} (the API's is POST .../members) with body
  // {member, role} (the API reads {username, role}).
  return failsWith("addMember-wrong-path-and-body", turso.organizations.addMember(NOT_A_MEMBER, "member"), (err) => {
    const r = sent(from, "POST", `/v1/organizations/${ORG}/members/${NOT_A_MEMBER}`);
    must(r.body === JSON.stringify({ member: NOT_A_MEMBER, role: "member" }), `unexpected body ${show(r.body)}`);
    return `(${unrouted(err)})`;
  });
});

await step("organizations.removeMember", async (from) => {
  // No second member can exist (addMember is broken, the fake seeds one user): the
  // right request for a non-member answers 404 with the API's error.
  const r = await settle(turso.organizations.removeMember(NOT_A_MEMBER));
  sent(from, "DELETE", `/v1/organizations/${ORG}/members/${NOT_A_MEMBER}`);
  must(!r.ok, `removing a non-member succeeded: ${show(r.value)}`);
  apiError(r.err, 404);
});

await step("organizations.inviteUser", async (from) => {
  const invited = await turso.organizations.inviteUser(TMP_EMAIL, "member");
  const r = sent(from, "POST", `/v2/organizations/${ORG}/invites`);
  must(r.body === JSON.stringify({ email: TMP_EMAIL, role: "member" }), `unexpected body ${show(r.body)}`);
  must(invited?.email === TMP_EMAIL && invited.role === "member" && invited.organization === ORG,
    `expected {email, role: member, organization: ${ORG}}, got ${show(invited)}`);
  state.invited = true;
});

await step("organizations.listInvites", async (from) => {
  const invites = await turso.organizations.listInvites();
  sent(from, "GET", `/v2/organizations/${ORG}/invites`);
  must(Array.isArray(invites), `expected an array, got ${show(invites)}`);
  if (state.invited) must(invites.some((i) => i.email === TMP_EMAIL), `expected the invite of ${TMP_EMAIL}, got ${show(invites)}`);
});

await step("organizations.deleteInvite", async (from) => {
  must(state.invited, "needs organizations.inviteUser");
  // Bug: response.json() on the empty 200 body the API answers.
  const outcome = await failsWith("deleteInvite-parses-empty-body", turso.organizations.deleteInvite(TMP_EMAIL), (err) => {
    sent(from, "DELETE", `/v2/organizations/${ORG}/invites/${TMP_EMAIL}`);
    emptyBodyParse(err);
  });
  // The invite is withdrawn all the same.
  const after = await raw("GET", `../v2/organizations/${ORG}/invites`);
  must(after.status === 200 && !(after.json?.invites ?? []).some((i) => i.email === TMP_EMAIL), `the invite is still there: ${show(after.json)}`);
  state.invited = false;
  return { ...outcome, detail: "(SyntaxError; invite withdrawn)" };
});

await step("organizations.invoices", async (from) => {
  const invoices = await turso.organizations.invoices();
  sent(from, "GET", `/v1/organizations/${ORG}/invoices`);
  must(Array.isArray(invoices), `expected an array, got ${show(invoices)}`);
  must(invoices.every((i) => typeof i.invoice_number === "string"), `invoices without invoice_number: ${show(invoices)}`);
});

// locations (2) --------------------------------------------------------------------

await step("locations.list", async (from) => {
  const locations = await turso.locations.list();
  sent(from, "GET", "/v1/locations");
  must(Array.isArray(locations) && locations.length > 0, `expected locations, got ${show(locations)}`);
  must(locations.every((l) => typeof l.code === "string" && typeof l.description === "string"), `expected {code, description}: ${show(locations)}`);
  for (const code of [PRIMARY, REPLICA]) must(locations.some((l) => l.code === code), `no location ${code}`);
});

await step("locations.closest", async (from) => {
  // Bug: fetches the hard-coded https://region.turso.io/, ignoring baseUrl (and sends
  // no token). The recorder blocks it, so this never leaves the machine.
  return failsWith("closest-ignores-baseUrl", turso.locations.closest(), (err) => {
    const made = requests.slice(from);
    must(made.length === 1 && made[0].url === "https://region.turso.io/", `expected GET https://region.turso.io/, made ${show(made.map((r) => r.url))}`);
    must(/^ts-api-check: blocked request/.test(err?.message ?? ""), `unexpected error ${err?.name}: ${err?.message}`);
  });
});

// groups (8) -----------------------------------------------------------------------

await step("groups.list", async (from) => {
  const groups = await turso.groups.list();
  sent(from, "GET", `/v1/organizations/${ORG}/groups`);
  must(Array.isArray(groups) && groups.some((g) => g.name === GROUP), `expected ${GROUP}, got ${show(groups)}`);
});

await step("groups.get", async (from) => {
  const group = await turso.groups.get(GROUP);
  sent(from, "GET", `/v1/organizations/${ORG}/groups/${GROUP}`);
  must(group?.name === GROUP && typeof group.primary === "string", `expected ${GROUP} with a primary, got ${show(group)}`);
});

await step("groups.create", async (from) => {
  const group = await turso.groups.create(TMP_GROUP, PRIMARY);
  const r = sent(from, "POST", `/v1/organizations/${ORG}/groups`);
  must(r.body === JSON.stringify({ name: TMP_GROUP, location: PRIMARY }), `unexpected body ${show(r.body)}`);
  must(group?.name === TMP_GROUP && group.primary === PRIMARY, `expected ${TMP_GROUP} in ${PRIMARY}, got ${show(group)}`);
  state.group = true;
});

await step("groups.addLocation", async (from) => {
  must(state.group, "needs groups.create");
  const group = await turso.groups.addLocation(TMP_GROUP, REPLICA);
  sent(from, "POST", `/v1/organizations/${ORG}/groups/${TMP_GROUP}/locations/${REPLICA}`);
  must(group?.name === TMP_GROUP && group.locations?.includes(REPLICA), `expected ${REPLICA} in the locations, got ${show(group)}`);
});

await step("groups.removeLocation", async (from) => {
  must(state.group, "needs groups.create");
  const group = await turso.groups.removeLocation(TMP_GROUP, REPLICA);
  sent(from, "DELETE", `/v1/organizations/${ORG}/groups/${TMP_GROUP}/locations/${REPLICA}`);
  must(group?.name === TMP_GROUP && !group.locations?.includes(REPLICA), `expected ${REPLICA} gone, got ${show(group)}`);
});

await step("groups.createToken", async (from) => {
  must(state.group, "needs groups.create");
  // Bug: always sends {"permissions":{"read_attach":{"databases":[]}}}, which the API
  // refuses (400): read_attach needs at least one database.
  return failsWith("createToken-empty-permissions", turso.groups.createToken(TMP_GROUP, { expiration: "1h", authorization: "read-only" }), (err) => {
    const r = sent(from, "POST", `/v1/organizations/${ORG}/groups/${TMP_GROUP}/auth/tokens`);
    must(r.search === "?expiration=1h&authorization=read-only", `unexpected query ${show(r.search)}`);
    must(r.body === '{"permissions":{"read_attach":{"databases":[]}}}', `unexpected body ${show(r.body)}`);
    return `(400, ${show(apiError(err, 400))})`;
  });
});

await step("groups.rotateTokens", async (from) => {
  must(state.group, "needs groups.create");
  // Bug: response.json() on the empty 200 body the API answers.
  return failsWith("rotateTokens-parses-empty-body", turso.groups.rotateTokens(TMP_GROUP), (err) => {
    sent(from, "POST", `/v1/organizations/${ORG}/groups/${TMP_GROUP}/auth/rotate`);
    emptyBodyParse(err);
  });
});

// groups.delete runs after the databases checks, which use the group.

// databases (10) -------------------------------------------------------------------

await step("databases.list", async (from) => {
  const all = await turso.databases.list();
  sent(from, "GET", `/v1/organizations/${ORG}/databases`);
  must(Array.isArray(all) && all.some((d) => d.name === DB && typeof d.id === "string" && typeof d.hostname === "string"),
    `expected ${DB} with id and hostname, got ${show(all)}`);
  const from2 = requests.length;
  const inGroup = await turso.databases.list({ group: GROUP });
  const r = sent(from2, "GET", `/v1/organizations/${ORG}/databases`);
  must(r.search === `?group=${GROUP}`, `unexpected query ${show(r.search)}`);
  must(inGroup.length > 0 && inGroup.every((d) => d.group === GROUP), `expected only group ${GROUP}, got ${show(inGroup)}`);
});

await step("databases.get", async (from) => {
  const db = await turso.databases.get(DB);
  sent(from, "GET", `/v1/organizations/${ORG}/databases/${DB}`);
  must(db?.name === DB && typeof db.id === "string" && typeof db.hostname === "string" && db.group === GROUP,
    `expected ${DB} in ${GROUP}, got ${show(db)}`);
});

await step("databases.create", async (from) => {
  must(state.group, "needs groups.create");
  const db = await turso.databases.create(TMP_DB, { group: TMP_GROUP });
  const r = sent(from, "POST", `/v1/organizations/${ORG}/databases`);
  must(r.body === JSON.stringify({ name: TMP_DB, group: TMP_GROUP }), `unexpected body ${show(r.body)}`);
  must(db?.name === TMP_DB && typeof db.id === "string" && typeof db.hostname === "string", `expected {id, hostname, name: ${TMP_DB}}, got ${show(db)}`);
  state.db = db;
});

await step("databases.listInstances", async (from) => {
  must(state.db, "needs databases.create");
  const instances = await turso.databases.listInstances(TMP_DB);
  sent(from, "GET", `/v1/organizations/${ORG}/databases/${TMP_DB}/instances`);
  must(Array.isArray(instances) && instances.length > 0, `expected instances, got ${show(instances)}`);
  must(instances.every((i) => ["uuid", "name", "type", "region", "hostname"].every((k) => typeof i[k] === "string")), `incomplete instances: ${show(instances)}`);
  state.instance = instances[0];
});

await step("databases.getInstance", async (from) => {
  must(state.instance, "needs databases.listInstances");
  const instance = await turso.databases.getInstance(TMP_DB, state.instance.name);
  sent(from, "GET", `/v1/organizations/${ORG}/databases/${TMP_DB}/instances/${state.instance.name}`);
  must(instance?.uuid === state.instance.uuid, `expected instance ${state.instance.uuid}, got ${show(instance)}`);
});

await step("databases.usage", async (from) => {
  must(state.db, "needs databases.create");
  const to = new Date();
  const fromDate = new Date(to.getTime() - 24 * 3600 * 1000);
  const usage = await turso.databases.usage(TMP_DB, { from: fromDate, to });
  const r = sent(from, "GET", `/v1/organizations/${ORG}/databases/${TMP_DB}/usage`);
  const q = new URLSearchParams(r.search);
  must(q.get("from") === fromDate.toISOString() && q.get("to") === to.toISOString(), `unexpected query ${show(r.search)}`);
  // The client returns `.database` as is; the API calls the totals `total` (the client's
  // type says `usage`).
  must(usage && typeof usage === "object", `expected the usage object, got ${show(usage)}`);
  if (usage.uuid !== undefined) must(usage.uuid === state.db.id, `expected uuid ${state.db.id}, got ${show(usage)}`);
});

await step("databases.createToken", async (from) => {
  must(state.db, "needs databases.create");
  return failsWith("createToken-empty-permissions", turso.databases.createToken(TMP_DB, { expiration: "1h", authorization: "read-only" }), (err) => {
    const r = sent(from, "POST", `/v1/organizations/${ORG}/databases/${TMP_DB}/auth/tokens`);
    must(r.search === "?expiration=1h&authorization=read-only", `unexpected query ${show(r.search)}`);
    must(r.body === '{"permissions":{"read_attach":{"databases":[]}}}', `unexpected body ${show(r.body)}`);
    return `(400, ${show(apiError(err, 400))})`;
  });
});

await step("databases.rotateTokens", async (from) => {
  must(state.db, "needs databases.create");
  return failsWith("rotateTokens-parses-empty-body", turso.databases.rotateTokens(TMP_DB), (err) => {
    sent(from, "POST", `/v1/organizations/${ORG}/databases/${TMP_DB}/auth/rotate`);
    emptyBodyParse(err);
  });
});

await step("databases.updateVersion", async (from) => {
  must(state.db, "needs databases.create");
  // POST .../databases/{db}/update (older CLIs' `db update`, outside Turso's spec) answers
  // 200 with no body, as the API's other updates do; the client parses it as JSON.
  return failsWith("updateVersion-parses-empty-body", turso.databases.updateVersion(TMP_DB), (err) => {
    sent(from, "POST", `/v1/organizations/${ORG}/databases/${TMP_DB}/update`);
    emptyBodyParse(err);
  });
});

await step("databases.delete", async (from) => {
  must(state.db, "needs databases.create");
  const deleted = await turso.databases.delete(TMP_DB);
  sent(from, "DELETE", `/v1/organizations/${ORG}/databases/${TMP_DB}`);
  must(deleted?.database === TMP_DB, `expected {database: ${TMP_DB}}, got ${show(deleted)}`);
  state.db = undefined;
});

await step("groups.delete", async (from) => {
  must(state.group, "needs groups.create");
  const group = await turso.groups.delete(TMP_GROUP);
  sent(from, "DELETE", `/v1/organizations/${ORG}/groups/${TMP_GROUP}`);
  must(group?.name === TMP_GROUP, `expected ${TMP_GROUP}, got ${show(group)}`);
  state.group = false;
});

// Probes: bugs one method hides behind another, or shows only for some input. Each is a
// call of its own, before the last method; they count apart.

await step("probe: validate's answer", async (from) => {
  // Were validate's path right, a never-expiring token (`exp: -1`) would read as
  // invalid: the client computes `valid` as `exp !== -1 && exp > now`. The path is put
  // right here, for this one call, to see it.
  const direct = await raw("GET", "auth/validate");
  must(direct.status === 200 && direct.json?.exp === -1, `expected {exp: -1} for the seeded token, got ${direct.status} ${direct.text}`);
  redirect = { from: "/v1/auth/api-tokens/validate", to: "/v1/auth/validate" };
  const answer = await turso.apiTokens.validate(TOKEN);
  sent(from, "GET", "/v1/auth/api-tokens/validate");
  must(answer?.valid !== true, `client bug fixed? validate-never-expiring-invalid: got ${show(answer)}`);
  must(answer?.valid === false && answer.expiry === -1, `expected {valid: false, expiry: -1} (the bug), got ${show(answer)}`);
  return { bug: "validate-never-expiring-invalid", detail: "(exp -1 gives valid: false)" };
}, probes);

await step("probe: unencoded names", async (from) => {
  // Names go into the URL unencoded, so a name is a path: a database named
  // "../groups/default" reaches the group instead (a DELETE would delete it).
  const r = await settle(turso.databases.get(`../groups/${GROUP}`));
  const made = sent(from, "GET", `/v1/organizations/${ORG}/groups/${GROUP}`);
  must(made.url.endsWith(`/groups/${GROUP}`), `client bug fixed? unencoded-names: sent ${made.url}`);
  // The group's answer reaches the client, which then fails to read it as a database.
  must(!r.ok && r.err instanceof TypeError, `expected a TypeError reading the group's answer, got ${r.ok ? show(r.value) : `${r.err?.name}: ${r.err?.message}`}`);
  return { bug: "unencoded-names", detail: `(databases.get("../groups/${GROUP}") sent GET ${made.path})` };
}, probes);

// Last: it deletes the organization.
await step("organizations.delete", async (from) => {
  // DELETE /v1/organizations/{org} (the CLI's `org destroy`, outside Turso's spec) answers
  // 200 with no body; the client parses it as JSON. The organization is gone all the same.
  const outcome = await failsWith("organizations-delete-parses-empty-body", turso.organizations.delete(), (err) => {
    sent(from, "DELETE", `/v1/organizations/${ORG}`);
    emptyBodyParse(err);
  });
  const after = await raw("GET", `organizations/${ORG}`);
  must(after.status === 404, `expected the organization gone (404), got ${after.status} ${after.text}`);
  return outcome;
});

// Best-effort cleanup of what a failed step left behind.
if (state.apiToken) await raw("DELETE", `auth/api-tokens/${TMP_TOKEN}`).catch(() => {});
if (state.invited) await raw("DELETE", `../v2/organizations/${ORG}/invites/${TMP_EMAIL}`).catch(() => {});
if (state.db) await raw("DELETE", `organizations/${ORG}/databases/${TMP_DB}`).catch(() => {});
if (state.group) await raw("DELETE", `organizations/${ORG}/groups/${TMP_GROUP}`).catch(() => {});

const failed = results.filter(Boolean).length;
const probesFailed = probes.filter(Boolean).length;
if (results.length !== 34) {
  console.log(`FAIL(ran ${results.length} methods, expected 34)`);
  process.exit(1);
}
console.log(failed ? `${failed} of 34 methods FAILED` : "all 34 methods as expected");
console.log(probesFailed ? `${probesFailed} of ${probes.length} probes FAILED` : `all ${probes.length} probes as expected`);
process.exit(failed || probesFailed ? 1 : 0);
