"use strict";
// The list's versions (templates/bureau.html #repeal, #report, #publish, #diff): repeal a law
// and see the items it leaves without a basis, the abolition report, the changes awaiting
// publication, publishing them as the next version, and what changed between any two versions.
var BUREAU = globalThis.BUREAU || (globalThis.BUREAU = {});
BUREAU.versions = (() => {
  const { $, T, api, el, cell, fill, local, onSubmit } = certfree;
  const word = (group, value) => BUREAU.list.word(group, value);
  let versions = [];

  // A diff's part as a table, ten rows a page: a new list may add or remove hundreds of items.
  function table(headers, rows, id) {
    const t = el("table", { className: "stack" });
    if (id) t.id = id;
    t.createTHead().append(el("tr", {}, ...headers.map((h) => el("th", { scope: "col", textContent: h }))));
    t.createTBody();
    const wrap = el("div", { className: "table-wrap" }, t);
    certfree.pagedTable(t, rows, (row, values) => {
      values.forEach((value, i) => { cell(row, value).dataset.label = headers[i]; });
    }, { pageSize: 10 });
    return wrap;
  }

  async function loadDocuments() {
    const documents = await api("/api/v1/legal-documents");
    const select = $("#repeal-document");
    select.replaceChildren(...documents.filter((d) => !d.repealed_at).map((d) => new Option(
      `《${d.title.replace(/^《|》$/g, "")}》${d.number ? `（${d.number}）` : ""} · ${word("level", d.level)}`, String(d.id),
    )));
  }
  async function loadReport() {
    const report = await api("/api/v1/proofs/abolition-report");
    $("#report-rule").textContent = `${T.rule}${T.colon}${report.rule}`;
    const body = $("#report-items").tBodies[0];
    body.replaceChildren();
    for (const item of report.items) {
      const row = body.insertRow();
      row.id = `flagged-${item.code}`;
      cell(row, el("code", { textContent: item.code })).dataset.label = T.code;
      cell(row, item.name).dataset.label = T.name;
      cell(row, item.issuing_department).dataset.label = T.department;
      cell(row, item.reason).dataset.label = T.abolition_reason;
      cell(row, local(item.flagged_at)).dataset.label = T.flagged_at;
    }
    $("#report-empty").hidden = report.items.length > 0;
    $("#report-items").hidden = report.items.length === 0;
  }
  let pendingTable = null;
  async function loadPending() {
    const changes = await api("/api/v1/proofs/changes");
    const render = (row, change) => {
      cell(row, local(change.at)).dataset.label = T.at;
      cell(row, word("change", change.kind)).dataset.label = T.kind;
      cell(row, change.item_code || "").dataset.label = T.item;
      cell(row, change.reason).dataset.label = T.reason;
      cell(row, change.actor).dataset.label = T.actor;
    };
    const newest = changes.slice().reverse();
    if (!pendingTable) pendingTable = certfree.pagedTable($("#pending"), newest, render, { pageSize: 10, empty: $("#pending-empty") });
    else pendingTable.redraw(newest);
    $("#pending").hidden = changes.length === 0;
  }
  async function loadVersions() {
    versions = await api("/api/v1/proofs/versions");
    $("#no-versions").hidden = versions.length > 0;
    $("#diff-form").hidden = versions.length === 0;
    for (const [id, pick] of [["#diff-from", versions.length - 2], ["#diff-to", versions.length - 1]]) {
      const select = $(id);
      select.replaceChildren(...versions.slice().reverse().map((v) => new Option(
        fill(T.version_option, { n: v.number, date: local(v.published_at).slice(0, 10) }), String(v.number),
      )));
      if (versions.length) select.value = String(versions[Math.max(pick, 0)].number);
    }
  }
  async function load() {
    await Promise.all([loadDocuments(), loadReport(), loadPending(), loadVersions()]);
  }

  onSubmit($("#repeal-form"), async (data) => {
    const result = $("#repeal-result");
    result.replaceChildren();
    const impact = await api(`/api/v1/legal-documents/${encodeURIComponent(data.get("document_id"))}/repeal`, {
      method: "POST", body: { reason: data.get("reason") },
    });
    $("#repeal-form").reset();
    await BUREAU.changed();
    result.append(el("p", { className: "ok", textContent: fill(T.repeal_done, { title: impact.document_title.replace(/^《|》$/g, "") }) }));
    if (!impact.flagged.length) { result.append(el("p", { textContent: T.nothing_flagged })); return; }
    result.append(el("h3", { textContent: T.flagged_items }));
    const list = el("ul", { id: "repeal-flagged" });
    for (const code of impact.flagged) {
      const item = BUREAU.list.byCode(code);
      list.append(el("li", {}, el("code", { textContent: code }), ` ${item ? item.name : ""}`));
    }
    result.append(list);
    if (impact.service_items_flagged.length) {
      result.append(el("h3", { textContent: T.flagged_services }), el("p", { textContent: impact.service_items_flagged.join(T.sep) }));
    }
  });

  onSubmit($("#publish-form"), async (data) => {
    const version = await api("/api/v1/proofs/publish", { method: "POST", body: { reason: data.get("reason") } });
    $("#publish-form").reset();
    $("#publish-result").textContent = fill(T.published, { n: version.number, count: version.item_count });
    await BUREAU.changed();
  });

  // A field's value as a person reads it: enum values in words, lists joined.
  function readable(field, value) {
    if (value == null || value === "") return T.none;
    const group = { ways: "way", status: "status", excluded_area: "excluded" }[field];
    const one = (v) => (group ? word(group, v) : typeof v === "object" ? JSON.stringify(v) : String(v));
    return Array.isArray(value) ? (value.length ? value.map(one).join(T.sep) : T.none) : one(value);
  }
  onSubmit($("#diff-form"), async (data) => {
    const query = new URLSearchParams({ from: data.get("from"), to: data.get("to") });
    const diff = await api(`/api/v1/proofs/diff?${query}`);
    const result = $("#diff-result");
    result.replaceChildren(el("h3", { id: "diff-title", textContent: fill(T.diff_title, { from: diff.from.version, to: diff.to.version }) }));
    if (!diff.added.length && !diff.removed.length && !diff.changed.length) {
      result.append(el("p", { textContent: T.no_difference }));
      return;
    }
    if (diff.added.length) {
      result.append(el("h4", { textContent: T.added }), table([T.code, T.name], diff.added.map((i) => [i.code, i.name]), "diff-added"));
    }
    if (diff.removed.length) {
      result.append(el("h4", { textContent: T.removed }), table([T.code, T.name, T.abolition_reason],
        diff.removed.map((i) => [i.code, i.name, i.abolition_reason || ""]), "diff-removed"));
    }
    if (diff.changed.length) {
      const rows = diff.changed.flatMap((i) => i.changes.map((c) => [
        `${i.code} ${i.name}`, word("field", c.field), readable(c.field, c.before), readable(c.field, c.after),
      ]));
      result.append(el("h4", { textContent: T.changed }), table([T.item, T.field, T.before, T.after], rows, "diff-changed"));
    }
  });

  return { load };
})();
