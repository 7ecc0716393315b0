"use strict";
// /me, "My data rights" (PIPL Art. 44–50): download what this node holds about me (JSON or a
// readable page), ask a department for a correction and follow it (state, deadline, answer
// and reason, the certificates re-issued), refuse a kind of use and withdraw the refusal.
// Uses me.js's table helpers (showTable, cells, searchable, badge, names).
const meRights = (() => {
  const { T } = certfree.PAGE;
  const { $, api, el, fill, local } = certfree;
  const english = document.documentElement.lang === "en";
  // A state standing alone (a badge) begins with a capital in English (web/i18n.py alone).
  const alone = (words) => (english ? words.charAt(0).toUpperCase() + words.slice(1) : words);

  function save(blob, filename) {
    const link = el("a", { href: URL.createObjectURL(blob), download: filename });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  async function download(shape) {
    const lang = document.documentElement.lang;
    const query = shape === "html" ? `?format=html&lang=${encodeURIComponent(lang)}` : "";
    const result = $("#download-result");
    try {
      const response = await api(`/api/v1/me/data${query}`, { raw: true });
      save(await response.blob(), `my-data.${shape}`);
      result.className = "ok";
      result.textContent = T.downloaded;
    } catch (error) {
      result.className = "form-error";
      result.textContent = error.message || T.failed;
    }
  }

  function requestRow(row, { value: r }) {
    row.dataset.request = r.request_id;
    row.dataset.status = r.status;
    const state = el("span", {}, badge(alone(english ? r.status_en : r.status_zh), `state-${r.status}`));
    if (r.delivery === "queued") state.append(" ", el("span", { className: "muted small", textContent: T.delivery_queued }));
    const answer = r.answered_at
      ? el("span", { className: "answer-reason", textContent: r.answer_reason || "" })
      : el("span", { className: "muted", textContent: T.no_answer });
    const reissued = el("span");
    for (const c of r.reissued) {
      const link = el("a", { href: "#", textContent: T.add_to_wallet, title: c.identifier, className: "reissued" });
      link.addEventListener("click", (event) => {
        event.preventDefault();
        save(new Blob([c.credential], { type: "application/dc+sd-jwt" }), `${c.identifier}.sd-jwt`);
      });
      reissued.append(link, " ");
    }
    cells(row, [
      [T.r_fact, english ? r.fact_en : r.fact_zh, "fact"],
      [T.department, el("span", { textContent: names.node(r.department), title: r.department })],
      [T.requested_value, r.requested_value, "requested"],
      [T.r_state, state, "state"],
      [T.r_deadline, local(r.deadline), "deadline"],
      [T.r_answer, answer, "answer"],
      [T.reissued, reissued, "reissued"],
    ]);
  }

  function objectionRow(row, { value: o }) {
    row.dataset.objection = o.id;
    const actions = el("span");
    if (!o.withdrawn_at) {
      const button = el("button", { type: "button", className: "secondary withdraw", textContent: T.withdraw });
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          await api(`/api/v1/me/objections/${o.id}/withdraw`, { method: "POST" });
          await loadObjections();
        } catch (error) {
          button.disabled = false;
          button.after(el("span", { className: "form-error", textContent: error.message }));
        }
      });
      actions.append(button);
    }
    const title = QUESTIONS[o.use] ? QUESTIONS[o.use].title : o.use;
    cells(row, [
      [T.use, title, "use"],
      [T.r_reason, o.reason],
      [T.r_requested_at, local(o.made_at)],
      [T.r_state, badge(o.withdrawn_at ? T.withdrawn : T.standing, o.withdrawn_at ? "" : "state-standing"), "state"],
      [T.actions, actions],
    ]);
  }

  async function loadRequests() {
    try {
      const list = await api("/api/v1/me/corrections");
      showTable("requests", list.map((r) => searchable(
        [r.fact_zh, r.fact_en, r.requested_value, r.status_zh, r.status_en, r.answer_reason || ""].join(" "), r,
      )), requestRow);
    } catch (error) { failed("requests", error); }
  }
  async function loadObjections() {
    try {
      const list = await api("/api/v1/me/objections");
      showTable("objections", list.map((o) => searchable([o.use, o.reason].join(" "), o)), objectionRow);
    } catch (error) { failed("objections", error); }
  }

  let bound = false;
  function bind() {
    if (bound) return;
    bound = true;
    $("#download-json").addEventListener("click", () => download("json"));
    $("#download-html").addEventListener("click", () => download("html"));
    const form = $("#correction");
    certfree.onSubmit(form, async (data) => {
      const body = {};
      for (const [name, value] of data.entries()) if (String(value).trim()) body[name] = String(value).trim();
      const made = await api("/api/v1/me/corrections", { method: "POST", body });
      form.reset();
      $("#correction-result").textContent = fill(T.sent, {}) + (english ? ": " : "：") + (english ? made.fact_en : made.fact_zh);
      await loadRequests();
    });
    const objecting = $("#objection");
    certfree.onSubmit(objecting, async (data) => {
      await api("/api/v1/me/objections", {
        method: "POST", body: { use: String(data.get("use") || ""), reason: String(data.get("reason") || "") },
      });
      objecting.reset();
      await loadObjections();
    });
  }

  async function load() {
    bind();
    await Promise.all([loadRequests(), loadObjections()]);
  }
  return { load };
})();
