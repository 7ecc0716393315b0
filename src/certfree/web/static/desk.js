"use strict";
// The desk's queue (/desk): this node's applications as a clerk sees them, filtered by the
// API (state, service item, overdue), newest first, loaded 200 at a time and paged and searched
// here; each opens the case page.
const { T, PAGE, $, local, mask, api, cell, el, fill, pagedTable, onSubmit } = certfree;
const BATCH = 200;
let offset = 0;
let table = null;

const label = (kind, value) => (PAGE.LABELS[kind] || {})[value] || value;

function filters() {
  const form = $("#filters");
  const params = new URLSearchParams();
  if (form.elements.state.value) params.set("state", form.elements.state.value);
  if (form.elements.service.value.trim()) params.set("service", form.elements.service.value.trim());
  if (form.elements.overdue.checked) params.set("overdue", "true");
  return params;
}

// What a row shows and the search box looks through (the full ID number too, so a clerk can
// find a person's case; the row shows it masked).
function row(app) {
  return {
    id: app.id,
    service: app.service_name,
    service_code: app.service_item,
    applicant: app.applicant,
    state: label("states", app.state),
    received: app.submitted_at ? local(app.submitted_at) : "",
    app,
  };
}

function render(tr, item) {
  tr.dataset.id = item.id;
  const link = el("a", { href: `/desk/applications/${encodeURIComponent(item.id)}`, textContent: item.id });
  cell(tr, link).dataset.label = T.col_id;
  cell(tr, item.service).dataset.label = T.col_service;
  cell(tr, mask(item.applicant), "applicant").dataset.label = T.col_applicant;
  const state = el("span", { className: `badge state-${item.app.state}`, textContent: item.state });
  cell(tr, state).dataset.label = T.col_state;
  cell(tr, item.received || T.not_submitted).dataset.label = T.col_received;
  cell(tr, deskTime.dueCell(item.app)).dataset.label = T.col_due;
  if (item.app.overdue) tr.classList.add("overdue");
}

async function load() {
  const params = filters();
  params.set("limit", String(BATCH));
  params.set("offset", String(offset));
  const page = await api(`/api/v1/applications?${params}`);
  $("#total").textContent = fill(T.total, { total: page.total });
  const items = page.items.map(row);
  if (table) table.redraw(items);
  else table = pagedTable($("#queue"), items, render, { pageSize: 20, search: $("#search"), empty: $("#empty") });
  if ($("#search").value) $("#search").dispatchEvent(new Event("input"));
  const more = page.total > BATCH;
  $("#batches").hidden = !more;
  $("#batch").hidden = !more;
  $("#batch").textContent = fill(T.batch, { first: offset + 1, last: offset + items.length, total: page.total });
  $("#newer").disabled = offset === 0;
  $("#older").disabled = offset + BATCH >= page.total;
}

async function reload() {
  try {
    $("#queue-error").textContent = "";
    await load();
  } catch (error) {
    $("#queue-error").textContent = error.message;
  }
}

// The filters live in the address too, so going back from a case finds the same queue.
function fromAddress() {
  const given = new URLSearchParams(location.search);
  const form = $("#filters");
  form.elements.state.value = PAGE.LABELS.states[given.get("state")] ? given.get("state") : "";
  form.elements.service.value = given.get("service") || "";
  form.elements.overdue.checked = given.get("overdue") === "true";
}

onSubmit($("#filters"), async () => {
  offset = 0;
  const params = filters();
  const lang = new URLSearchParams(location.search).get("lang");
  if (lang) params.set("lang", lang);
  history.replaceState(null, "", location.pathname + (params.toString() ? `?${params}` : ""));
  await load();
});
$("#newer").addEventListener("click", () => { offset = Math.max(0, offset - BATCH); reload(); });
$("#older").addEventListener("click", () => { offset += BATCH; reload(); });
fromAddress();
certfree.setAuth(signIn({
  key: "certfree.desk", devPath: "/dev/staff-sign-in", development: PAGE.DEVELOPMENT, failed: T.failed, onChange: reload,
})).start();
