"use strict";
// The citizen's own page (/me): accesses (static/me_accesses.js), consents, certificate uses,
// commitments and credit records, applications. Every list comes from the citizen's own API
// routes with their token; codes are shown as the names the node knows them by.
const { T, QUESTIONS, CERT_TYPES, DATA_ITEMS, REASONS, NODE_NAMES, DEVELOPMENT } = certfree.PAGE;
const { $, api, cell, el, fill, local, mask } = certfree;
const ENGLISH = document.documentElement.lang === "en";
const PAGE_SIZE = 10;

// Names for codes: nodes from the cascade's registry (in the page) and this node's own table
// (GET /api/v1/nodes), service items and proof items looked up once each. A code the node
// does not know is shown as it is.
const known = { nodes: { ...NODE_NAMES }, services: new Map(), proofs: new Map() };
const names = {
  node: (code) => known.nodes[code] || code,
  service: (code) => known.services.get(code) || code,
  proof: (code) => known.proofs.get(code) || code,
};
async function lookUp(cache, codes, path) {
  await Promise.all([...new Set(codes)].filter((c) => c && !cache.has(c)).map(async (code) => {
    try { cache.set(code, (await api(path(code))).name); } catch { cache.set(code, code); }
  }));
}
async function loadNodes() {
  try {
    for (const node of await api("/api/v1/nodes")) known.nodes[node.code] = node.name;
  } catch { /* names stay codes */ }
}

// A table filled page by page with its search box; an empty list shows its "none" line.
const tables = {};
function showTable(id, items, render) {
  const table = $(`#${id}`);
  const search = $(`#${id}-search`);
  const noMatch = $(`[data-no-match="${id}"]`);
  const none = items.length === 0;
  table.closest(".table-wrap").hidden = none;
  search.closest("label").hidden = none;
  $(`[data-empty="${id}"]`).hidden = !none;
  if (tables[id]) tables[id].redraw(items);
  else tables[id] = certfree.pagedTable(table, items, render, { pageSize: PAGE_SIZE, search, empty: noMatch });
  if (none) noMatch.hidden = true;
}
function failed(id, error) {
  const empty = $(`[data-empty="${id}"]`);
  empty.textContent = `${T.failed}${T.colon}${error.message}`;
  empty.hidden = false;
}
// A row's cells, each labelled with its column for the phone's card layout (table.stack).
function cells(row, columns) {
  return columns.map(([label, content, className]) => {
    const td = cell(row, content, className);
    td.dataset.label = label;
    return td;
  });
}
// An item for pagedTable: only `text` (what the row shows) is searched.
const searchable = (text, value) => Object.defineProperty({ text }, "value", { value });
const badge = (text, kind) => el("span", { className: `badge ${kind || ""}`.trim(), textContent: text });
const aside = (main, note) => (note ? fill(T.aside, { main, note }) : main);
const questionTitle = (name) => (QUESTIONS[name] ? QUESTIONS[name].title : name);

function showAccesses(data) {
  // Whom the entries are about, the ID number with its middle hidden (GB 11643: region and
  // check digit kept).
  $("#subject-line").textContent = fill(T.subject_line, { id: mask(data.subject) });
  meAccesses.nodeLines(data, names);
  showTable("accesses", meAccesses.rows(data, names), (row, item) => meAccesses.render(row, item, data.subject, names));
}

function consentRow(row, { value: c }) {
  row.dataset.id = c.id;
  const actions = el("span");
  if (c.state === "valid") {
    const button = el("button", { type: "button", className: "revoke secondary", textContent: T.revoke });
    button.addEventListener("click", () => revoke(c.id, button));
    actions.append(button);
  }
  cells(row, [
    [T.service_item, el("span", { textContent: names.service(c.service_item), title: c.service_item }), "service-item"],
    [T.consumer, names.node(c.consumer)],
    [T.questions, c.questions.map(questionTitle).join(T.sep), "questions"],
    [T.data_items, c.data_items.map((d) => DATA_ITEMS[d] || d).join(T.sep)],
    [T.given_at, local(c.given_at), "time"],
    [T.expires_at, local(c.expires_at), "time"],
    [T.state, T[`state.${c.state}`], `state state-${c.state}`],
    [T.actions, actions, "actions"],
  ]);
}
function showConsents(consents) {
  showTable("consents", consents.map((c) => searchable(
    [names.service(c.service_item), names.node(c.consumer), ...c.questions.map(questionTitle), T[`state.${c.state}`]].join(" "), c,
  )), consentRow);
}
async function revoke(id, button) {
  if (!window.confirm(T.revoke_confirm)) return;
  const line = $("#consents-error");
  line.textContent = "";
  button.disabled = true;
  try {
    await api(`/api/v1/me/consents/${encodeURIComponent(id)}/revoke`, { method: "POST" });
    showConsents(await api("/api/v1/me/consents"));
  } catch (error) {
    button.disabled = false;
    line.textContent = error.message;
  }
}

function useRow(row, { value: u }) {
  const kind = CERT_TYPES[u.type_code] || { name: u.type_code || u.certificate_id, labels: {} };
  const reasons = u.reasons.map((r) => REASONS[r] || T["reason.credential"]).join(T.sep);
  cells(row, [
    [T.when, local(u.used_at), "time"],
    [T.verifier, aside(u.verifier_org || u.verifier, u.verifier_org ? u.verifier : null)],
    [T.certificate, el("span", { textContent: kind.name, title: u.certificate_id }), "certificate"],
    [T.purpose, u.purpose || "—"],
    [T.disclosed, u.disclosed.map((name) => kind.labels[name] || name).join(T.sep) || T.nothing_disclosed, "disclosed"],
    [T.channel, T[`channel.${u.channel}`] || T["channel.verification"]],
    [T.result, u.valid ? badge(T.passed, "good") : badge(aside(T.not_passed, reasons), "bad"), "result"],
  ]);
}
function showUses(uses) {
  showTable("uses", uses.map((u) => {
    const kind = CERT_TYPES[u.type_code] || { name: "" };
    return searchable([u.verifier_org, u.verifier, kind.name, u.purpose].filter(Boolean).join(" "), u);
  }), useRow);
}

function creditRow(row, { value: r }) {
  const repaired = r.status === "repaired";
  const repair = repaired
    ? el("span", { textContent: fill(T.repaired_on, { when: local(r.repaired_at), reason: r.repair_reason || "" }) })
    : el("details", {}, el("summary", { textContent: T.how_to_repair }), el("p", { textContent: T.repair_howto }));
  row.dataset.id = r.id;
  cells(row, [
    [T.proof_item, el("span", { textContent: names.proof(r.proof_code), title: r.proof_code }), "proof-item"],
    [T.consequence, T[`consequence.${r.consequence}`], "consequence"],
    [T.basis, r.basis],
    [T.recorded_at, local(r.recorded_at), "time"],
    [T.state, badge(T[`credit.${r.status}`], repaired ? "good" : "bad"), "credit-state"],
    [T.repair, repair, "repair"],
  ]);
}
function commitmentRow(row, { value: c }) {
  row.dataset.id = c.id;
  cells(row, [
    [T.proof_item, el("span", { textContent: names.proof(c.proof_code), title: c.proof_code }), "proof-item"],
    [T.service_item, c.service_code ? el("span", { textContent: names.service(c.service_code), title: c.service_code }) : "—", "service-item"],
    [T.signed_at, local(c.signed_at), "time"],
    [T.state, T[`commitment.${c.status}`], "commitment-state"],
  ]);
}

function applicationRow(row, { value: a }) {
  const link = el("a", { href: `/apply/${encodeURIComponent(a.id)}`, textContent: a.service_name });
  const due = el("span", { textContent: a.due_on || "—" });
  if (a.overdue) due.append(" ", badge(T.overdue, "bad"));
  row.dataset.id = a.id;
  cells(row, [
    [T.service_item, link, "service-item"],
    [T.app_id, a.id, "app-id"],
    [T.state, stateWords(a), "app-state"],
    [T.submitted_at, a.submitted_at ? local(a.submitted_at) : T.not_submitted, "time"],
    [T.due_on, due, "time"],
  ]);
}
// An application's state standing alone in its cell: "Submitted", not "submitted".
function stateWords(a) {
  return ENGLISH ? a.state_en.charAt(0).toUpperCase() + a.state_en.slice(1) : a.state_zh;
}
function showApplications(page) {
  showTable("applications", page.items.map((a) => searchable(
    [a.service_name, a.id, stateWords(a)].join(" "), a,
  )), applicationRow);
  const more = $("#applications-more");
  more.hidden = page.total <= page.items.length;
  more.textContent = fill(T.applications_more, { shown: page.items.length, total: page.total });
}

// Each section loads on its own: one that fails says so and the others still show.
async function section(id, path, show, codes = () => ({})) {
  try {
    const body = await api(path);
    const { services = [], proofs = [] } = codes(body);
    await Promise.all([
      lookUp(known.services, services, (c) => `/api/v1/procedures/${encodeURIComponent(c)}`),
      lookUp(known.proofs, proofs, (c) => `/api/v1/proofs/${encodeURIComponent(c)}`),
    ]);
    show(body);
  } catch (error) {
    failed(id, error);
  }
}
async function load() {
  await loadNodes();
  const serviceCodes = (list) => list.map((x) => x.service_item || x.service_code);
  await Promise.all([
    section("accesses", "/api/v1/me/accesses/cascade", showAccesses, (data) => ({
      services: data.nodes.flatMap((part) => part.accesses.map((a) => a.service_item)),
    })),
    section("consents", "/api/v1/me/consents", showConsents, (list) => ({ services: serviceCodes(list) })),
    section("uses", "/api/v1/me/certificate-uses", showUses),
    section("credit", "/api/v1/me/credit", (list) => showTable("credit", list.map((r) => searchable(
      [names.proof(r.proof_code), T[`consequence.${r.consequence}`], r.basis, T[`credit.${r.status}`]].join(" "), r,
    )), creditRow), (list) => ({ proofs: list.map((r) => r.proof_code) })),
    section("commitments", "/api/v1/me/commitments", (list) => showTable("commitments", list.map((c) => searchable(
      [names.proof(c.proof_code), names.service(c.service_code), T[`commitment.${c.status}`]].join(" "), c,
    )), commitmentRow), (list) => ({ services: serviceCodes(list), proofs: list.map((c) => c.proof_code) })),
    section("applications", "/api/v1/applications?limit=200", showApplications),
    meRights.load(),
  ]);
}
certfree.setAuth(signIn({ key: "certfree.me", devPath: "/dev/sign-in", development: DEVELOPMENT, failed: T.failed, onChange: load })).start();
