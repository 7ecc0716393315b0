"use strict";
// The certificates tab of /dept: issue a type the organ issues (the form built from the type's
// face-data fields, GET /api/v1/cert-types/{code}), list the organ's certificates, suspend,
// resume, and revoke with a reason. Problems land beside the field they name.
const deptCerts = (() => {
  const { PAGE, T, $, api, onSubmit, cell, el, fill, local, mask, pagedTable, showProblem } = certfree;
  const L = PAGE.LABELS;
  const TYPE_NAMES = Object.fromEntries(PAGE.TYPES.map((t) => [t.code, t.name]));
  const english = document.documentElement.lang === "en";
  let kind = null; // the chosen type as GET /api/v1/cert-types/{code} gives it
  let table = null;

  // The types the organ's department issues (a node code 370100-MZ names it; a USCC does not,
  // then every type is offered and the API refuses the others).
  function offerTypes(organisation) {
    const match = /^\d{6}-([A-Z]{2})$/.exec(organisation || "");
    const types = PAGE.TYPES.filter((t) => !match || t.department === match[1]);
    const select = $("#type_code");
    select.replaceChildren(...types.map((t) => new Option(t.name, t.code)));
    $("#no-types").hidden = types.length > 0;
    $("#issue").hidden = types.length === 0;
    if (types.length) showFields();
  }

  function input(field) {
    let control;
    if (field.type === "enum") {
      control = el("select");
      if (!field.required) control.append(new Option("—", ""));
      // Face data is Chinese (the certificate's own words); English names the few it can.
      for (const value of field.values || []) control.append(new Option(T[`face_value.${value}`] || value, value));
    } else {
      control = el("input", { autocomplete: "off" });
      control.type = field.type === "date" ? "date" : field.type === "integer" ? "number" : "text";
      if (field.max_length) control.maxLength = field.max_length;
      if (field.minimum != null) control.min = field.minimum;
      if (field.maximum != null) control.max = field.maximum;
    }
    Object.assign(control, { id: `face-${field.name}`, name: field.name, required: field.required });
    control.dataset.face = field.type;
    return control;
  }

  async function showFields() {
    const box = $("#face-fields");
    box.replaceChildren();
    kind = await api(`/api/v1/cert-types/${encodeURIComponent($("#type_code").value)}`);
    for (const field of kind.fields) {
      const label = el("label", { htmlFor: `face-${field.name}`, textContent: english ? field.label_en : field.label });
      box.append(el("div", { className: "field" }, label, input(field)));
    }
  }

  function faceData() {
    const face = {};
    for (const control of certfree.$$("[data-face]", $("#face-fields"))) {
      const value = control.value.trim();
      if (value === "") continue;
      face[control.name] = control.dataset.face === "integer" && /^-?\d+$/.test(value) ? Number(value) : value;
    }
    return face;
  }

  // The holder's wallet key when they gave it at the counter; none: they claim it later.
  function holderKey() {
    const text = $("#holder_jwk").value.trim();
    if (!text) return undefined;
    try {
      const jwk = JSON.parse(text);
      if (jwk && typeof jwk === "object" && !Array.isArray(jwk)) return jwk;
    } catch { /* shown below */ }
    const error = new Error(T.holder_key_hint);
    error.field = "holder_jwk";
    throw error;
  }

  async function issue() {
    const face = faceData();
    const body = {
      type_code: kind.code, holder_id: face[kind.holder_field] || "", face_data: face, holder_jwk: holderKey(),
    };
    try {
      const issued = await api("/api/v1/certificates", { method: "POST", body });
      $("#issue-result").textContent = fill(T.issued_msg, { type: TYPE_NAMES[issued.type_code], id: issued.identifier });
      for (const control of certfree.$$("[data-face]", $("#face-fields"))) {
        if (control.tagName === "SELECT") control.selectedIndex = 0; else control.value = "";
      }
      $("#holder_jwk").value = "";
      await load();
    } catch (error) {
      // The holder is one of the face fields: a problem about the holder goes beside it.
      if (["holder", "holder_id"].includes(error.field)) error.field = kind.holder_field;
      throw error;
    }
  }

  function actionButton(text, onClick, secondary = true) {
    const button = el("button", { type: "button", textContent: text, ...(secondary ? { className: "secondary" } : {}) });
    button.addEventListener("click", onClick);
    return button;
  }

  async function change(item, verb, message) {
    const line = $("#cert-result");
    try {
      await api(`/api/v1/certificates/${encodeURIComponent(item.identifier)}/${verb}`, { method: "POST" });
      line.className = "ok";
      line.textContent = fill(message, { id: item.identifier });
      await load();
    } catch (error) {
      line.className = "form-error";
      line.textContent = error.message;
    }
  }

  function openRevoke(item) {
    const form = $("#revoke");
    certfree.clearProblems(form);
    form.elements.identifier.value = item.identifier;
    form.elements.reason.value = "";
    $("#revoke-what").textContent = fill(T.revoke_what, {
      type: TYPE_NAMES[item.type_code] || item.type_name, holder: mask(item.holder_id), id: item.identifier,
    });
    form.hidden = false;
    $("#revoke-h").focus();
  }

  function render(row, item) {
    row.dataset.identifier = item.identifier;
    const labels = [T.type, T.holder, T.identifier, T.issued_at, T.valid_to, T.status, T.actions];
    cell(row, TYPE_NAMES[item.type_code] || item.type_name);
    cell(row, mask(item.holder_id));
    cell(row, el("code", { textContent: item.identifier }), "ident");
    cell(row, local(item.issued_at), "nowrap");
    cell(row, item.valid_to || T.permanent, "nowrap");
    const status = el("span", { className: `badge ${item.status === "issued" ? "good" : "bad"}`, textContent: L.cert_status[item.status] });
    const state = cell(row, status);
    if (!item.holder_key_bound) state.append(" ", el("span", { className: "badge", textContent: T.unclaimed }));
    const actions = el("div", { className: "row-actions" });
    if (item.status === "issued") actions.append(actionButton(T.suspend, () => change(item, "suspend", T.suspended_msg)));
    if (item.status === "suspended") actions.append(actionButton(T.resume, () => change(item, "resume", T.resumed_msg)));
    if (item.status === "issued" || item.status === "suspended") actions.append(actionButton(T.revoke, () => openRevoke(item), false));
    cell(row, actions);
    [...row.cells].forEach((td, i) => { td.dataset.label = labels[i]; });
  }

  async function load() {
    const items = await api("/api/v1/certificates");
    if (table) table.redraw(items);
    else table = pagedTable($("#certs"), items, render, { search: $("#certs-search"), empty: $("#certs-empty") });
  }

  function start() {
    $("#type_code").addEventListener("change", () => showFields().catch((error) => showProblem($("#issue"), error)));
    onSubmit($("#issue"), issue);
    onSubmit($("#revoke"), async (data) => {
      const id = data.get("identifier");
      await api(`/api/v1/certificates/${encodeURIComponent(id)}/revoke`, { method: "POST", body: { reason: data.get("reason") } });
      $("#revoke").hidden = true;
      $("#cert-result").className = "ok";
      $("#cert-result").textContent = fill(T.revoked_msg, { id });
      await load();
    });
  }

  return { start, actFor: offerTypes, load };
})();
