"use strict";
// The 办事 page (/apply): find a service by its name or a life event, see in plain words what
// will be checked, of whom and how, and which proofs need not be brought; start an
// application; my applications. Everything is fetched with the citizen's own token.
(() => {
  const { PAGE, T, $, el, fill, local, api, onSubmit, pagedTable } = certfree;
  const L = PAGE.LABELS;
  const me = () => certfree.auth.session().subject;
  let chosen = null;  // the service item shown, {code, name}

  // The search terms a text stands for: itself, and the item-name words of every life event
  // one of whose words it contains (or is part of).
  function termsFor(text, scenario) {
    const needle = text.trim().toLowerCase();
    const terms = new Set(needle ? [text.trim()] : []);
    for (const s of PAGE.SCENARIOS) {
      const hit = s.key === scenario || (needle.length >= 2
        && s.words.some((word) => needle.includes(word) || (word.length > 1 && word.includes(needle))));
      if (hit) for (const term of s.terms) terms.add(term);
    }
    return [...terms];
  }

  async function search(text, scenario) {
    const found = new Map();
    for (const term of termsFor(text, scenario)) {
      const page = await api(`/api/v1/procedures?${new URLSearchParams({ q: term, status: "active", limit: "20" })}`);
      for (const item of page.items) found.set(item.code, item);
    }
    const list = $("#results");
    list.replaceChildren();
    $("#found").textContent = found.size ? fill(T.found, { count: found.size }) : T.no_results;
    for (const item of found.values()) {
      const open = el("button", { type: "button", className: "link", textContent: item.name });
      open.addEventListener("click", () => showService(item.code));
      list.append(el("li", {}, open, el("span", { className: "note", textContent: ` ${item.department_name}` })));
    }
  }

  // The words of the way a requirement will be met: "checked online …", "show the e-ID card".
  function wayWords(way, evidence) {
    if (!way) return "";
    const certificate = evidence && (evidence.certificate_type || (evidence.kind === "certificate_type" ? evidence.ref : null));
    const name = certificate ? (L.certificates[certificate] || evidence.name) : (evidence ? evidence.name : "");
    return fill(T[`way_plain.${way}`] || L.ways[way] || way, { name });
  }
  const evidenceOf = (route) => {
    const alternative = route.alternatives.find((a) => a.index === route.chosen_alternative);
    const evidence = alternative && alternative.evidences[0];
    if (!evidence) return null;
    const step = evidence.steps.find((s) => s.available && s.way === evidence.way);
    return { ...evidence, certificate_type: step && step.certificate_type };
  };
  const paperless = (ways) => ways.some((way) => way !== "paper");

  function showChecks(requirements, routes) {
    const list = $("#checks");
    list.replaceChildren();
    const notNeeded = new Map();
    const stillNeeded = new Map();
    requirements.forEach((requirement, index) => {
      const route = requirement.party === "applicant" && routes ? routes.requirements[index] : null;
      let how;
      let open;
      if (route) {
        open = Boolean(route.way) && route.way !== "paper";
        how = route.way ? wayWords(route.way, evidenceOf(route))
          : fill(T["way_plain.none"], { why: PAGE.LANG === "en" ? route.explanation_en : route.explanation_zh });
      } else {
        const ways = [];
        for (const alternative of requirement.alternatives) {
          for (const evidence of alternative) for (const way of evidence.ways) if (!ways.includes(way)) ways.push(way);
        }
        open = requirement.alternatives.some((alternative) => alternative.every((e) => paperless(e.ways)));
        // In the order the route resolver tries them, cheapest for the person first.
        const order = Object.keys(L.ways);
        ways.sort((a, b) => order.indexOf(a) - order.indexOf(b));
        how = fill(T.way_options, { ways: ways.filter((w) => w !== "paper").map((w) => L.ways[w]).join(T.or) });
      }
      for (const alternative of requirement.alternatives) {
        for (const evidence of alternative) {
          if (evidence.kind !== "proof_item") continue;
          const words = fill(T.not_needed_item, { name: evidence.name, organ: evidence.issuing_department || "—" });
          (open || evidence.ways.includes("cancelled") ? notNeeded : stillNeeded).set(evidence.ref, words);
        }
      }
      const whose = requirement.party === "applicant" ? fill(T.aside, { main: L.parties.applicant, note: T.you }) : L.parties[requirement.party];
      const item = el("li", {},
        el("strong", { textContent: requirement.description }),
        el("dl", {},
          el("dt", { textContent: T.of_whom }), el("dd", { textContent: whose }),
          el("dt", { textContent: T.by_way }), el("dd", { textContent: how, className: "way" })));
      if (route && !route.way) for (const type of missingCards(route)) item.append(takeCard(type));
      list.append(item);
    });
    for (const ref of notNeeded.keys()) stillNeeded.delete(ref);
    const none = el("li", { textContent: T.not_needed_none });
    $("#not-needed").replaceChildren(...(notNeeded.size ? [...notNeeded.values()].map((text) => el("li", { textContent: text })) : [none]));
    $("#still-needed").replaceChildren(...[...stillNeeded.values()].map((text) => el("li", { textContent: text })));
    $("#still-needed-box").hidden = stillNeeded.size === 0;
  }

  // The demo node's own e-ID cards the route found missing from the person's wallet.
  function missingCards(route) {
    const types = new Set();
    for (const alternative of route.alternatives) {
      for (const evidence of alternative.evidences) {
        for (const step of evidence.steps) {
          const type = step.certificate_type || (evidence.kind === "certificate_type" ? evidence.ref : null);
          if (step.reason === "certificate_not_held" && PAGE.OWN_CERTIFICATES.includes(type)) types.add(type);
        }
      }
    }
    return types;
  }
  // A demo resident takes their own card into this browser's wallet, then the plan is shown again.
  function takeCard(type) {
    const form = el("form", { className: "act" }, el("button", {
      type: "submit", className: "secondary", textContent: fill(T.take_card, { name: L.certificates[type] }),
    }));
    onSubmit(form, async () => {
      const holderJwk = await certfreeHolder.publicJwk(me());
      await api("/dev/own-certificates", { method: "POST", body: { type_code: type, holder_jwk: holderJwk } });
      await showService(chosen.code);
    });
    return form;
  }

  async function showService(code) {
    const path = `/api/v1/procedures/${encodeURIComponent(code)}`;
    const [item, listed, routes] = await Promise.all([
      api(path),
      api(`${path}/requirements`),
      api(`${path}/routes?${new URLSearchParams({ applicant: me() })}`).catch(() => null),
    ]);
    chosen = item;
    $("#service-h").textContent = item.name;
    const facts = [[T.department, item.department_name]];
    if (item.promised_days) facts.push([T.promised, fill(T.days, { days: item.promised_days })]);
    $("#service-facts").replaceChildren(...facts.flatMap(([term, value]) => [el("dt", { textContent: term }), el("dd", { textContent: value })]));
    showChecks(listed.requirements, routes);
    const roles = [...new Set(listed.requirements.map((r) => r.party).filter((role) => role !== "applicant"))];
    $("#co-parties").replaceChildren(...roles.map((role) => el("p", {},
      el("label", { htmlFor: `party-${role}`, textContent: fill(T.party_id, { role: L.parties[role] }) }),
      el("br"),
      el("input", { id: `party-${role}`, name: role, maxLength: 18, autocomplete: "off", required: true, className: "id-input" }))));
    $("#service").hidden = false;
    $("#service-h").scrollIntoView({ block: "start" });
  }

  async function loadMine() {
    const page = await api("/api/v1/applications?limit=200");
    $("#mine-empty").hidden = page.items.length > 0;
    $("#mine").hidden = page.items.length === 0;
    pagedTable($("#mine"), page.items, (row, app) => {
      certfree.cell(row, app.service_name).dataset.label = T.service;
      const link = el("a", { href: `/apply/${encodeURIComponent(app.id)}`, textContent: app.id });
      certfree.cell(row, link).dataset.label = T.app_id;
      // What asks for the person's attention stands out: a correction asked, a refusal.
      const tone = app.decision === "approved" ? "good" : app.state === "correction_requested" || app.state === "not_accepted" || app.decision === "refused" ? "bad" : "";
      const state = el("span", { className: `badge ${tone}`, textContent: L.states[app.state] });
      certfree.cell(row, state).dataset.label = T.state;
      certfree.cell(row, local(app.created_at)).dataset.label = T.created;
    }, { pageSize: 10 });
  }

  onSubmit($("#find"), async (form) => search(String(form.get("q") || "")));
  for (const button of document.querySelectorAll("[data-scenario]")) {
    button.addEventListener("click", async () => {
      $("#q").value = button.textContent;
      try { await search("", button.dataset.scenario); } catch (error) { certfree.showProblem($("#find"), error); }
    });
  }
  onSubmit($("#start"), async (form) => {
    const parties = {};
    for (const [role, id] of form.entries()) parties[role] = String(id).trim();
    const started = await api("/api/v1/applications", {
      method: "POST", body: { service: chosen.code, applicant: me(), parties },
    });
    location.assign(`/apply/${encodeURIComponent(started.id)}`);
  });

  certfree.setAuth(signIn({
    key: "certfree.me", devPath: "/dev/sign-in", development: PAGE.DEVELOPMENT, failed: T.failed,
    onChange: () => loadMine().catch((error) => { $("#mine-empty").textContent = `${T.failed}${T.colon}${error.message}`; $("#mine-empty").hidden = false; }),
  })).start();
})();
