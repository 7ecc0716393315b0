"use strict";
// The bureau's working proof list (templates/bureau.html #list, #editor, #import): a paged,
// searchable table of every item as it stands now; the editor amends an item, cites one more
// legal basis or abolishes it; a list file is imported, and a refused file's rows are shown
// with what is wrong in each (a refused import stores nothing).
var BUREAU = globalThis.BUREAU || (globalThis.BUREAU = {});
BUREAU.list = (() => {
  const { $, T, PAGE, api, el, cell, fill, onSubmit } = certfree;
  const L = PAGE.LABELS;
  const word = (group, value) => (value == null ? "" : (L[group] && L[group][value]) || String(value));
  let items = [];
  let table = null;
  let editing = null;

  // "行政法规：《婚姻登记条例》第五条", struck through when its document was repealed.
  function basisText(basis) {
    const title = `《${basis.document_title.replace(/^《|》$/g, "")}》${basis.article || ""}`;
    return `${word("level", basis.level)}${T.colon}${title}${basis.repealed ? fill(T.repealed_aside, { repealed: T.repealed }) : ""}`;
  }
  function statusBadge(item) {
    const kind = item.status === "active" ? "good" : "bad";
    return el("span", { className: `badge ${kind} status`, textContent: word("status", item.status) });
  }
  function render(row, item) {
    row.id = `item-${item.code}`;
    row.dataset.status = item.status;
    cell(row, el("code", { textContent: item.code })).dataset.label = T.code;
    cell(row, item.name).dataset.label = T.name;
    cell(row, item.issuing_department).dataset.label = T.department;
    cell(row, item.ways.map((w) => word("way", w)).join(T.sep)).dataset.label = T.ways;
    const bases = el("div", {});
    for (const basis of item.legal_bases) bases.append(el("div", { className: basis.repealed ? "repealed" : "", textContent: basisText(basis) }));
    if (!item.legal_bases.length) bases.textContent = T.none;
    cell(row, bases).dataset.label = T.bases;
    const status = el("div", {}, statusBadge(item));
    if (item.abolition_reason) status.append(el("small", { className: "reason", textContent: item.abolition_reason }));
    cell(row, status).dataset.label = T.status;
    const actions = cell(row, "");
    if (BUREAU.editor) {
      const button = el("button", { type: "button", className: "secondary", textContent: T.edit });
      button.setAttribute("aria-label", `${T.edit} ${item.code} ${item.name}`);
      button.addEventListener("click", () => open(item));
      actions.append(button);
      actions.dataset.label = T.actions;
    }
  }

  async function load() {
    items = await api("/api/v1/proofs/working");
    const search = $("#list-search");
    if (!table) table = certfree.pagedTable($("#items"), items, render, { search, empty: $("#items-empty"), pageSize: 15 });
    else {
      table.redraw(items);
      if (search.value) search.dispatchEvent(new Event("input"));
    }
    if (editing) {
      const fresh = items.find((item) => item.code === editing.code);
      if (fresh) fillEditor(fresh);
    }
  }
  const byCode = (code) => items.find((item) => item.code === code);

  function fillEditor(item) {
    editing = item;
    $("#editor-h").textContent = fill(T.edit_item, { code: `${item.code} ${item.name}` });
    const form = $("#amend");
    form.elements.name.value = item.name;
    form.elements.fact.value = item.fact;
    form.elements.issuing_department.value = item.issuing_department;
    for (const box of form.querySelectorAll("[name=ways]")) box.checked = item.ways.includes(box.value);
    form.elements.excluded_area.value = item.excluded_area || "";
    form.elements.note.value = item.note || "";
  }
  function open(item) {
    fillEditor(item);
    for (const form of [$("#amend"), $("#basis"), $("#abolish")]) {
      certfree.clearProblems(form);
      form.elements.reason.value = "";
    }
    $("#editor-state").textContent = "";
    $("#editor").hidden = false;
    $("#editor").scrollIntoView();
    $("#amend-name").focus();
  }
  $("#close-editor").addEventListener("click", () => {
    const code = editing && editing.code;
    editing = null;
    $("#editor").hidden = true;
    const row = code && document.getElementById(`item-${code}`);
    if (row) row.querySelector("button").focus();
  });
  const done = async (message) => {
    $("#editor-state").textContent = message;
    await BUREAU.changed();
  };

  onSubmit($("#amend"), async (data) => {
    const body = {
      name: data.get("name"), fact: data.get("fact"), issuing_department: data.get("issuing_department"),
      ways: data.getAll("ways"), excluded_area: data.get("excluded_area") || null, note: data.get("note") || null,
      reason: data.get("reason"),
    };
    await api(`/api/v1/proofs/${encodeURIComponent(editing.code)}`, { method: "PATCH", body });
    await done(fill(T.saved, { code: editing.code }));
  });
  onSubmit($("#basis"), async (data) => {
    const body = Object.fromEntries(data);
    if (!body.document_number) delete body.document_number;
    await api(`/api/v1/proofs/${encodeURIComponent(editing.code)}/bases`, { method: "POST", body });
    $("#basis").reset();
    await done(fill(T.basis_added, { code: editing.code }));
  });
  onSubmit($("#abolish"), async (data) => {
    await api(`/api/v1/proofs/${encodeURIComponent(editing.code)}/abolish`, { method: "POST", body: { reason: data.get("reason") } });
    await done(fill(T.abolished_done, { code: editing.code }));
  });

  // A refused file: each bad row, the column as headed in the file, and what is wrong.
  function rejected(problem) {
    const rows = problem.errors || [];
    const report = el("table", { className: "stack", id: "import-errors" });
    report.createTHead().append(el("tr", {}, ...[T.row, T.column, T.problem].map((h) => el("th", { scope: "col", textContent: h }))));
    const body = report.createTBody();
    for (const error of rows) {
      const row = body.insertRow();
      cell(row, error.row).dataset.label = T.row;
      cell(row, error.field).dataset.label = T.column;
      cell(row, error.detail).dataset.label = T.problem;
    }
    return [el("p", { className: "invalid", textContent: T.import_rejected }), el("div", { className: "table-wrap" }, report)];
  }
  onSubmit($("#import-form"), async (data) => {
    const file = data.get("file");
    const result = $("#import-result");
    result.replaceChildren();
    const upload = new FormData();
    upload.append("file", file);
    const query = new URLSearchParams({ filename: file.name });
    if (data.get("reason")) query.set("reason", data.get("reason"));
    try {
      const report = await api(`/api/v1/proofs/import?${query}`, { method: "POST", body: upload });
      result.append(el("p", { className: "ok", textContent: fill(T.imported, {
        filename: report.filename, rows: report.rows, added: report.added.length, amended: report.amended.length,
        unchanged: report.unchanged.length, flagged: report.flagged.length,
      }) }));
      $("#import-form").reset();
      await BUREAU.changed();
    } catch (error) {
      const rows = error instanceof certfree.Problem && error.problem.errors;
      if (!rows || !rows.length || !rows.every((e) => "row" in e)) throw error;
      result.append(...rejected(error.problem));
    }
  });

  return { load, byCode, word, basisText };
})();
