"use strict";
// Important data and sensitive personal information that left this node (templates/bureau.html
// #egress), from GET /api/v1/governance/egress: every count for a bureau administrator, the
// region in the token for a CIO (数据安全法 第21条; 个人信息保护法 第28条).
var BUREAU = globalThis.BUREAU || (globalThis.BUREAU = {});
BUREAU.egress = (() => {
  const { $, T, api, el, cell, fill } = certfree;
  async function load() {
    const table = $("#egress-lines");
    const body = table.tBodies[0];
    body.replaceChildren();
    let report;
    try {
      report = await api("/api/v1/governance/egress");
    } catch (error) {
      $("#egress-state").textContent = error.message;
      table.hidden = true;
      return;
    }
    $("#egress-state").textContent = fill(T.egress_totals, report.totals);
    table.hidden = report.lines.length === 0;
    $("#egress-empty").hidden = report.lines.length > 0;
    for (const line of report.lines) {
      const row = body.insertRow();
      const kinds = [line.important ? T.egress_important : "", line.sensitive ? T.egress_sensitive : ""];
      cell(row, line.day).dataset.label = T.egress_day;
      cell(row, el("code", { textContent: line.provider })).dataset.label = T.egress_provider;
      cell(row, el("code", { textContent: line.recipient })).dataset.label = T.egress_recipient;
      cell(row, line.question || line.resource_code || "").dataset.label = T.egress_source;
      cell(row, fill(T.egress_field_grade, line)).dataset.label = T.egress_field;
      cell(row, kinds.filter(Boolean).join(T.sep)).dataset.label = T.egress_kind;
      cell(row, String(line.records), "number").dataset.label = T.egress_records;
      cell(row, line.purpose).dataset.label = T.egress_purpose;
    }
  }
  return { load };
})();
