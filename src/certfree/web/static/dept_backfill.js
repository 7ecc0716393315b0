"use strict";
// The backfill runs of /dept (存量证照回填): upload a file of paper-era records as certificates
// of a type the organ issues (POST /api/v1/backfill/runs, the server's problem beside the
// field), the organ's runs newest first, one run's rejected rows (row, column, reason) and its
// reject report (CSV, fetched with the admin's token, so a plain link would not do).
const deptBackfill = (() => {
  const { PAGE, T, $, api, onSubmit, cell, el, fill, local, pagedTable } = certfree;
  const TYPE_NAMES = Object.fromEntries(PAGE.TYPES.map((t) => [t.code, t.name]));
  const REJECTS_LIMIT = 1000; // rows listed on the page; the report has them all
  const tables = {};
  let shown = null; // the run whose rejects are open

  const labelled = (row, labels) => [...row.cells].forEach((td, i) => { td.dataset.label = labels[i]; });
  const typeName = (code) => TYPE_NAMES[code] || code;
  function show(name, table, items, render, options = {}) {
    if (tables[name]) tables[name].redraw(items);
    else tables[name] = pagedTable(table, items, render, { empty: $(`#${table.id}-empty`), ...options });
  }

  // The types the organ's department issues (a node code 370100-WJ names it; a USCC does not,
  // then every type is offered and the API refuses the others, beside the field).
  function actFor(organisation) {
    const match = /^\d{6}-([A-Z]{2})$/.exec(organisation || "");
    const types = PAGE.TYPES.filter((t) => !match || t.department === match[1]);
    $("#run-type").replaceChildren(...types.map((t) => new Option(t.name, t.code)));
    $("#run-detail").hidden = true;
    shown = null;
  }

  function renderRun(row, run) {
    row.dataset.run = run.id;
    cell(row, run.filename);
    cell(row, typeName(run.type_code));
    cell(row, local(run.created_at), "nowrap");
    cell(row, String(run.issued));
    cell(row, String(run.rejected));
    cell(row, String(run.review));
    const open = el("button", { type: "button", className: "secondary", textContent: T.run_open });
    open.addEventListener("click", () => openRun(run.id));
    cell(row, open);
    labelled(row, [T.run_filename, T.type, T.run_when, T.run_issued, T.run_rejected, T.run_review, T.actions]);
  }
  function renderReject(row, item) {
    cell(row, String(item.row));
    cell(row, item.column);
    cell(row, item.reason);
    labelled(row, [T.reject_row, T.reject_column, T.reject_why]);
  }

  async function load() {
    show("runs", $("#runs"), await api("/api/v1/backfill/runs"), renderRun);
  }

  async function openRun(id) {
    const run = await api(`/api/v1/backfill/runs/${id}?limit=${REJECTS_LIMIT}`);
    shown = run;
    const detail = $("#run-detail");
    detail.hidden = false;
    $("#run-h").textContent = fill(T.run_h, { id: run.id, file: run.filename, type: typeName(run.type_code) });
    $("#run-counts").textContent = fill(T.run_counts, {
      total: run.total_rows, issued: run.issued, rejected: run.rejected, review: run.review,
    }) + (run.complete ? "" : ` ${T.run_incomplete}`);
    const report = $("#run-report");
    report.href = `/api/v1/backfill/runs/${run.id}/rejects.csv`;
    report.hidden = run.rejected === 0;
    const more = $("#rejects-more");
    more.hidden = run.rejected_total <= run.rejected_rows.length;
    more.textContent = fill(T.rejects_more, { shown: run.rejected_rows.length, total: run.rejected_total });
    const reasons = run.rejected_rows.flatMap((r) => r.reasons);
    show("rejects", $("#rejects"), reasons, renderReject, { search: $("#rejects-search") });
    $("#run-h").focus();
  }

  // The report needs the admin's bearer token: fetch it, then save it under the server's name.
  async function download(event) {
    event.preventDefault();
    if (!shown) return;
    const response = await api(`/api/v1/backfill/runs/${shown.id}/rejects.csv`, { raw: true });
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: `backfill-${shown.id}-rejects.csv`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  async function upload(data) {
    const file = data.get("file");
    const result = $("#run-result");
    result.className = "ok";
    result.textContent = file && file.name ? fill(T.run_running, { file: file.name }) : "";
    try {
      const run = await api("/api/v1/backfill/runs", { method: "POST", body: data });
      result.textContent = fill(T.run_done, {
        file: run.filename, issued: run.issued, rejected: run.rejected, review: run.review,
      });
      $("#run-file").value = "";
      await Promise.all([load(), deptWork.loadReviews()]); // rows may have joined the queue
      await openRun(run.id);
    } catch (error) {
      result.textContent = "";
      throw error;
    }
  }

  function start() {
    onSubmit($("#backfill-run"), upload);
    $("#run-report").addEventListener("click", (event) => download(event).catch((error) => {
      const result = $("#run-result");
      result.className = "form-error";
      result.textContent = error.message || T.failed;
    }));
  }

  return { start, actFor, load };
})();
