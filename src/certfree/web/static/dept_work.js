"use strict";
// The other tabs of /dept: the backfill review queue, the department's catalog resources,
// demands and sharing requests (approve, or refuse with reasons), and its department-
// verification inbox (earliest deadline first, overdue marked, the answer form).
// Each list shows only what the API gives this department; an action is offered only where
// the API would allow it (a sharing request is decided by its provider).
const deptWork = (() => {
  const { PAGE, T, $, api, onSubmit, cell, el, fill, local, mask, pagedTable } = certfree;
  const L = PAGE.LABELS;
  const TYPE_NAMES = Object.fromEntries(PAGE.TYPES.map((t) => [t.code, t.name]));
  const english = document.documentElement.lang === "en";
  const tables = {};
  const kinds = {};
  let organisation = null;

  const orgName = (code) => {
    const name = PAGE.ORGS[code];
    if (!name) return code;
    return english ? `${name} (${code})` : `${name}（${code}）`;
  };
  const badge = (text, good) => el("span", { className: `badge ${good === true ? "good" : good === false ? "bad" : ""}`.trim(), textContent: text });
  const labelled = (row, labels) => [...row.cells].forEach((td, i) => { td.dataset.label = labels[i]; });
  function button(text, onClick, secondary = true) {
    const b = el("button", { type: "button", textContent: text, ...(secondary ? { className: "secondary" } : {}) });
    b.addEventListener("click", onClick);
    return b;
  }
  function show(name, table, items, render, options = {}) {
    if (tables[name]) tables[name].redraw(items);
    else tables[name] = pagedTable(table, items, render, { empty: $(`#${table.id}-empty`), ...options });
  }
  function say(line, text, ok = true) {
    line.className = ok ? "ok" : "form-error";
    line.textContent = text;
  }
  function open(form, heading) {
    certfree.clearProblems(form);
    form.reset();
    form.hidden = false;
    heading.focus();
  }
  function cancelled(event) {
    event.target.closest("form").hidden = true;
  }

  // --- backfill review queue -------------------------------------------------------------
  async function typeOf(code) {
    kinds[code] = kinds[code] || (await api(`/api/v1/cert-types/${encodeURIComponent(code)}`));
    return kinds[code];
  }
  async function openReview(item) {
    const form = $("#review");
    open(form, $("#review-h"));
    $("#review-h").textContent = fill(T.review_h, { id: item.id });
    form.elements.id.value = item.id;
    const kind = await typeOf(item.type_code);
    const face = $("#review-face");
    face.replaceChildren();
    for (const field of kind.fields) {
      if (!(field.name in item.face_data)) continue;
      face.append(el("dt", { textContent: english ? field.label_en : field.label }), el("dd", { textContent: String(item.face_data[field.name]) }));
    }
  }
  function renderReview(row, item) {
    cell(row, TYPE_NAMES[item.type_code] || item.type_code);
    cell(row, mask(item.holder_id));
    cell(row, item.reason);
    cell(row, fill(T.source_text, { sha: item.source.file_sha256.slice(0, 8), row: item.source.row }));
    cell(row, badge(L.review_status[item.status], item.status === "approved" ? true : item.status === "rejected" ? false : null));
    cell(row, item.status === "pending" ? button(T.approve + " / " + T.reject, () => openReview(item)) : item.certificate_id || item.decision_note || "");
    labelled(row, [T.type, T.holder, T.review_reason, T.source_row, T.status, T.actions]);
  }
  async function loadReviews() {
    const status = $("#review-status").value;
    const items = await api(`/api/v1/backfill/reviews${status ? `?status=${status}` : ""}`);
    show("reviews", $("#reviews"), items, renderReview);
  }
  async function decideReview(data, submitter) {
    const id = data.get("id");
    const approving = submitter && submitter.value === "approve";
    const body = approving ? { note: data.get("note") || null } : { reason: data.get("reason") };
    const decided = await api(`/api/v1/backfill/reviews/${id}/${approving ? "approve" : "reject"}`, { method: "POST", body });
    $("#review").hidden = true;
    say($("#review-result"), fill(T.decided_msg, { id, status: L.review_status[decided.status] }));
    await loadReviews();
  }

  // --- catalog: sharing requests, resources, demands --------------------------------------
  const items = (grant) => (grant.whole_resource ? T.whole_resource : grant.data_items.join(T.sep));
  const grantStatus = (grant) => badge(L.grant_status[grant.effective_status] || L.grant_status[grant.status],
    grant.effective_status === "active" ? true : grant.effective_status === "pending" ? null : false);
  async function decideGrant(grant, verb, body) {
    const decided = await api(`/api/v1/catalog/grants/${grant.id}/${verb}`, { method: "POST", body });
    say($("#grant-result"), fill(T.grant_decided_msg, { id: grant.id, status: L.grant_status[decided.status] }));
    await loadCatalog();
  }
  function renderGrantIn(row, grant) {
    row.dataset.grant = grant.id;
    cell(row, String(grant.id));
    cell(row, orgName(grant.consumer));
    cell(row, grant.resource_code);
    cell(row, items(grant));
    cell(row, grant.purpose);
    cell(row, grantStatus(grant));
    const actions = el("div", { className: "row-actions" });
    // Decided by the resource's provider: only this department's own requests get buttons, and
    // not once it approved a request of important data that now waits for the bureau.
    const approved = (grant.approvals || []).some((a) => a.level === "department");
    if (grant.status === "pending" && grant.provider === organisation && !approved) {
      actions.append(
        button(T.grant_approve, () => decideGrant(grant, "approve", {}).catch((e) => say($("#grant-result"), e.message, false)), false),
        button(T.grant_refuse, () => {
          open($("#refuse"), $("#refuse-h"));
          $("#refuse-h").textContent = fill(T.refuse_h, { id: grant.id });
          $("#refuse").elements.id.value = grant.id;
        }),
      );
    } else if (grant.decision_note) {
      actions.append(grant.decision_note);
    }
    cell(row, actions);
    labelled(row, [T.grant_no, T.consumer, T.resource, T.data_items, T.purpose, T.status, T.actions]);
  }
  function renderGrantOut(row, grant) {
    row.dataset.grant = grant.id;
    cell(row, String(grant.id));
    cell(row, orgName(grant.provider));
    cell(row, grant.resource_code);
    cell(row, items(grant));
    cell(row, grant.purpose);
    cell(row, grantStatus(grant));
    cell(row, grant.decision_note || "");
    labelled(row, [T.grant_no, T.provider, T.resource, T.data_items, T.purpose, T.status, T.decision_note]);
  }
  function renderResource(row, resource) {
    cell(row, resource.code);
    cell(row, resource.name);
    cell(row, L.share_type[resource.share_type]);
    cell(row, resource.items.map((item) => item.name).join(T.sep));
    labelled(row, [T.code, T.name, T.share_type, T.resource_items]);
  }
  function renderDemand(row, demand) {
    cell(row, String(demand.id));
    cell(row, demand.scenario);
    cell(row, [demand.text, demand.items.join(T.sep)].filter(Boolean).join(T.colon));
    cell(row, demand.purpose);
    cell(row, demand.legal_basis);
    labelled(row, [T.demand_no, T.scenario, T.demand_text, T.purpose, T.legal_basis]);
  }
  async function loadCatalog() {
    const code = encodeURIComponent(organisation);
    const [grants, resources, demands] = await Promise.all([
      api("/api/v1/catalog/grants"),
      api(`/api/v1/catalog/resources?provider_code=${code}&limit=1000`),
      api("/api/v1/catalog/demands"),
    ]);
    // Requests to this department first when they await its decision, then the rest by number.
    const incoming = grants.filter((g) => g.provider === organisation)
      .sort((a, b) => (a.status === "pending" ? 0 : 1) - (b.status === "pending" ? 0 : 1) || a.id - b.id);
    show("grantsIn", $("#grants-in"), incoming, renderGrantIn);
    show("grantsOut", $("#grants-out"), grants.filter((g) => g.consumer === organisation && g.provider !== organisation), renderGrantOut);
    show("resources", $("#resources"), resources, renderResource, { search: $("#resources-search") });
    show("demands", $("#demands"), demands, renderDemand);
  }

  // --- department-verification inbox -------------------------------------------------------
  function openAnswer(item) {
    const form = $("#answer");
    open(form, $("#answer-h"));
    form.elements.request_id.value = item.request_id;
    $("#answer-what").textContent = fill(T.answer_what, {
      consumer: orgName(item.consumer), fact: item.fact, subject: mask(item.subject_id), deadline: local(item.deadline),
    });
    const supporting = $("#answer-supporting");
    supporting.replaceChildren();
    for (const [name, value] of Object.entries(item.supporting || {})) {
      supporting.append(el("dt", { textContent: name }), el("dd", { textContent: String(value) }));
    }
  }
  function renderInbox(row, item) {
    row.dataset.request = item.request_id;
    if (item.overdue) row.classList.add("overdue");
    cell(row, local(item.deadline), "nowrap");
    cell(row, orgName(item.consumer));
    cell(row, mask(item.subject_id));
    cell(row, item.fact);
    const state = cell(row, badge(L.verification_status[item.status], item.status === "answered" ? true : item.overdue ? false : null));
    if (item.outcome) state.append(" ", L.outcome[item.outcome]);
    if (item.answered_late) state.append(" ", badge(T.answered_late, false));
    const open = item.status === "pending" || item.status === "overdue";
    cell(row, open ? button(T.answer, () => openAnswer(item), false) : item.note || "");
    labelled(row, [T.deadline, T.requester, T.subject, T.fact, T.status, T.actions]);
  }
  async function loadInbox() {
    const all = await api("/api/v1/dept-verifications?side=inbox");
    const shown = $("#only-open").checked ? all.filter((i) => i.status === "pending" || i.status === "overdue") : all;
    show("inbox", $("#inbox"), shown, renderInbox);
  }
  async function answer(data) {
    const outcome = data.get("outcome");
    const body = { outcome, note: data.get("note").trim() || null };
    await api(`/api/v1/dept-verifications/${encodeURIComponent(data.get("request_id"))}/answer`, { method: "POST", body });
    $("#answer").hidden = true;
    say($("#answer-result"), fill(T.answered_msg, { outcome: L.outcome[outcome] }));
    await loadInbox();
  }

  function start() {
    for (const cancel of certfree.$$("[data-cancel]")) cancel.addEventListener("click", cancelled);
    $("#review-status").addEventListener("change", () => loadReviews());
    $("#only-open").addEventListener("change", () => loadInbox());
    onSubmit($("#review"), decideReview);
    onSubmit($("#refuse"), async (data) => {
      await decideGrant({ id: data.get("id") }, "refuse", { reason: data.get("reason") });
      $("#refuse").hidden = true;
    });
    onSubmit($("#answer"), answer);
  }

  return { start, actFor: (org) => { organisation = org; }, loadReviews, loadCatalog, loadInbox };
})();
