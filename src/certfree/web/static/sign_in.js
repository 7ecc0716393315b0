"use strict";
// Sign-in shared by /me and /desk (templates/_sign_in.html). The bearer token lives in
// sessionStorage under `key`, gone when the tab closes; on a development node a demo form, or
// ?as=<id> (&org=<organisation> on staff pages) in the address, signs in through `devPath` (POST {<field>: id}). The page keeps the
// returned object and calls start(); onChange loads its data once someone is signed in.
function signIn({ key, devPath, development, failed, onChange }) {
  const $ = (selector) => document.querySelector(selector);
  const session = () => {
    try { return JSON.parse(sessionStorage.getItem(key) || "null"); } catch { return null; }
  };
  // A citizen's ID number (GB 11643: 17 digits and a check character) is shown masked, as
  // every page shows it (static/page.js certfree.mask); a staff ID as it is.
  const shown = (subject) => (/^[0-9]{17}[0-9Xx]$/.test(subject) && typeof certfree !== "undefined" ? certfree.mask(subject) : subject);
  const show = () => {
    const me = session();
    $("#signed-out").hidden = Boolean(me);
    $("#signed-in").hidden = !me;
    if (me) $("#whoami").textContent = `${me.name && me.name !== me.subject ? me.name : ""} ${shown(me.subject)}`.trim();
  };
  const form = $("#dev-sign-in");
  async function devSignIn(id, organisation) {
    // Every other field of the demo form goes along (a staff page's role, its organisation).
    const fields = form ? Object.fromEntries(new FormData(form)) : {};
    for (const [name, value] of Object.entries(fields)) if (value === "") delete fields[name];
    if (organisation) fields.organisation = organisation;
    const response = await fetch(devPath, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...fields, [form ? form.dataset.field : "id"]: id }),
    });
    const body = await response.json();
    if (!response.ok) { $("#sign-in-error").textContent = body.detail || body.title || failed; return; }
    sessionStorage.setItem(key, JSON.stringify({ token: body.token, subject: body.subject, name: body.name }));
  }
  const refresh = async () => { show(); if (session()) await onChange(); };
  $("#sign-out").addEventListener("click", () => { sessionStorage.removeItem(key); show(); });
  if (form) form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await devSignIn(form.elements[form.dataset.field].value.trim());
    await refresh();
  });
  async function start() {
    const params = new URLSearchParams(location.search);
    const as = params.get("as");
    if (as && development && form) {
      sessionStorage.removeItem(key);
      await devSignIn(as, params.get("org"));
      // Drop ?as= (and ?org=) so a reload or a shared link does not sign in again.
      params.delete("as");
      params.delete("org");
      history.replaceState(null, "", location.pathname + (params.toString() ? `?${params}` : ""));
    }
    await refresh();
    document.body.dataset.loaded = "true";
  }
  return { session, start, signOut: () => { sessionStorage.removeItem(key); show(); } };
}
