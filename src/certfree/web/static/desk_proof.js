"use strict";
// One piece of evidence of a requirement and the proof that met it, in words: what each way
// keeps (docs/applications.md, "Evidence and its proof"): data sharing — message id, the
// department asked, the node that signed, the answer; e-certificate — type, issuer, the
// disclosed claims, the presentation's SHA-256; commitment — its id and this node's seal;
// department verification — request, department, outcome; cancelled — the basis; paper —
// what the clerk saw. Codes are shown as the names the page knows them by (certificate types,
// organs and nodes, questions); long identifiers shortened, the whole value in their title
// and a copy button beside them.
const deskProof = (() => {
  const { T, PAGE, el, local, fill, mask, maskBy } = certfree;
  const label = (kind, value) => (PAGE.LABELS[kind] || {})[value] || value;
  const ORGANS = PAGE.ORGANS || {};
  const CERT_TYPES = PAGE.CERT_TYPES || {};
  const QUESTIONS = PAGE.QUESTIONS || {};

  // "role:subject" as people read it: the role in words, an ID number masked, a node named.
  function actor(text) {
    const [role, ...rest] = String(text || "").split(":");
    const who = rest.join(":");
    const name = T[`actor_${role}`];
    if (!name || !who) return text || "";
    if (role === "applicant") return `${name} ${mask(who)}`;
    return `${name} ${role === "node" ? ORGANS[who] || who : who}`;
  }

  // A node or issuing organ (node code or USCC) by its registered name, the code in its title.
  function organ(code) {
    if (!code) return "";
    const name = ORGANS[code];
    return name ? el("span", { className: "organ", title: code, textContent: name }) : el("code", { textContent: code });
  }

  const typeName = (code) => (CERT_TYPES[code] || {}).name || code || "";
  const questionTitle = (name) => (QUESTIONS[name] || {}).title || name || "";

  async function copy(text, button) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No clipboard API (a page served over plain HTTP): the selection's copy command.
      const area = el("textarea", { value: text, readOnly: true, className: "copy-source" });
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    button.textContent = T.copied;
    setTimeout(() => { button.textContent = T.copy; }, 2000);
  }

  // A long identifier (message id, digest, JWS) as its head and tail (or `whole`: one people
  // read out, as a certificate's id); the whole value in the title and on the clipboard by the
  // button beside it.
  function longId(text, what, { whole = false } = {}) {
    const full = String(text ?? "");
    if (!full) return "";
    const shown = full.length > 20 && !whole ? `${full.slice(0, 8)}…${full.slice(-6)}` : full;
    const button = el("button", { type: "button", className: "copy secondary", textContent: T.copy });
    button.setAttribute("aria-label", fill(T.copy_what, { what }));
    button.addEventListener("click", () => copy(full, button));
    const code = el("code", { className: whole ? "long-id whole" : "long-id", textContent: shown, title: full });
    code.dataset.full = full;
    return el("span", { className: "long-id-wrap" }, code, " ", button);
  }

  // A disclosed claim's value in words: yes/no, a name, phone, address or ID number masked by
  // its class's rule (certfree.governance.masking), a structure as text.
  function claimValue(kind, name, value) {
    if (value === true) return T.yes;
    if (value === false) return T.no;
    if (value == null) return "—";
    const rule = (kind.masks || {})[name];
    if (rule) return maskBy(rule, value);
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  }

  // The disclosed claims as "label: value", labels from the certificate type's catalogue.
  function claims(type, disclosed) {
    const kind = CERT_TYPES[type] || {};
    const labels = { ...(PAGE.CLAIM_LABELS || {}), ...(kind.labels || {}) };
    const list = el("ul", { className: "claims" });
    for (const [name, value] of Object.entries(disclosed || {})) {
      const item = el("li", {}, el("span", { className: "claim-label", textContent: `${labels[name] || name}${T.colon}` }), claimValue(kind, name, value));
      item.dataset.claim = name;
      list.append(item);
    }
    return list.children.length ? list : "";
  }

  // [term, value, "wide" where the value takes the rest of a line]
  function rows(part) {
    const proof = part.proof || {};
    switch (part.way) {
      case "data_sharing": {
        const question = proof.question || part.question;
        return [
          // The question only where the part's name does not already say it.
          [T.question, questionTitle(question) === part.name ? "" : questionTitle(question), "wide"],
          [T.answer, answerText(QUESTIONS, T, question, proof.answer), "wide"],
          [T.asked, organ(proof.provider)],
          [T.signer, organ(proof.signer)],
          [T.answered_at, local(proof.answered_at)],
          [T.message_id, longId(proof.message_id, T.message_id)],
          [T.signed_answer, longId(proof.answer_jws, T.signed_answer)],
        ];
      }
      case "e_certificate":
        return [
          [T.cert_type, typeName(proof.type)],
          [T.issuer, organ(proof.issuer)],
          [T.disclosed, claims(proof.type, proof.disclosed), "wide"],
          [T.presentation, longId(proof.presentation_sha256, T.presentation)],
        ];
      case "commitment":
        return [[T.commitment, String(proof.commitment_id ?? "")], [T.seal, longId(proof.seal, T.seal)]];
      case "department_verification":
        return [
          [T.department, organ(proof.department)],
          [T.outcome, proof.outcome ? T[`outcome_${proof.outcome}`] || proof.outcome
            : proof.overdue ? fill(T.aside, { main: T.outcome_pending, note: T.overdue }) : T.outcome_pending],
          [T.deadline, proof.deadline ? local(proof.deadline) : ""],
          [T.note, proof.note || ""],
          [T.request_id, longId(proof.request_id, T.request_id)],
        ];
      case "cancelled":
        return [[T.basis, T[`basis_${proof.basis}`] || proof.basis]];
      case "paper":
        return [[T.paper, proof.paper], [T.seen_by, actor(proof.seen_by)]];
      default:
        return [];
    }
  }

  // The part as a block: its name, way and status, then its proof (or that none is kept yet).
  function part(piece) {
    const status = el("span", { className: `badge status-${piece.status}${piece.status === "met" ? " good" : piece.status === "failed" ? " bad" : ""}`, textContent: label("statuses", piece.status) });
    const name = piece.name || (QUESTIONS[piece.ref] ? questionTitle(piece.ref) : CERT_TYPES[piece.ref] ? typeName(piece.ref) : piece.ref);
    const block = el("div", { className: `part way-${piece.way || "none"}` },
      el("h4", {}, el("span", { textContent: name }), " ", el("span", { className: "muted part-way", textContent: label("ways", piece.way) || "" }), " ", status));
    if (piece.proof) {
      const list = el("dl", { className: "proof" });
      for (const [term, value, wide] of rows(piece)) {
        if (value === "" || value == null) continue;
        list.append(el("dt", { textContent: term, className: wide || "" }), el("dd", { className: wide || "" }, value));
      }
      block.append(list);
    } else {
      block.append(el("p", { className: "note", textContent: T.no_proof }));
    }
    if (piece.error) block.append(el("p", { className: "invalid", textContent: `${T.error}${T.colon}${piece.error}` }));
    return block;
  }
  return { actor, part, label, longId, organ, typeName };
})();
