"use strict";
// The cascade and the figures (templates/bureau.html #nodes, #stats): the nodes with their
// standing in the province's signed registry, each node's health asked by this node, and the
// figures of applications as Chart.js charts, each with the same figures in a table beside it
// (a chart is a picture: the table is what a screen reader or a printout reads).
var BUREAU = globalThis.BUREAU || (globalThis.BUREAU = {});
BUREAU.figures = (() => {
  const { $, T, api, el, cell, fill, local } = certfree;
  const word = (group, value) => BUREAU.list.word(group, value);
  let nodeTable = null;
  const charts = [];

  // The registry is a compact JWS (RFC 7515 §7.1); its payload is base64url JSON. This node
  // signed it; the page only reads the standing of each node from it.
  function payloadOf(jws) {
    const part = jws.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  }
  async function registry() {
    try {
      const response = await api("/api/v1/exchange/registry", { raw: true });
      return payloadOf(await response.text());
    } catch (error) {
      if (error instanceof certfree.Problem && error.status === 404) return null;
      throw error;
    }
  }
  async function loadNodes() {
    const [nodes, signed] = await Promise.all([api("/api/v1/nodes"), registry()]);
    const standing = new Map(((signed && signed.nodes) || []).map((n) => [n.code, n]));
    $("#registry-state").textContent = signed
      ? fill(T.registry_serial, { serial: signed.serial, at: local(new Date(signed.issued_at * 1000).toISOString()), until: local(new Date(signed.expires_at * 1000).toISOString()) })
      : T.registry_unavailable;
    const render = (row, node) => {
      const entry = standing.get(node.code);
      row.dataset.code = node.code;
      cell(row, el("code", { textContent: node.code })).dataset.label = T.code;
      cell(row, node.name).dataset.label = T.name;
      cell(row, word("node_level", node.level)).dataset.label = T.node_level;
      cell(row, node.parent_code || "").dataset.label = T.parent;
      const badge = entry
        ? el("span", { className: `badge ${entry.status === "active" ? "good" : "bad"}`, textContent: word("node_status", entry.status) })
        : el("span", { className: "badge", textContent: T.not_registered });
      cell(row, badge).dataset.label = T.standing;
      cell(row, (entry && entry.endpoint) || node.endpoint || "", "endpoint").dataset.label = T.endpoint;
    };
    if (!nodeTable) nodeTable = certfree.pagedTable($("#node-list"), nodes, render, { search: $("#nodes-search"), pageSize: 15 });
    else nodeTable.redraw(nodes);
  }

  $("#check-health").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const state = $("#health-state");
    button.disabled = true;
    state.textContent = T.checking;
    try {
      const health = await api("/api/v1/exchange/health");
      const count = (pick) => health.nodes.filter(pick).length;
      state.textContent = fill(T.health_checked, {
        at: local(health.checked_at), ok: count((n) => n.state === "ok"),
        bad: count((n) => n.state === "degraded" || n.state === "unreachable"), hosted: count((n) => n.state === "no_endpoint"),
      });
      const body = $("#health").tBodies[0];
      body.replaceChildren();
      for (const node of health.nodes) {
        const row = body.insertRow();
        row.dataset.code = node.code;
        cell(row, el("code", { textContent: node.code })).dataset.label = T.code;
        cell(row, node.name || "").dataset.label = T.name;
        cell(row, word("node_status", node.status)).dataset.label = T.standing;
        const good = node.state === "ok" ? "good" : node.state === "no_endpoint" ? "" : "bad";
        cell(row, el("span", { className: `badge ${good} state`, textContent: word("peer_state", node.state) })).dataset.label = T.state;
        cell(row, node.took_ms == null ? "" : fill(T.ms, { ms: node.took_ms })).dataset.label = T.took;
      }
      $("#health").hidden = health.nodes.length === 0;
    } catch (error) {
      state.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  });

  const days = (seconds) => (seconds == null ? "" : (seconds / 86400).toFixed(1));
  const COLOURS = ["#b3261e", "#1f5f99", "#2e7d32", "#8a5a00", "#6a3d9a", "#00796b"];

  // One figure: a bar chart (canvas) and the same figures as a table. `columns` are
  // [header, value(row)] pairs; `series` names the columns drawn (indexes into columns).
  function figure(id, title, rows, columns, series) {
    const caption = el("figcaption", { id: `${id}-title`, textContent: title });
    const canvas = el("canvas", { id: `${id}-chart` });
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", fill(T.chart_of, { title }));
    const t = el("table", { className: "stack", id: `${id}-table` });
    t.append(el("caption", { className: "visually-hidden", textContent: title }));
    t.createTHead().append(el("tr", {}, ...columns.map(([h]) => el("th", { scope: "col", textContent: h }))));
    const body = t.createTBody();
    for (const r of rows) {
      const row = body.insertRow();
      columns.forEach(([h, value], i) => {
        const td = cell(row, value(r));
        td.dataset.label = h;
        td.className = i > 0 ? "num" : "key";
      });
    }
    const box = el("figure", { className: "chart-figure", id }, caption,
      el("div", { className: "chart-pair" }, el("div", { className: "chart" }, canvas), el("div", { className: "table-wrap" }, t)));
    $("#charts").append(box);
    if (typeof Chart === "undefined") { box.prepend(el("p", { className: "muted", textContent: T.chart_missing })); return; }
    charts.push(new Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map((r) => columns[0][1](r)),
        datasets: series.map((index, n) => ({
          label: columns[index][0], data: rows.map((r) => Number(columns[index][1](r)) || 0), backgroundColor: COLOURS[n % COLOURS.length],
        })),
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    }));
  }

  async function loadStats() {
    const [totals, services, months] = await Promise.all([
      api("/api/v1/applications/stats"),
      api("/api/v1/applications/stats/groups?by=service_item"),
      api("/api/v1/applications/stats/groups?by=month"),
    ]);
    while (charts.length) charts.pop().destroy();
    $("#charts").replaceChildren();
    $("#stats-empty").hidden = totals.applications > 0;
    const figures = [
      ["applications", T.applications, totals.applications], ["approved", T.approved, totals.approved],
      ["proofs-not-demanded", T.proofs_not_demanded, totals.proofs_not_demanded], ["trips-saved", T.trips_saved, totals.trips_saved],
      ["paperless", T.paperless, totals.completed_without_paper], ["median-days", T.median_days, days(totals.seconds_to_decision.median) || "—"],
      ["overdue", T.overdue, totals.overdue],
    ];
    $("#totals").replaceChildren(...figures.map(([id, label, value]) => el("li", { id: `total-${id}` }, el("strong", { textContent: String(value) }), label)));
    if (!totals.applications) return;
    const ways = Object.entries(totals.proofs_not_demanded_by_way);
    figure("by-way", T.by_way, ways, [[T.ways, ([way]) => word("way", way)], [T.count, ([, n]) => n]], [1]);
    const groupColumns = (first) => [
      [first, (g) => g.label],
      [T.applications, (g) => g.figures.applications],
      [T.approved, (g) => g.figures.approved],
      [T.proofs_not_demanded, (g) => g.figures.proofs_not_demanded],
      [T.trips_saved, (g) => g.figures.trips_saved],
      [T.median_days, (g) => days(g.figures.seconds_to_decision.median)],
    ];
    figure("by-service", T.by_service, services, groupColumns(T.service_item), [3, 4]);
    figure("by-month", T.by_month, months, groupColumns(T.month), [1, 3, 4, 5]);
  }

  async function load() {
    await Promise.all([loadNodes(), loadStats()]);
  }
  return { load, loadStats };
})();
