"use strict";
// The bureau's page (templates/bureau.html): sign in (sessionStorage "certfree.bureau"), then
// load every part (bureau_list.js, bureau_versions.js, bureau_figures.js, bureau_egress.js,
// bureau_fields.js). A CIO reads; the forms that change the list are shown to a bureau
// administrator only (the API decides).
var BUREAU = globalThis.BUREAU || (globalThis.BUREAU = {});
(() => {
  const { $, $$, T, PAGE, api } = certfree;
  // After any change to the list: the list, the report, the pending changes and the versions.
  BUREAU.changed = () => Promise.all([BUREAU.list.load(), BUREAU.versions.load()]);
  async function loadAll() {
    const who = await api("/api/v1/whoami");
    BUREAU.editor = who.role === "bureau_admin";
    $("#read-only").hidden = BUREAU.editor;
    for (const node of $$(".edit-only")) node.hidden = !BUREAU.editor;
    await BUREAU.list.load();
    await Promise.all([BUREAU.versions.load(), BUREAU.figures.load(), BUREAU.egress.load(), BUREAU.fields.load()]);
  }
  certfree.setAuth(signIn({
    key: "certfree.bureau", devPath: "/dev/staff-sign-in", development: PAGE.DEVELOPMENT, failed: T.failed,
    onChange: async () => {
      try { await loadAll(); } catch (error) { $("#read-only").hidden = false; $("#read-only").textContent = error.message; }
    },
  })).start();
})();
