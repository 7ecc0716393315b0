"use strict";
// One case at the desk (/desk/applications/{id}): its facts, each requirement with its party,
// way, evidence and proof, the form, the events, and the acts its state allows. Every act is
// the API's (problems shown beside the field they name); the page then shows the case again.
const { T, PAGE, $, $$, local, mask, api, cell, el, fill, onSubmit } = certfree;
const PATH = `/api/v1/applications/${encodeURIComponent(PAGE.APP_ID)}`;
const label = deskProof.label;
const aside = (main, note) => fill(T.aside, { main, note });
// The acts each state allows (applications/lifecycle.py); approval also needs every
// requirement met, and paper only where a requirement's plan still takes it.
const ACTS = {
  draft: ["run"],
  submitted: ["accept", "not-accept", "run", "approve", "refuse"],
  accepted: ["correction", "run", "approve", "refuse"],
  verifying: ["correction", "run", "approve", "refuse"],
  correction_requested: ["run"],
};
const OPEN = new Set(Object.keys(ACTS));
let app = null;

function fact(list, name, ...value) {
  list.append(el("dt", { textContent: name }), el("dd", {}, ...value));
}

function showFacts() {
  const list = $("#facts");
  list.replaceChildren();
  fact(list, T.service, el("span", { id: "service", textContent: app.service_name }), " ", el("code", { className: "item-code", textContent: app.service_item }));
  fact(list, T.state, el("span", { className: `badge state-${app.state}`, id: "state", textContent: label("states", app.state) }));
  const parties = el("ul", { className: "parties" });
  for (const p of app.parties) {
    const marks = [p.consented ? T.consented : T.not_consented];
    if (p.wallet_key) marks.push(T.wallet_key);
    parties.append(el("li", { textContent: aside(`${label("roles", p.role)} ${mask(p.id)}`, marks.join(T.sep)) }));
  }
  fact(list, T.parties, parties);
  fact(list, T.received, app.submitted_at ? local(app.submitted_at) : T.not_submitted);
  fact(list, T.promised, fill(T.promised_days, { days: app.promised_days }));
  if (app.due_on) fact(list, T.due, deskTime.dueCell(app));
  fact(list, T.receipt, app.receipt ? T.receipt_sealed : T.none);
  fact(list, T.figures_label, fill(T.figures, { proofs: app.proofs_not_demanded, trips: app.trips_saved }));
  const decision = app.decision_record;
  if (decision) {
    fact(list, T.decision, el("span", { id: "decision", className: `badge ${decision.outcome === "approved" ? "good" : "bad"}`, textContent: label("decisions", decision.outcome) }));
    if (decision.requirement != null) fact(list, T.decision_requirement, requirementName(decision.requirement));
    if (decision.reason) fact(list, T.decision_reason, decision.reason);
    fact(list, T.decided_at, local(decision.decided_at));
  }
  if (app.issued.length) {
    const issued = el("ul", { className: "parties" });
    for (const c of app.issued) {
      issued.append(el("li", {}, aside(c.type_name, `${label("roles", c.party)} ${mask(c.holder)}`), " ", deskProof.longId(c.certificate_id, T.certificate_id, { whole: true })));
    }
    fact(list, T.issued, issued);
  }
  $("#ask-link").href = askLink(null, 0);
}

const requirementName = (position) => {
  const found = app.requirements.find((r) => r.position === position);
  return found ? `${position + 1}. ${found.requirement}` : String(position + 1);
};

// The desk's one-question tool, filled in for this case (and one piece of a requirement's
// evidence): the tool reads the case itself, so no ID number travels in the address.
function askLink(slot, index) {
  const params = new URLSearchParams({ application: app.id });
  if (slot) { params.set("requirement", String(slot.position)); params.set("part", String(index)); }
  return `/desk/ask?${params}`;
}

function paperForm(slot) {
  const id = `paper-${slot.position}`;
  const form = el("form", { className: "paper", noValidate: true },
    el("label", { htmlFor: id, textContent: T.paper_note }),
    el("input", { id, name: "note", maxLength: 500, autocomplete: "off" }),
    el("button", { type: "submit", textContent: T.paper_send }));
  onSubmit(form, async (data) => {
    await act("paper", { requirement: slot.position, note: String(data.get("note") || "") }, T.record_paper);
  });
  return form;
}

// Each requirement as a card: its number and name, party, way and status on top, then its
// evidence across the card's whole width (a proof's identifiers need the room).
function showRequirements() {
  const list = $("#requirements");
  list.replaceChildren();
  for (const slot of app.requirements) {
    const status = el("span", { className: `badge${slot.status === "met" ? " good" : slot.status === "failed" ? " bad" : ""}`, textContent: label("statuses", slot.status) });
    const heading = `requirement-${slot.position}`;
    const item = el("li", { className: `requirement state-${slot.status}` },
      el("div", { className: "req-head" },
        el("h3", { id: heading },
          el("span", { className: "no", textContent: `${slot.position + 1}.` }), " ",
          el("span", { className: "name", textContent: slot.requirement })),
        el("span", { className: "status" }, status)),
      el("dl", { className: "req-facts" },
        el("dt", { textContent: T.col_party }), el("dd", { className: "party", textContent: `${label("roles", slot.party)} ${mask(slot.subject)}` }),
        el("dt", { textContent: T.col_way }), el("dd", { className: "way", textContent: label("ways", slot.way) || "—" })));
    item.dataset.position = String(slot.position);
    item.setAttribute("aria-labelledby", heading);
    const proof = el("div", { className: "evidence" });
    // The paper the clerk records is the requirement's (one form), under its first paper part.
    const paperAt = OPEN.has(app.state) ? slot.parts.findIndex((p) => p.way === "paper" && p.status === "paper_required") : -1;
    for (const [index, part] of slot.parts.entries()) {
      const block = deskProof.part(part);
      if (part.way === "data_sharing" && OPEN.has(app.state)) {
        block.append(el("p", {}, el("a", { href: askLink(slot, index), textContent: T.ask_department })));
      }
      if (index === paperAt) block.append(paperForm(slot));
      proof.append(block);
    }
    item.append(proof);
    list.append(item);
  }
}

function showForm() {
  const list = $("#form");
  list.replaceChildren();
  for (const [name, value] of Object.entries(app.form || {})) fact(list, T[`form_${name}`] || name, String(value));
  $("#form-empty").hidden = Object.keys(app.form || {}).length > 0;
}

function showEvents() {
  const body = $("#events tbody");
  body.replaceChildren();
  for (const event of app.events) {
    const tr = body.insertRow();
    tr.dataset.action = event.action;
    cell(tr, local(event.at)).dataset.label = T.col_at;
    cell(tr, deskProof.actor(event.actor)).dataset.label = T.col_actor;
    cell(tr, label("actions", event.action)).dataset.label = T.col_action;
    const change = event.from_state && event.from_state !== event.to_state
      ? `${label("states", event.from_state)}${T.arrow}${label("states", event.to_state)}` : label("states", event.to_state);
    cell(tr, change).dataset.label = T.col_change;
    let why = event.reason || "";
    const named = (event.detail || {}).requirements;
    if (Array.isArray(named) && named.length) why = [why, fill(T.corrections_named, { items: named.map(requirementName).join(T.sep) })].filter(Boolean).join(" ");
    cell(tr, why, "reason").dataset.label = T.col_reason;
  }
}

function showActions() {
  const allowed = new Set(ACTS[app.state] || []);
  const forms = { accept: "#accept-form", "not-accept": "#not-accept-form", correction: "#correction-form", run: "#run-form", approve: "#approve-form", refuse: "#refuse-form" };
  for (const [name, selector] of Object.entries(forms)) {
    $(selector).hidden = !allowed.has(name);
    certfree.clearProblems($(selector));
  }
  $("#no-actions").hidden = allowed.size > 0;
  $("#no-actions").textContent = fill(T.no_actions, { state: label("states", app.state) });
  $("#accept-hint").textContent = fill(T.accept_hint, { days: app.promised_days });
  const allMet = app.requirements.every((r) => r.status === "met");
  $("#approve").hidden = !allMet;
  $("#approve-blocked").hidden = allMet;
  // Only this item's requirements can be corrected or cited (清单之外无证明).
  const items = $("#correction-items");
  for (const old of $$("div", items)) old.remove();
  const select = $("#refuse-requirement");
  select.replaceChildren(el("option", { value: "", textContent: T.choose }));
  for (const slot of app.requirements) {
    const id = `correct-${slot.position}`;
    const ways = [...new Set(slot.parts.map((p) => label("ways", p.way)).filter(Boolean))].join(T.sep);
    items.append(el("div", { className: "check" },
      el("input", { type: "checkbox", id, name: "position", value: String(slot.position) }),
      el("label", { htmlFor: id, textContent: aside(`${slot.position + 1}. ${slot.requirement}`, `${label("roles", slot.party)}${T.semi}${fill(T.ways_allowed, { ways: ways || "—" })}`) })));
    select.append(el("option", { value: String(slot.position), textContent: `${slot.position + 1}. ${slot.requirement}` }));
  }
}

function show() {
  for (const id of ["#summary", "#actions", "#requirements-section", "#form-section", "#events-section"]) $(id).hidden = false;
  showFacts();
  showRequirements();
  showForm();
  showEvents();
  showActions();
}

async function load() {
  $("#load-error").textContent = "";
  try {
    app = await api(PATH);
  } catch (error) {
    $("#load-error").textContent = error.status === 404 ? T.not_found : error.message;
    return;
  }
  show();
}

// An act of the desk: POST it, show the case as the API answers, say what was done.
async function act(path, body, done) {
  $("#done").textContent = "";
  app = await api(`${PATH}/${path}`, { method: "POST", body });
  show();
  $("#done").textContent = fill(T.done, { act: done });
}

onSubmit($("#accept-form"), () => act("accept", undefined, T.accept));
onSubmit($("#not-accept-form"), (data) => act("not-accept", { reason: String(data.get("reason")) }, T.not_accept));
onSubmit($("#correction-form"), (data) => {
  const named = data.getAll("position").map(Number);
  // Said here in the page's language; the API would refuse an empty list the same way.
  if (!named.length) throw Object.assign(new Error(T.correction_none), { field: "requirements" });
  return act("request-correction", { reason: String(data.get("reason")), requirements: named }, T.correction);
});
onSubmit($("#run-form"), () => act("run", undefined, T.run));
onSubmit($("#approve-form"), () => act("decide", { approve: true }, T.approve));
onSubmit($("#refuse-form"), (data) => {
  const chosen = String(data.get("requirement") || "");
  return act("decide", { approve: false, reason: String(data.get("reason")), requirement: chosen === "" ? null : Number(chosen) }, T.refuse);
});

certfree.setAuth(signIn({
  key: "certfree.desk", devPath: "/dev/staff-sign-in", development: PAGE.DEVELOPMENT, failed: T.failed, onChange: load,
})).start();
