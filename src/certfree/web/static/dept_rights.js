"use strict";
// /dept, the "Corrections" tab: what citizens asked this department to correct (PIPL Art. 46),
// earliest deadline first; accept (the register is changed and the certificates carrying the
// fact re-issued) or refuse with a reason (Art. 50). Only this department's requests reach it.
const deptRights = (() => {
  const { T, $, api, onSubmit, cell, el, fill, local, mask, pagedTable } = certfree;
  const english = document.documentElement.lang === "en";
  const alone = (words) => (english ? words.charAt(0).toUpperCase() + words.slice(1) : words);
  let table = null;
  let bound = false;

  function openAnswer(item) {
    const form = $("#correction-answer");
    certfree.clearProblems(form);
    form.reset();
    form.hidden = false;
    form.elements.request_id.value = item.request_id;
    const fact = english ? item.fact_en : item.fact_zh;
    $("#correction-what").textContent = `${mask(item.subject_id)} · ${fact}: ${item.current_value} → ${item.requested_value}`;
    $("#correction-answer-h").focus();
  }

  function render(row, item) {
    row.dataset.request = item.request_id;
    row.dataset.status = item.status;
    const labels = [T.r_deadline, T.r_subject, T.r_fact, T.current_value, T.requested_value, T.r_reason, T.r_state, T.actions];
    cell(row, local(item.deadline), "nowrap");
    cell(row, mask(item.subject_id));
    cell(row, english ? item.fact_en : item.fact_zh);
    cell(row, item.current_value);
    cell(row, item.requested_value);
    cell(row, [item.reason, item.evidence].filter(Boolean).join(" · "));
    cell(row, el("span", { className: `badge state-${item.status}`, textContent: alone(english ? item.status_en : item.status_zh) }));
    const open = item.status === "pending" || item.status === "overdue";
    if (open) {
      const button = el("button", { type: "button", textContent: T.r_answer, className: "answer-correction" });
      button.addEventListener("click", () => openAnswer(item));
      cell(row, button);
    } else {
      cell(row, item.answer_reason || "");
    }
    [...row.cells].forEach((td, i) => { td.dataset.label = labels[i]; });
  }

  async function load() {
    bind();
    const items = await api("/api/v1/dept/corrections");
    items.sort((a, b) => (a.status === b.status ? (a.deadline < b.deadline ? -1 : 1) : a.status === "pending" ? -1 : 1));
    if (table) table.redraw(items);
    else table = pagedTable($("#corrections"), items, render, { empty: $("#corrections-empty") });
  }

  function bind() {
    if (bound) return;
    bound = true;
    const form = $("#correction-answer");
    form.querySelector("[data-cancel]").addEventListener("click", () => { form.hidden = true; });
    onSubmit(form, async (data, submitter) => {
      const decision = submitter && submitter.value === "refuse" ? "refuse" : "accept";
      const reason = String(data.get("reason") || "").trim();
      const done = await api(`/api/v1/dept/corrections/${encodeURIComponent(data.get("request_id"))}/answer`, {
        method: "POST", body: { decision, reason: reason || null },
      });
      form.hidden = true;
      const line = $("#correction-answer-result");
      line.textContent = fill(T.answer_sent, { state: english ? done.status_en : done.status_zh });
      await load();
    });
  }

  return { load };
})();
