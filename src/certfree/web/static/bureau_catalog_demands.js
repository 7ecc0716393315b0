"use strict";
// The bureau's catalog page, continued: the departments' demands (registering one shows its
// candidates at once), each demand's matches with why, and the gap list.
(() => {
  const { T, $, fill, api, onSubmit, cell, el, local, pagedTable } = certfree;
  const { percent, splitItems, showCandidates } = catalogPage;
  const PAGE_SIZE = 10;
  const short = (text, n = 60) => (String(text || "").length > n ? `${String(text).slice(0, n)}…` : String(text || ""));
  const wanted = (demand) => demand.text || demand.items.join(T.sep);

  // A demand's candidates, shown under the list; focus moves there so a keyboard user follows.
  function showMatches(demand, candidates) {
    const box = $("#demand-matches");
    $("#demand-matches-h").textContent = fill(T.matches_of, { id: demand.id, text: short(wanted(demand), 40) });
    showCandidates($("ol", box), $("#demand-matches-status"), candidates, "h4");
    box.hidden = false;
    box.focus();
  }

  function demandRow(row, demand) {
    row.dataset.id = demand.id;
    cell(row, demand.id, "col-id").dataset.label = T.demand_no;
    cell(row, demand.department, "col-department").dataset.label = T.department;
    cell(row, short(demand.scenario, 30), "col-scenario").dataset.label = T.scenario;
    cell(row, short(wanted(demand)), "col-text").dataset.label = T.text;
    cell(row, demand.calls_per_day, "num").dataset.label = T.calls_per_day;
    cell(row, local(demand.created_at), "col-registered").dataset.label = T.registered;
    const button = el("button", { type: "button", className: "secondary", textContent: T.matches });
    button.setAttribute("aria-label", `${T.matches} ${demand.id}`);
    button.addEventListener("click", async () => {
      showMatches(demand, await api(`/api/v1/catalog/demands/${demand.id}/matches?top=5`));
    });
    cell(row, button, "col-action");
  }

  let demands = null;
  async function loadDemands() {
    const found = await api("/api/v1/catalog/demands");
    found.reverse(); // newest first
    if (demands) demands.redraw(found);
    else demands = pagedTable($("#demand-list"), found, demandRow, { pageSize: PAGE_SIZE, search: $("#demand-search"), empty: $("#no-demands") });
    return found;
  }

  function gapRow(row, gap) {
    row.dataset.id = gap.id;
    cell(row, gap.id, "col-id").dataset.label = T.demand_no;
    cell(row, gap.department, "col-department").dataset.label = T.department;
    cell(row, short(wanted(gap)), "col-text").dataset.label = T.text;
    cell(row, gap.calls_per_day, "num").dataset.label = T.calls_per_day;
    cell(row, percent(gap.best_score), "num col-score").dataset.label = T.best_score;
    const nearest = gap.nearest ? fill(T.aside, { main: gap.nearest.name, note: gap.nearest.code }) : T.none;
    cell(row, nearest, "col-nearest").dataset.label = T.nearest;
  }
  let gaps = null;
  async function loadGaps() {
    const found = await api("/api/v1/catalog/gaps");
    if (gaps) gaps.redraw(found);
    else gaps = pagedTable($("#gap-list"), found, gapRow, { pageSize: PAGE_SIZE, search: $("#gap-search"), empty: $("#no-gaps") });
  }

  const form = $("#demand-form");
  onSubmit(form, async (data) => {
    const body = Object.fromEntries([...data.entries()].map(([k, v]) => [k, String(v).trim()]));
    body.items = splitItems(body.items);
    const made = await api("/api/v1/catalog/demands", { method: "POST", body });
    $("#demand-registered").textContent = fill(T.registered_ok, { id: made.id });
    form.reset();
    showMatches(made, made.candidates);
    await Promise.all([loadDemands(), catalogPage.me.role === "department_admin" ? null : loadGaps()]);
  });

  catalogPage.onLoad(async (me) => {
    if (me.role === "department_admin") {
      // A department's demand is filed under its own department (the API sets its code).
      form.elements.department_code.value = me.organisation || "";
      form.elements.department_code.readOnly = true;
    }
    await Promise.all([loadDemands(), me.role === "department_admin" ? null : loadGaps()]);
  });
})();
