"use strict";
// "Who accessed my data" on /me: the entries about the citizen in every node's audit log
// (/api/v1/me/accesses/cascade), one row per exchange rather than one per logged event, in
// plain words, each entry's inclusion proof checked again in this browser.
const meAccesses = (() => {
  const { T, QUESTIONS } = certfree.PAGE;
  const { el, fill, local } = certfree;

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
  async function verifyEntry(entry, subject, rootHex) {
    const utf8 = new TextEncoder();
    const salt = entry.subjects[subject];
    if (!salt || !entry.record.subjects.includes(hex(await sha256(unhex(salt), utf8.encode(subject))))) return false;
    let hash = await sha256(Uint8Array.of(0), utf8.encode(entry.leaf));
    if (hex(hash) !== entry.leaf_hash) return false;
    let fn = entry.leaf_index, sn = entry.tree_size - 1;
    if (fn > sn) return false;
    for (const step of entry.inclusion_proof.map(unhex)) {
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
  // One check per entry however often its row is drawn (paging, searching).
  const checked = new Map();
  function verified(entry, subject) {
    const key = `${entry.node}#${entry.leaf_index}`;
    if (!checked.has(key)) checked.set(key, verifyEntry(entry, subject, entry.root).catch(() => false));
    return checked.get(key);
  }

  // The events one exchange leaves, in the order they happen (certfree.exchange.protocol.audit):
  // the asker logs the question sent and the answer received, the answerer the question
  // received and its answer (or refusal).
  const ORDER = [
    "request_sent", "verification_request_sent", "request_received", "verification_request_received",
    "answer_sent", "refused", "verification_answer_sent", "answer_received", "verification_answer_received",
  ];
  const rank = (kind) => (ORDER.includes(kind) ? ORDER.indexOf(kind) : ORDER.length);

  // Entries grouped by message id: one exchange, logged by up to four events across nodes.
  // An event already in the group (the same kind twice) is another exchange and gets a row
  // of its own, so no logged entry is ever hidden behind another.
  function group(data) {
    const entries = [];
    for (const part of data.nodes) {
      if (part.status !== "ok") continue;
      for (const access of part.accesses) entries.push({ ...access, node: part.node, root: part.head.root_hash });
    }
    entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : rank(a.kind) - rank(b.kind)));
    const groups = [];
    const open = new Map();  // message id → its groups
    for (const entry of entries) {
      const id = entry.record.message_id;
      const candidates = open.get(id) || [];
      let found = candidates.find((g) => !g.entries.some((e) => e.kind === entry.kind));
      if (!found) {
        found = { entries: [] };
        candidates.push(found);
        open.set(id, candidates);
        groups.push(found);
      }
      found.entries.push(entry);
    }
    return groups.map((g) => {
      g.entries.sort((a, b) => rank(a.kind) - rank(b.kind));
      const first = g.entries[0];
      const pick = (name) => (g.entries.find((e) => e[name] != null) || {})[name] ?? null;
      const answered = g.entries.find((e) => e.kind === "answer_received" && e.answer != null)
        || g.entries.find((e) => e.answer != null);
      // A provider's signed refusal is logged as its answer (a "refusal" message).
      const refusal = answered && answered.answer.type === "refusal" ? answered.answer.body || {} : null;
      const kinds = g.entries.map((e) => e.kind);
      let state = "pending";
      // A data subject's own request, its answer, a change to their data, their objection,
      // a read of their log by another node (governance.subject_rights): the furthest step.
      const own = ["subject_change", "subject_answer", "subject_request", "subject_objection", "subject_log_read"]
        .find((k) => kinds.includes(k));
      if (own) state = own;
      else if (kinds.includes("refused") || refusal) state = "refused";
      else if (kinds.some((k) => k.startsWith("verification_"))) state = "verification";
      // A message that is not a question (a correction, a register notice) is acknowledged,
      // not answered: it revealed nothing about the person.
      else if (answered && answered.answer.type === "ack") state = "delivered";
      else if (answered) state = "answered";
      return {
        at: g.entries.map((e) => e.at).sort()[0],
        consumer: first.consumer,
        provider: first.provider,
        question: pick("question"),
        service_item: pick("service_item"),
        answer: answered ? answered.answer : null,
        refusal: refusal && refusal.detail ? String(refusal.detail) : null,
        state,
        entries: g.entries,
      };
    });
  }

  // A message template filled with nodes: {name} becomes parts[name] (a Node or text).
  function words(template, parts) {
    const out = document.createDocumentFragment();
    String(template).split(/(\{\w+\})/).forEach((piece) => {
      const name = /^\{(\w+)\}$/.exec(piece);
      if (!name) { if (piece) out.append(piece); return; }
      const value = parts[name[1]];
      if (value != null) out.append(value);
    });
    return out;
  }
  const span = (className, text) => el("span", { className, textContent: text });

  // What was asked and, once answered, the answer: "婚姻状况：未婚"; a many-fact answer as
  // "不动产权属（是否登记有不动产：是、登记的不动产数量：2）".
  function fact(access) {
    const title = access.question && QUESTIONS[access.question] ? QUESTIONS[access.question].title : (access.question || T.your_data);
    const question = span("question", title);
    const parts = access.state === "answered" ? answerParts(QUESTIONS, T, access.question, access.answer) : null;
    if (!parts) return question;
    if (parts.length === 1) return words(`{q}${T.colon}{a}`, { q: question, a: span("answer", parts[0].shown) });
    const answer = span("answer", parts.map((p) => `${p.label}${T.colon}${p.shown}`).join(T.sep));
    return words(T.aside, { main: question, note: answer });
  }

  function sentence(access, names) {
    const service = access.service_item
      ? words(T.for_service, { service: el("span", { className: "service-item", textContent: names.service(access.service_item), title: access.service_item }) })
      : null;
    const parts = {
      who: el("span", { className: "who", textContent: names.node(access.consumer), title: access.consumer }),
      provider: el("span", { className: "provider", textContent: names.node(access.provider), title: access.provider }),
      when: span("when", local(access.at)),
      for: service,
    };
    if (access.state === "verification") return words(T["access.verification"], parts);
    if (access.state === "refused" && access.refusal) {
      // The provider's reason, in its own words (its language is the provider's).
      parts.refused = el("span", { className: "refusal", textContent: access.refusal });
      return words(T["access.refused_because"], { ...parts, question: fact(access) });
    }
    if (access.state === "answered") return words(T["access.answered"], { ...parts, fact: fact(access) });
    return words(T[`access.${access.state}`], { ...parts, question: fact(access) });
  }

  function proofs(access, subject, names) {
    const list = el("ul", { className: "proofs" });
    for (const entry of access.entries) {
      const text = fill(T.proof_ok, { index: entry.leaf_index, size: entry.tree_size });
      const proof = span("proof", text);
      const by = fill(T.proof_by, { node: names.node(entry.node), kind: T[`kind.${entry.kind}`] || T["kind.other"] });
      const item = el("li", {}, el("span", { className: "proof-by", textContent: by, title: entry.node }), T.colon, proof);
      item.dataset.node = entry.node;
      item.dataset.leaf = entry.leaf_index;
      list.append(item);
      if (!window.crypto || !crypto.subtle) continue;  // not a secure context: leave "provable"
      verified(entry, subject).then((ok) => {
        proof.textContent = `${ok ? "✓" : "✗"} ${fill(ok ? T.proof_verified : T.proof_failed,
          { index: entry.leaf_index, size: entry.tree_size })}`;
        proof.className = ok ? "proof proof-ok" : "proof invalid";
      });
    }
    return list;
  }

  // Each node's part as a line: its count and log size, or why it is not shown.
  function nodeLines(data, names) {
    const list = certfree.$("#nodes");
    list.replaceChildren();
    if (data.registry_problem) {
      list.append(el("li", { className: "invalid", textContent: fill(T.registry_problem, { detail: data.registry_problem }) }));
    }
    for (const part of data.nodes) {
      const name = names.node(part.node);
      const item = el("li", {
        textContent: part.status === "ok"
          ? fill(T.node_line, { node: name, count: part.accesses.length, size: part.head.tree_size })
          : fill(T[`node.${part.status}`], { node: name, detail: part.detail || "" }),
        className: part.status === "ok" ? "" : "invalid",
      });
      item.dataset.node = part.node;
      item.dataset.status = part.status;
      list.append(item);
    }
  }

  // Rows for certfree.pagedTable: the words a search matches are the item's only enumerable
  // field; the access itself rides along unseen by the search.
  function rows(data, names) {
    return group(data).reverse().map((access) => {  // newest first
      const text = [sentence(access, names).textContent, ...access.entries.map((e) => names.node(e.node))].join(" ");
      return Object.defineProperty({ text }, "access", { value: access });
    });
  }

  function render(row, item, subject, names) {
    const { access } = item;
    row.dataset.node = [...new Set(access.entries.map((e) => e.node))].join(" ");
    row.dataset.message = access.entries[0].record.message_id;
    certfree.cell(row, sentence(access, names), `sentence state-${access.state}`).dataset.label = T.access_what;
    certfree.cell(row, proofs(access, subject, names), "logs").dataset.label = T.access_logs;
  }

  return { rows, render, nodeLines };
})();
