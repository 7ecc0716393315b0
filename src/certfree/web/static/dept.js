"use strict";
// /dept, the department admin's page: sign in (on a demo node with a staff id and the
// department acted for), read whom the token acts for (/api/v1/whoami), then four tabs
// (WAI-ARIA tabs pattern), each loaded when first opened and again after each action.
(() => {
  const { PAGE, T, $, $$, api, el, fill } = certfree;
  const english = document.documentElement.lang === "en";
  const loaders = {
    certs: deptCerts.load,
    backfill: () => Promise.all([deptBackfill.load(), deptWork.loadReviews()]),
    catalog: deptWork.loadCatalog,
    verifications: deptWork.loadInbox,
    corrections: deptRights.load,
  };
  const loaded = new Set();
  const tabs = $$("[role=tab]");
  let bound = false;

  async function load(name) {
    const panel = $(`#panel-${name}`);
    const old = panel.querySelector(":scope > .load-error");
    if (old) old.remove();
    try {
      await loaders[name]();
      loaded.add(name);
    } catch (error) {
      // The inbox lives on the department's own node; another node refuses the token (403).
      const elsewhere = { verifications: T.inbox_elsewhere, corrections: T.corrections_elsewhere };
      const where = error.status === 403 && elsewhere[name] ? ` ${elsewhere[name]}` : "";
      const line = el("p", { className: "form-error load-error", textContent: (error.message || T.failed) + where });
      line.setAttribute("role", "alert");
      panel.prepend(line);
    }
  }

  function select(tab, focus = false) {
    for (const other of tabs) {
      const on = other === tab;
      other.setAttribute("aria-selected", String(on));
      other.tabIndex = on ? 0 : -1;
      $(`#${other.getAttribute("aria-controls")}`).hidden = !on;
    }
    if (focus) tab.focus();
    if (!loaded.has(tab.dataset.tab)) return load(tab.dataset.tab);
    return Promise.resolve();
  }

  for (const [index, tab] of tabs.entries()) {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (event.key === "Home") select(tabs[0], true);
      else if (event.key === "End") select(tabs[tabs.length - 1], true);
      else if (step) select(tabs[(index + step + tabs.length) % tabs.length], true);
    });
  }

  async function onChange() {
    const who = await api("/api/v1/whoami");
    const organisation = who.role === "department_admin" ? who.organisation : null;
    $("#wrong-role").hidden = Boolean(organisation);
    $("#work").hidden = !organisation;
    if (!organisation) return;
    const name = PAGE.ORGS[organisation];
    const org = name ? (english ? `${name} (${organisation})` : `${name}（${organisation}）`) : organisation;
    $("#acting-for").textContent = fill(T.acting_for, { org });
    if (!bound) {
      deptCerts.start();
      deptWork.start();
      deptBackfill.start();
      bound = true;
    }
    deptCerts.actFor(organisation);
    deptWork.actFor(organisation);
    deptBackfill.actFor(organisation);
    loaded.clear();
    await select(tabs.find((tab) => tab.getAttribute("aria-selected") === "true") || tabs[0]);
  }

  certfree.setAuth(signIn({
    key: "certfree.dept", devPath: "/dev/staff-sign-in", development: PAGE.DEVELOPMENT, failed: T.failed, onChange,
  })).start();
})();
