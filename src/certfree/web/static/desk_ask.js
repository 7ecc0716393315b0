"use strict";
// What the server rendered for this page (a JSON data block, not a script: CSP allows
// only the node's own script files).
const PAGE = JSON.parse(document.getElementById("page-data").textContent);
const T = PAGE.T;
const QUESTIONS = PAGE.QUESTIONS;
const DEVELOPMENT = PAGE.DEVELOPMENT;
const $ = (selector) => document.querySelector(selector);
const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, name) => String(values[name]));

async function call(method, path, body, token) {
  const headers = { Authorization: `Bearer ${token || auth.session().token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json();
  if (!response.ok) {
    // RFC 9457 problem: name the field at fault when there is one.
    const field = data.field ? ` [${data.field}]` : "";
    throw new Error(`${data.detail || data.title || T.failed}${field}`);
  }
  return data;
}

function showParams() {
  const box = $("#params");
  box.replaceChildren();
  for (const p of QUESTIONS[$("#question").value].params) {
    const label = Object.assign(document.createElement("label"), { htmlFor: `arg-${p.name}`, textContent: p.label });
    let input;
    if (p.values.length) {
      input = document.createElement("select");
      if (!p.required) input.append(new Option("—", ""));
      for (const v of p.values) input.append(new Option(v, v));
    } else {
      input = Object.assign(document.createElement("input"), { autocomplete: "off" });
    }
    Object.assign(input, { id: `arg-${p.name}`, name: p.name, required: p.required });
    input.dataset.arg = p.name;
    box.append(label, input);
  }
}
function form() {
  const question = QUESTIONS[$("#question").value];
  const args = {};
  for (const input of document.querySelectorAll("[data-arg]")) {
    const value = input.value.trim();
    if (value) args[input.dataset.arg] = value;
  }
  const subjects = question.params.filter((p) => p.subject && args[p.name]).map((p) => args[p.name]);
  return {
    question: $("#question").value,
    provider: $("#provider").value.trim(),
    service_item: $("#service_item").value.trim(),
    purpose: $("#purpose").value.trim(),
    args,
    subjects,
  };
}

async function preview() {
  const asked = form();
  const params = new URLSearchParams({ service_item: asked.service_item, question: asked.question });
  $("#consent").hidden = false;
  $("#consent-state").textContent = "";
  try {
    const shown = await call("GET", `/api/v1/me/consents/preview?${params}`);
    $("#preview-text").textContent = document.documentElement.lang === "en" ? shown.text_en : shown.text_zh;
  } catch (error) {
    $("#preview-text").textContent = error.message;
  }
}
// The applicants' consent attestations, signed by the province, by ID number: they travel
// with the question and the department checks them before it answers.
const ATTESTED = new Map();
async function devConsent() {
  // The applicant's own act: on a demo node, this node fetches the province's attestation as
  // the applicant (the province's demo sign-in); in production they sign in at the province.
  const asked = form();
  const state = $("#consent-state");
  try {
    for (const subject of asked.subjects) {
      const attested = await call("POST", "/dev/consent-attestation", {
        id_number: subject, service_item: asked.service_item, questions: [asked.question], purpose: asked.purpose,
      });
      ATTESTED.set(attested.claims.sub, attested.attestation);
    }
    state.textContent = fill(T.consented_subject, { subject: asked.subjects.join(T.sep) });
    state.className = "ok";
  } catch (error) {
    state.textContent = error.message;
    state.className = "invalid";
  }
}
async function send(event) {
  event.preventDefault();
  const asked = form();
  const button = $("#send");
  button.disabled = true;
  button.textContent = T.sending;
  $("#result").hidden = false;
  for (const id of ["#signed", "#route", "#message-id", "#jws"]) $(id).textContent = "";
  const started = performance.now();
  try {
    const body = await call("POST", "/api/v1/exchange/ask", {
      question: asked.question, provider: asked.provider, args: asked.args,
      service_item: asked.service_item, purpose: asked.purpose,
      consents: asked.subjects.filter((subject) => ATTESTED.has(subject)).map((subject) => ATTESTED.get(subject)),
    });
    const ms = Math.round(performance.now() - started);
    $("#answer").textContent = answerText(QUESTIONS, T, body.question, body.answer);
    $("#answer").className = "ok";
    $("#signed").textContent = fill(T.signed, { node: body.provider });
    $("#route").textContent = `${body.route.join(T.arrow)}（${fill(T.took, { ms })}）`;
    $("#message-id").textContent = body.message_id;
    $("#jws").textContent = body.answer_jws;
    const links = $("#applicant-links");
    if (links) {
      links.replaceChildren(...asked.subjects.map((subject) => Object.assign(document.createElement("a"), {
        href: `/me?as=${encodeURIComponent(subject)}`, textContent: `${T.applicant_view}（${subject}）`, target: "_blank",
      })));
    }
  } catch (error) {
    $("#answer").textContent = `${T.refused}${T.colon}${error.message}`;
    $("#answer").className = "invalid";
  } finally {
    button.disabled = false;
    button.textContent = T.send;
  }
}

$("#question").addEventListener("change", showParams);
$("#service_item").addEventListener("change", () => {
  const option = [...$("#service-items").options].find((o) => o.value === $("#service_item").value.trim());
  if (option && !$("#purpose").value) $("#purpose").value = option.textContent;
});
$("#preview").addEventListener("click", preview);
$("#ask").addEventListener("submit", send);
const devConsentButton = $("#dev-consent");
if (devConsentButton) devConsentButton.addEventListener("click", devConsent);
// Opened from a case (/desk/applications/{id}?…): ?application=<id>&requirement=<n>&part=<i>
// fills in its service item, the requirement's question and department, and the party it is
// about, read from the case with the clerk's token (no ID number travels in the address).
async function prefill() {
  const given = new URLSearchParams(location.search);
  const id = given.get("application");
  if (!id) return;
  try {
    const app = await call("GET", `/api/v1/applications/${encodeURIComponent(id)}`);
    const slot = app.requirements.find((r) => String(r.position) === given.get("requirement"));
    const part = slot ? slot.parts[Number(given.get("part") || 0)] : null;
    if (part && QUESTIONS[part.question]) $("#question").value = part.question;
    showParams();
    if (part && part.node) $("#provider").value = part.node;
    $("#service_item").value = app.service_item;
    $("#purpose").value = fill(T.purpose_case, { service: app.service_name, id: app.id });
    const subject = slot && slot.subject ? slot.subject : app.applicant;
    const first = QUESTIONS[$("#question").value].params.find((p) => p.subject);
    if (first) $(`#arg-${first.name}`).value = subject;
  } catch (error) {
    $("#result").hidden = false;
    $("#answer").textContent = error.message;
    $("#answer").className = "invalid";
  }
}
showParams();
const auth = signIn({ key: "certfree.desk", devPath: "/dev/staff-sign-in", development: DEVELOPMENT, failed: T.failed, onChange: prefill });
auth.start();
