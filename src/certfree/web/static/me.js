"use strict";
// What the server rendered for this page (a JSON data block, not a script: CSP allows
// only the node's own script files).
const PAGE = JSON.parse(document.getElementById("page-data").textContent);
const T = PAGE.T;
const QUESTIONS = PAGE.QUESTIONS;
const CERT_TYPES = PAGE.CERT_TYPES;
const DEVELOPMENT = PAGE.DEVELOPMENT;
const $ = (selector) => document.querySelector(selector);

const clock = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});
function local(iso) {
  if (!iso) return "";
  // The API writes microseconds; Date parses at most milliseconds reliably.
  const parts = {};
  for (const p of clock.formatToParts(new Date(iso.replace(/(\.\d{3})\d+/, "$1")))) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}
function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text == null ? "" : String(text);
  if (className) td.className = className;
  return td;
}
function questionTitle(name) {
  return name && QUESTIONS[name] ? fill(T.aside, { main: QUESTIONS[name].title, note: name }) : (name || "—");
}

async function call(method, path) {
  const me = auth.session();
  const response = await fetch(path, { method, headers: { Authorization: `Bearer ${me.token}` } });
  if (response.status === 401) { auth.signOut(); throw new Error(T.failed); }
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail || body.title || T.failed);
  return body;
}
function fillTable(id, rows, addRow) {
  const tbody = $(`#${id} tbody`);
  tbody.replaceChildren();
  for (const item of rows) addRow(tbody.insertRow(), item);
  $(`[data-empty="${id}"]`).hidden = rows.length > 0;
  $(`#${id}`).hidden = rows.length === 0;
}

// RFC 9162 §2.1.3.2: recompute the root from the leaf and its inclusion path. Also check the
// leaf names me: SHA-256(salt || my ID number) is among its subject commitments. Needs
// WebCrypto, which browsers give only to secure contexts (HTTPS or loopback).
const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (text) => Uint8Array.from(text.match(/../g) || [], (h) => parseInt(h, 16));
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const sha256 = async (...parts) => new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...parts)));
async function verifyAccess(access, subject, rootHex) {
  const utf8 = new TextEncoder();
  const salt = access.subjects[subject];
  if (!salt || !access.record.subjects.includes(hex(await sha256(unhex(salt), utf8.encode(subject))))) return false;
  let hash = await sha256(Uint8Array.of(0), utf8.encode(access.leaf));
  if (hex(hash) !== access.leaf_hash) return false;
  let fn = access.leaf_index, sn = access.tree_size - 1;
  if (fn > sn) return false;
  for (const step of access.inclusion_proof.map(unhex)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      hash = await sha256(Uint8Array.of(1), step, hash);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      hash = await sha256(Uint8Array.of(1), hash, step);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 && hex(hash) === rootHex;
}

function showAccesses(data) {
  // data: every node's part (/api/v1/me/accesses/cascade); each row is proved against the
  // signed head of the node that logged it.
  const list = $("#nodes");
  list.replaceChildren();
  if (data.registry_problem) {
    list.append(Object.assign(document.createElement("li"), {
      className: "invalid", textContent: fill(T.registry_problem, { detail: data.registry_problem }),
    }));
  }
  const rows = [];
  for (const part of data.nodes) {
    const item = document.createElement("li");
    item.dataset.node = part.node;
    item.dataset.status = part.status;
    if (part.status === "ok") {
      item.textContent = fill(T.node_line, { node: part.node, count: part.accesses.length, size: part.head.tree_size });
      for (const access of part.accesses) rows.push({ ...access, node: part.node, root: part.head.root_hash });
    } else {
      item.textContent = fill(T[`node.${part.status}`], { node: part.node, detail: part.detail || "" });
      item.className = "invalid";
    }
    list.append(item);
  }
  rows.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));  // newest first
  fillTable("accesses", rows, (row, a) => {
    row.dataset.leaf = a.leaf_index;
    row.dataset.node = a.node;
    cell(row, local(a.at));
    cell(row, a.node, "node");
    cell(row, a.consumer).title = `${T.provider}${T.colon}${a.provider}`;
    cell(row, questionTitle(a.question), "question");
    cell(row, a.service_item || "—", "service-item");
    cell(row, answerText(QUESTIONS, T, a.question, a.answer), "answer");
    const proof = cell(row, fill(T.proof_ok, { index: a.leaf_index, size: a.tree_size }), "proof");
    if (!window.crypto || !crypto.subtle) return;  // not a secure context: leave "provable"
    verifyAccess(a, data.subject, a.root).then((verified) => {
      proof.textContent = `${verified ? "✓" : "✗"} ${fill(verified ? T.proof_verified : T.proof_failed,
        { index: a.leaf_index, size: a.tree_size })}`;
      proof.className = verified ? "proof proof-ok" : "proof invalid";
    });
  });
}
function showConsents(consents) {
  fillTable("consents", consents, (row, c) => {
    row.dataset.id = c.id;
    cell(row, c.service_item, "service-item");
    cell(row, c.questions.map(questionTitle).join(T.sep));
    cell(row, c.data_items.join(T.sep));
    cell(row, local(c.given_at));
    cell(row, local(c.expires_at));
    cell(row, T[`state.${c.state}`] || c.state, `state state-${c.state}`);
    const actions = row.insertCell();
    if (c.state === "valid") {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "revoke";
      button.textContent = T.revoke;
      button.addEventListener("click", () => revoke(c.id, button));
      actions.append(button);
    }
  });
}
function showUses(uses) {
  fillTable("uses", uses, (row, u) => {
    cell(row, local(u.used_at));
    cell(row, u.verifier_org ? fill(T.aside, { main: u.verifier_org, note: u.verifier }) : u.verifier);
    const kind = CERT_TYPES[u.type_code] || { name: u.type_code || u.certificate_id, labels: {} };
    cell(row, kind.name, "certificate").title = u.certificate_id;
    cell(row, u.purpose || "—");
    cell(row, u.disclosed.map((name) => kind.labels[name] || name).join(T.sep) || "—", "disclosed");
    cell(row, u.valid ? T.passed : fill(T.aside, { main: T.not_passed, note: u.reasons.join(T.sep) }), u.valid ? "" : "invalid");
  });
}

async function revoke(id, button) {
  if (!window.confirm(T.revoke_confirm)) return;
  button.disabled = true;
  try {
    await call("POST", `/api/v1/me/consents/${encodeURIComponent(id)}/revoke`);
    showConsents(await call("GET", "/api/v1/me/consents"));
  } catch (error) {
    button.disabled = false;
    window.alert(error.message);
  }
}
async function load() {
  const sections = [
    ["/api/v1/me/accesses/cascade", showAccesses, "accesses"],
    ["/api/v1/me/consents", showConsents, "consents"],
    ["/api/v1/me/certificate-uses", showUses, "uses"],
  ];
  await Promise.all(sections.map(async ([path, show, id]) => {
    try { show(await call("GET", path)); } catch (error) {
      const empty = $(`[data-empty="${id}"]`);
      empty.textContent = `${T.failed}${T.colon}${error.message}`;
      empty.hidden = false;
    }
  }));
}
const auth = signIn({ key: "certfree.me", devPath: "/dev/sign-in", development: DEVELOPMENT, failed: T.failed, onChange: load });
auth.start();
