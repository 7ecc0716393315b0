"use strict";
// One piece of evidence of a requirement and the proof that met it, in words: what each way
// keeps (docs/applications.md, "Evidence and its proof"): data sharing — message id, the
// department asked, the node that signed, the answer; e-certificate — type, issuer, the
// disclosed claims, the presentation's SHA-256; commitment — its id and this node's seal;
// department verification — request, department, outcome; cancelled — the basis; paper —
// what the clerk saw.
const deskProof = (() => {
  const { T, PAGE, el, local, fill } = certfree;
  const label = (kind, value) => (PAGE.LABELS[kind] || {})[value] || value;

  // "role:subject" as people read it: the role in words, an ID number masked.
  function actor(text) {
    const [role, ...rest] = String(text || "").split(":");
    const who = rest.join(":");
    const name = T[`actor_${role}`];
    if (!name || !who) return text || "";
    return `${name} ${role === "applicant" ? certfree.mask(who) : who}`;
  }

  const short = (text, keep = 24) => (text && text.length > keep ? `${text.slice(0, keep)}…` : text || "");

  function rows(part) {
    const proof = part.proof || {};
    switch (part.way) {
      case "data_sharing":
        return [
          [T.message_id, el("code", { textContent: proof.message_id || "" })],
          [T.asked, proof.provider],
          [T.signer, proof.signer],
          [T.answer, answerText(PAGE.QUESTIONS, T, proof.question || part.question, proof.answer)],
          [T.answered_at, local(proof.answered_at)],
        ];
      case "e_certificate":
        return [
          [T.cert_type, proof.type],
          [T.issuer, proof.issuer],
          [T.disclosed, Object.entries(proof.disclosed || {}).map(([k, v]) => `${k}${T.colon}${typeof v === "object" ? JSON.stringify(v) : v}`).join(T.sep)],
          [T.presentation, el("code", { textContent: short(proof.presentation_sha256, 16), title: proof.presentation_sha256 || "" })],
        ];
      case "commitment":
        return [[T.commitment, String(proof.commitment_id ?? "")], [T.seal, el("code", { textContent: short(proof.seal) })]];
      case "department_verification":
        return [
          [T.request_id, el("code", { textContent: String(proof.request_id || "") })],
          [T.department, proof.department],
          [T.outcome, proof.outcome ? T[`outcome_${proof.outcome}`] || proof.outcome
            : proof.overdue ? fill(T.aside, { main: T.outcome_pending, note: T.overdue }) : T.outcome_pending],
          [T.deadline, proof.deadline ? local(proof.deadline) : ""],
          [T.note, proof.note || ""],
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
    const block = el("div", { className: `part way-${piece.way || "none"}` },
      el("p", {}, el("strong", { textContent: piece.name || piece.ref }), " ", el("span", { className: "muted", textContent: label("ways", piece.way) || "" }), " ", status));
    if (piece.proof) {
      const list = el("dl", { className: "proof" });
      for (const [name, value] of rows(piece)) {
        if (value === "" || value == null) continue;
        list.append(el("dt", { textContent: name }), el("dd", {}, value));
      }
      block.append(list);
    } else {
      block.append(el("p", { className: "note", textContent: T.no_proof }));
    }
    if (piece.error) block.append(el("p", { className: "invalid", textContent: `${T.error}${T.colon}${piece.error}` }));
    return block;
  }
  return { actor, part, label };
})();
