"use strict";
// The bureau's catalog page (templates/bureau_catalog.html): sign-in with a role, search and
// matching with explanations, the catalog by provider and a resource's details. Demands and
// gaps are in bureau_catalog_demands.js, which uses what this file returns.
const catalogPage = (() => {
  const { PAGE, T, $, $$, fill, api, onSubmit, cell, el } = certfree;
  const LABELS = PAGE.LABELS;
  // Resources a page of the catalog shows: fewer on a phone, where each is a card.
  const PAGE_SIZE = matchMedia("(max-width: 40rem)").matches ? 10 : 20;
  let me = null; // the signed-in person as the node sees their token (role, organisation)

  // An enum value in words, never its code ("half_yearly" is "每半年" / "Every six months").
  const label = (kind, value) => (value && LABELS[kind][value]) || "—";
  const percent = (score) => `${Math.round(Number(score) * 100)}%`;
  const splitItems = (text) => String(text || "").split(/[;；,，、\n]+/).map((s) => s.trim()).filter(Boolean);

  // The demo sign-in picks a role (and, for a department admin, its department).
  function addRolePicker() {
    const form = $("#dev-sign-in");
    if (!form) return;
    form.querySelector("[type=submit]").before($("#role-picker").content.cloneNode(true));
    const role = form.elements.role;
    const asked = new URLSearchParams(location.search).get("role");
    if ([...role.options].some((o) => o.value === asked)) role.value = asked;
    const sync = () => {
      const department = role.value === "department_admin";
      $(".org-picker", form).hidden = !department;
      form.elements.organisation.disabled = !department;
    };
    role.addEventListener("change", sync);
    sync();
  }

  // Why a candidate matched: each demand word found as written or by synonym, in which fields,
  // and the data items aligned.
  function explanation(candidate) {
    const why = el("ul", { className: "why" });
    const { terms = [], items = [] } = candidate.explanation || {};
    for (const term of terms) {
      const fields = term.fields.map((f) => T[`field.${f}`]).join(T.sep);
      const text = fill(term.synonym ? T.term_synonym : T.term_as_written, { demand: term.demand, matched: term.matched, fields });
      const badge = el("span", { className: term.synonym ? "badge synonym" : "badge", textContent: term.synonym ? T.synonym : T.as_written });
      why.append(el("li", { className: term.synonym ? "term by-synonym" : "term" }, badge, " ", text));
    }
    for (const item of items) {
      why.append(el("li", { className: "aligned", textContent: fill(T.item_aligned, {
        demand: item.demand_item, resource: item.resource_item, similarity: percent(item.similarity),
      }) }));
    }
    if (!why.children.length) why.append(el("li", { className: "muted", textContent: T.no_reason }));
    return why;
  }

  // One candidate resource as a card: name and code, provider, score (with a bar), why, details.
  function candidateCard(candidate, heading) {
    const weak = candidate.score < PAGE.THRESHOLD;
    const bar = el("span", { className: "bar" }, el("span", { className: weak ? "fill weak" : "fill" }));
    bar.firstChild.style.width = percent(Math.min(1, candidate.score));
    bar.setAttribute("aria-hidden", "true");
    const score = el("p", { className: "score" },
      el("span", { className: "score-text", textContent: `${T.score}${T.colon}${percent(candidate.score)}` }), " ", bar,
      weak ? el("span", { className: "badge bad", textContent: fill(T.weak, { threshold: percent(PAGE.THRESHOLD) }) }) : null);
    const details = el("button", { type: "button", className: "secondary", textContent: T.details });
    details.setAttribute("aria-label", fill(T.details_of, { name: candidate.name }));
    details.addEventListener("click", () => showResource(candidate.code));
    const provider = candidate.origin_node ? fill(T.aside, { main: candidate.provider, note: fill(T.harvested_from, { node: candidate.origin_node }) }) : candidate.provider;
    return el("li", { className: "candidate" },
      el(heading, {}, el("span", { className: "name", textContent: candidate.name }), " ", el("code", { className: "code", textContent: candidate.code })),
      el("p", { className: "provider muted", textContent: provider }),
      score,
      el("p", { className: "why-h", textContent: T.why }),
      explanation(candidate),
      details);
  }
  // The cards' headings sit one level under the list's own (h3 under #search's h2).
  function showCandidates(list, status, candidates, heading = "h3") {
    list.replaceChildren(...candidates.map((candidate) => candidateCard(candidate, heading)));
    status.textContent = candidates.length ? fill(T.found, { n: candidates.length }) : T.none_found;
  }

  // A resource's details in a dialog (GB/T 21063.3 core metadata), enums in words.
  async function showResource(code) {
    const dialog = $("#detail");
    const resource = await api(`/api/v1/catalog/resources/${code.split("/").map(encodeURIComponent).join("/")}`);
    $("#detail-h").textContent = resource.name;
    const fields = [
      ["code", resource.code],
      ["class", [resource.class_code, resource.class_name].filter(Boolean).join(" ")],
      ["provider", fill(T.aside, { main: resource.provider, note: resource.provider_code })],
      ["abstract", resource.abstract],
      ["region", resource.region],
      ["theme", resource.theme],
      ["format", resource.format],
      ["share_type", label("share_type", resource.share_type)],
      ["share_conditions", resource.share_conditions],
      ["unshared_basis", resource.unshared_basis],
      ["share_method", label("share_method", resource.share_method)],
      ["open_type", label("open_type", resource.open_type)],
      ["update_cycle", label("update_cycle", resource.update_cycle)],
      ["released", resource.released],
      ["origin_node", resource.origin_node || T.this_node],
    ];
    const list = $("#detail-fields");
    list.replaceChildren();
    for (const [key, value] of fields) {
      if (value == null || value === "") continue;
      list.append(el("dt", { textContent: T[key] }), el("dd", { className: `field-${key}`, textContent: value }));
    }
    if (resource.source_url && /^https?:\/\//.test(resource.source_url)) {
      list.append(el("dt", { textContent: T.source_url }), el("dd", {}, el("a", { href: resource.source_url, textContent: resource.source_url, rel: "noopener noreferrer" })));
    }
    const body = $("#detail-items tbody");
    body.replaceChildren();
    for (const item of resource.items || []) {
      const row = body.insertRow();
      cell(row, item.name).dataset.label = T.item_name;
      cell(row, item.type).dataset.label = T.item_type;
      cell(row, label("classification", item.classification)).dataset.label = T.item_classification;
      cell(row, label("grade", String(item.grade))).dataset.label = T.item_grade;
    }
    $("#detail-items").hidden = !(resource.items || []).length;
    $("#no-items").hidden = Boolean((resource.items || []).length);
    if (!dialog.open) dialog.showModal();
    // Open at the top, its name read first (showModal would focus the last link or button).
    dialog.scrollTop = 0;
    $("#detail-h").focus();
  }

  // Search: the demand given here is matched and nothing is stored.
  onSubmit($("#match-form"), async (data) => {
    const status = $("#match-status");
    status.textContent = T.matching_now;
    const found = await api("/api/v1/catalog/match", {
      method: "POST",
      body: { text: String(data.get("text")).trim(), items: splitItems(data.get("items")), top: Number(data.get("top")) },
    });
    showCandidates($("#candidates"), status, found);
  });

  // The catalog page by page (the API gives no total: one row more than a page says "next").
  let offset = 0;
  async function browse() {
    const form = $("#browse-form");
    const query = new URLSearchParams({ limit: String(PAGE_SIZE + 1), offset: String(offset) });
    for (const name of ["provider", "provider_code"]) {
      const value = form.elements[name].value.trim();
      if (value) query.set(name, value);
    }
    const rows = await api(`/api/v1/catalog/resources?${query}`);
    const body = $("#resources tbody");
    body.replaceChildren();
    for (const resource of rows.slice(0, PAGE_SIZE)) {
      const row = body.insertRow();
      cell(row, resource.code, "col-code").dataset.label = T.code;
      cell(row, resource.name, "col-name").dataset.label = T.name;
      cell(row, resource.provider, "col-provider").dataset.label = T.provider;
      cell(row, label("share_type", resource.share_type), "col-share").dataset.label = T.share_type;
      cell(row, label("update_cycle", resource.update_cycle), "col-cycle").dataset.label = T.update_cycle;
      const open = el("button", { type: "button", className: "secondary", textContent: T.details });
      open.setAttribute("aria-label", fill(T.details_of, { name: resource.name }));
      open.addEventListener("click", () => showResource(resource.code));
      cell(row, open, "col-action");
    }
    $("#resources").hidden = rows.length === 0;
    $("#no-resources").hidden = rows.length > 0;
    $("#resources-prev").disabled = offset === 0;
    $("#resources-next").disabled = rows.length <= PAGE_SIZE;
    $("#resources-page").textContent = fill(T.page_of, { page: offset / PAGE_SIZE + 1 });
  }
  onSubmit($("#browse-form"), async () => { offset = 0; await browse(); });
  $("#resources-prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE_SIZE); browse(); });
  $("#resources-next").addEventListener("click", () => { offset += PAGE_SIZE; browse(); });

  // What a role may do: parts marked data-role-only are shown only to those roles.
  function showForRole(role) {
    for (const part of $$("[data-role-only]")) part.hidden = !part.dataset.roleOnly.split(" ").includes(role);
  }

  const loaders = [];
  async function load() {
    me = await api("/api/v1/whoami");
    const role = T[`role.${me.role}`] || me.role;
    const named = PAGE.NODE_NAMES[me.organisation];
    const org = named ? fill(T.org_named, { name: named, code: me.organisation }) : me.organisation || "—";
    $("#acting").textContent = fill(T.acting_as, { role, org });
    showForRole(me.role);
    await Promise.all([browse(), ...loaders.map((loader) => loader(me))]);
  }

  addRolePicker();
  // Started once every page script has run (bureau_catalog_demands.js adds its loaders).
  document.addEventListener("DOMContentLoaded", () => {
    certfree.setAuth(signIn({ key: "certfree.bureau", devPath: "/dev/staff-sign-in", development: PAGE.DEVELOPMENT, failed: T.failed, onChange: load })).start();
  });

  return { label, percent, splitItems, showCandidates, onLoad: (loader) => loaders.push(loader), get me() { return me; } };
})();
