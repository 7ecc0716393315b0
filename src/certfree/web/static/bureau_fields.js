"use strict";
// Every labelled field of this node (templates/bureau.html #fields), from
// GET /api/v1/governance/fields: where it is, its class and grade, the masking rule shown to
// anyone not granted it with an example, and the grants in force that name it (数据安全法
// 第21条; 个人信息保护法 第28条). Filtered by a least grade and by words of the field's or its
// place's names.
var BUREAU = globalThis.BUREAU || (globalThis.BUREAU = {});
BUREAU.fields = (() => {
  const { $, T, PAGE, api, el, cell, fill, pagedTable } = certfree;
  const LABELS = PAGE.LABELS || {};
  const english = document.documentElement.lang === "en";
  let rows = [];
  let bound = false;

  const ownerName = (row) => (english && row.owner_name_en) || row.owner_name;
  const fieldName = (row) => (english && row.label_en) || row.label;
  // What the search box looks in: the field's and its place's names and codes, both languages.
  const words = (row) => [row.owner, row.owner_name, row.owner_name_en, row.field, row.label, row.label_en]
    .filter(Boolean).join("\n").toLowerCase();

  function render(tr, row) {
    const where = el("span", {},
      el("span", { className: "muted", textContent: `${LABELS.source[row.source]} ` }),
      ownerName(row), el("br"), el("strong", { textContent: fieldName(row) }));
    cell(tr, where).dataset.label = T.fields_where;
    cell(tr, english ? row.class_name_en : row.class_name).dataset.label = T.fields_class;
    cell(tr, LABELS.grade[String(row.grade)] || String(row.grade)).dataset.label = T.fields_grade_col;
    const rule = LABELS.mask[row.mask] || row.mask;
    const masking = row.example == null
      ? rule
      : fill(T.fields_mask_example, { rule, example: row.example, masked: row.example_masked });
    cell(tr, masking).dataset.label = T.fields_mask;
    const receivers = row.receivers.length
      ? row.receivers.map((r) => fill(T.fields_receiver, r)).join(T.sep)
      : T.fields_none;
    cell(tr, receivers).dataset.label = T.fields_receivers;
  }

  function draw() {
    const needle = $("#fields-search").value.trim().toLowerCase();
    const least = Number($("#fields-grade").value || 0);
    const shown = rows.filter((row) => row.grade >= least && (!needle || words(row).includes(needle)));
    $("#fields-state").textContent = fill(T.fields_count, { shown: shown.length, total: rows.length });
    // A new table each time the filter changes: it starts again at the first page.
    pagedTable($("#field-rows"), shown, render, { pageSize: 15, empty: $("#field-rows-empty") });
  }

  async function load() {
    try {
      rows = (await api("/api/v1/governance/fields")).fields;
    } catch (error) {
      $("#fields-state").textContent = error.message;
      return;
    }
    if (!bound) {
      bound = true;
      $("#fields-search").addEventListener("input", draw);
      $("#fields-grade").addEventListener("change", draw);
      $("#fields-filter").addEventListener("submit", (event) => event.preventDefault());
    }
    draw();
  }
  return { load };
})();
