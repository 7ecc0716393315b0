"use strict";
// One application as the signed-in party sees it (/apply/{id}): the summary, the notice of
// where it stands (a correction asked with the clerk's reason, the decision and the
// certificates sent to the wallet), the receipt, each party's consent and wallet key (each
// party consents for themself, signed in on this page), the requirements (apply_case_parts.js),
// the acts (run, submit, withdraw) and the events. Everything with the person's own token.
(() => {
  const { PAGE, T, $, el, fill, local, api, onSubmit, mask } = certfree;
  const L = PAGE.LABELS;
  const path = `/api/v1/applications/${encodeURIComponent(PAGE.APP)}`;
  const OPEN = new Set(["draft", "submitted", "accepted", "verifying", "correction_requested"]);
  const me = () => certfree.auth.session().subject;
  const words = (zh, en) => (PAGE.LANG === "en" ? en : zh);
  const pairs = (rows) => rows.filter(([, value]) => value !== null && value !== undefined && value !== "")
    .flatMap(([term, value]) => [el("dt", { textContent: term }), el("dd", {}, value)]);
  const badge = (text, kind = "") => el("span", { className: `badge ${kind}`, textContent: text });
  // The node keeping the case is this one (PAGE.NODE): its name, with its code aside.
  const nodeName = (code) => (code === PAGE.NODE.code ? fill(T.aside, { main: PAGE.NODE.name, note: code }) : code);

  function summary(app) {
    $("#summary-h").textContent = app.service_name;
    const tone = app.decision === "approved" ? "good" : app.state === "correction_requested" || app.state === "not_accepted" || app.decision === "refused" ? "bad" : "";
    const state = badge(L.states[app.state], tone);
    state.id = "state";
    let due = null;
    if (app.due_on) due = app.due_estimated ? fill(T.due_estimate, { day: app.due_on }) : app.due_on;
    $("#summary").replaceChildren(...pairs([
      [T.app_id, app.id], [T.state, state], [T.node, nodeName(app.node)], [T.created, local(app.created_at)],
      [T.submitted_at, local(app.submitted_at)], [T.due_on, due && (app.overdue ? `${due} · ${T.overdue}` : due)],
    ]));
    $("#figures").replaceChildren(
      el("li", {}, el("strong", { textContent: fill(T.count, { n: app.proofs_not_demanded }) }), T.not_demanded),
      el("li", {}, el("strong", { textContent: fill(T.trips, { n: app.trips_saved }) }), T.trips_saved));
  }

  const lastEvent = (app, action) => [...app.events].reverse().find((e) => e.action === action);

  // Where the case stands, said once at the top: what the person must do or what they got.
  function notice(app) {
    const body = [];
    let heading = null;
    if (app.state === "correction_requested") {
      const asked = lastEvent(app, "request_correction");
      heading = T.correction;
      const items = ((asked && asked.detail.requirements) || [])
        .map((n) => fill(T.aside, { main: fill(T.requirement_n, { n: n + 1 }), note: app.requirements[n].requirement }));
      body.push(el("p", { className: "reason", textContent: (asked && asked.reason) || "" }));
      if (items.length) body.push(el("p", { textContent: fill(T.correction_items, { items: items.join(T.sep) }) }));
      body.push(el("p", { textContent: T.correction_then }));
    } else if (app.decision_record) {
      const record = app.decision_record;
      heading = `${T.decision}${T.colon}${L.decisions[record.outcome] || words(record.outcome_zh, record.outcome_en)}`;
      body.push(el("dl", {}, ...pairs([[T.decided_at, local(record.decided_at)]])));
      if (record.reason) {
        const cited = record.requirement === null ? null : app.requirements[record.requirement];
        body.push(el("p", { className: "reason", textContent: cited ? fill(T.refused_on, { requirement: cited.requirement, reason: record.reason }) : record.reason }));
      }
      if (app.issued.length) {
        body.push(el("h3", { textContent: T.issued }), el("ul", {}, ...app.issued.map((issued) => el("li", {},
          el("a", { href: "/wallet", textContent: fill(T.issued_item, { name: L.certificates[issued.type] || issued.type_name, holder: mask(issued.holder) }) })))));
      }
    } else if (app.state === "not_accepted") {
      heading = T.not_accepted;
      body.push(el("p", { className: "reason", textContent: (lastEvent(app, "not_accept") || {}).reason || "" }));
    } else if (app.state === "withdrawn") {
      heading = L.states.withdrawn;
      body.push(el("p", { textContent: T.withdrawn }));
    }
    $("#notice").hidden = !heading;
    $("#notice").className = app.state === "correction_requested" ? "attention" : "";
    $("#notice-h").textContent = heading || "";
    $("#notice-body").replaceChildren(...body);
  }

  function receipt(app) {
    $("#receipt").hidden = !app.receipt;
    if (!app.receipt) return;
    const seal = el("details", {}, el("summary", { textContent: T.seal }), el("code", { className: "seal", textContent: app.receipt }));
    $("#receipt-facts").replaceChildren(...pairs([
      [T.app_id, app.id], [T.service, app.service_name], [T.submitted_at, local(app.submitted_at)],
      [T.promised, fill(T.days, { days: app.promised_days })], [T.seal, seal],
    ]));
  }

  async function consentBox(app, party) {
    const form = el("form", { className: "consent", id: "consent-form" },
      el("h4", { textContent: T.consent_title }),
      el("p", { textContent: T.consent_read }),
      el("p", { className: "consent-text", id: "consent-text", textContent: T.loading }),
      el("button", { type: "submit", textContent: T.consent_give }));
    onSubmit(form, async () => {
      const asked = {
        service_item: app.service_item, questions: party.questions,
        purpose: `办理「${app.service_name}」（办件 ${app.id}）`, application: app.id,
      };
      // The province attests; another demo node fetches the attestation from it as this person.
      const attested = PAGE.ATTESTS || !PAGE.DEVELOPMENT
        ? await api("/api/v1/consent/attestations", { method: "POST", body: { ...asked, consumer: app.node, lang: PAGE.LANG } })
        : await api("/dev/consent-attestation", { method: "POST", body: { ...asked, id_number: me(), lang: PAGE.LANG } });
      const holderJwk = await certfreeHolder.publicJwk(me());
      show(await api(`${path}/consent`, { method: "POST", body: { party: me(), attestation: attested.attestation, holder_jwk: holderJwk } }));
    });
    const query = new URLSearchParams({ service_item: app.service_item });
    for (const question of party.questions) query.append("question", question);
    api(`/api/v1/me/consents/preview?${query}`)
      .then((preview) => { $("#consent-text", form).textContent = words(preview.text_zh, preview.text_en); })
      .catch((error) => { $("#consent-text", form).textContent = error.message; });
    return form;
  }

  function walletBox() {
    const form = el("form", { className: "consent", id: "wallet-form" },
      el("h4", { textContent: T.wallet_title }), el("p", { className: "note", textContent: T.wallet_note }),
      el("button", { type: "submit", textContent: T.wallet_give }));
    onSubmit(form, async () => show(await api(`${path}/wallet-key`, {
      method: "POST", body: { party: me(), holder_jwk: await certfreeHolder.publicJwk(me()) },
    })));
    return form;
  }

  async function parties(app) {
    const open = OPEN.has(app.state);
    const cards = [];
    for (const party of app.parties) {
      const mine = party.id === me();
      const asked = party.questions.length > 0;
      const item = el("li", { className: mine ? "mine" : "" },
        el("h3", { textContent: applyParts.whose(party.role, party.id, me()) }),
        el("p", {}, el("span", { className: "id", textContent: mask(party.id) }), " ",
          badge(asked ? (party.consented ? T.consented : T.not_consented) : T.nothing_asked, asked && party.consented ? "good" : ""), " ",
          badge(party.wallet_key ? T.wallet_key : T.no_wallet_key, party.wallet_key ? "good" : "")));
      item.dataset.role = party.role;
      if (open && mine && asked && !party.consented) item.append(await consentBox(app, party));
      else if (open && mine && !party.wallet_key) item.append(walletBox());
      else if (open && !mine && ((asked && !party.consented) || !party.wallet_key)) {
        item.append(el("p", { className: "note", textContent: fill(T.waiting_for, { role: L.roles[party.role], id: app.id }) }));
      }
      cards.push(item);
    }
    $("#parties").replaceChildren(...cards);
  }

  function acts(app) {
    const applicant = app.applicant === me();
    const open = OPEN.has(app.state);
    $("#acts").hidden = !applicant || !open;
    $("#run-form").hidden = !open;
    const submittable = app.state === "draft" || app.state === "correction_requested";
    $("#submit-form").hidden = !submittable;
    $("#submit").textContent = app.state === "correction_requested" ? T.resubmit : T.submit;
  }

  // Who acted, in words: "party 3701**********0018", "desk staff-1".
  function actor(text) {
    const [role, ...rest] = String(text).split(":");
    const who = rest.join(":");
    return `${T[`actor.${role}`] || T["actor.node"]} ${/^[0-9]{17}[0-9X]$/.test(who) ? mask(who) : role === "node" ? nodeName(who) : who}`.trim();
  }
  function eventNote(app, event) {
    if (event.reason) return event.reason;
    const detail = event.detail || {};
    if (event.action === "evidence" && detail.requirement !== undefined) {
      const how = fill(T.aside, { main: L.ways[detail.way] || "", note: L.statuses[detail.status] || "" });
      return `${fill(T.requirement_n, { n: detail.requirement + 1 })}${T.colon}${how}`;
    }
    if (detail.party) return L.parties[detail.party] || "";
    if (detail.role) return L.parties[detail.role] || "";
    return "";
  }
  function events(app) {
    const rows = [...app.events].reverse();  // newest first
    certfree.pagedTable($("#events"), rows, (row, event) => {
      certfree.cell(row, local(event.at)).dataset.label = T.when;
      certfree.cell(row, L.actions[event.action] || words(event.action_zh, event.action_en)).dataset.label = T.what;
      certfree.cell(row, actor(event.actor)).dataset.label = T.who;
      certfree.cell(row, eventNote(app, event)).dataset.label = T.reason;
    }, { pageSize: 10 });
  }

  async function show(app) {
    const open = OPEN.has(app.state);
    const correction = app.state === "correction_requested" ? lastEvent(app, "request_correction") : null;
    const asked = new Set((correction && correction.detail.requirements) || []);
    summary(app);
    notice(app);
    receipt(app);
    await parties(app);
    $("#requirements").replaceChildren(...app.requirements.map((requirement) => applyParts.card(app, requirement, {
      me: me(), open, asked: asked.has(requirement.position), done: show,
    })));
    acts(app);
    events(app);
    $("#case").hidden = false;
    $("#load-error").hidden = true;
    document.body.dataset.state = app.state;
  }

  async function load() {
    try {
      await show(await api(path));
    } catch (error) {
      $("#case").hidden = true;
      $("#load-error").textContent = error.status === 404 ? T.not_found : `${T.failed}${T.colon}${error.message}`;
      $("#load-error").hidden = false;
    }
  }

  onSubmit($("#run-form"), async () => show(await api(`${path}/run`, { method: "POST" })));
  onSubmit($("#submit-form"), async () => show(await api(`${path}/submit`, { method: "POST" })));
  onSubmit($("#withdraw-form"), async (form) => {
    if (!window.confirm(T.withdraw_confirm)) return;
    const reason = String(form.get("reason") || "").trim();
    show(await api(`${path}/withdraw`, { method: "POST", body: { reason: reason || null } }));
  });
  $("#refresh").addEventListener("click", load);
  certfree.setAuth(signIn({
    key: "certfree.me", devPath: "/dev/sign-in", development: PAGE.DEVELOPMENT, failed: T.failed, onChange: load,
  })).start();
})();
