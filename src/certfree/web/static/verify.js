"use strict";
// The verifier's page (/verify): make a request (fresh nonce) or take a walk-up code, read the
// presentation (camera, image, text or short code), verify it with the node, show the result.
// The two ways of showing in person are described in certfree/web/verify.py.
(() => {
  const { PAGE, T, $, $$, api, fill, local, el, onSubmit } = certfree;
  const SCENARIOS = new Map(PAGE.SCENARIOS.map((s) => [s.key, s]));
  const english = PAGE.LANG === "en";

  // ---- the scenario and the verifier's own request ----
  const scenario = () => certfreeSigned.scenario() || SCENARIOS.get(($("input[name=scenario]:checked") || {}).value) || PAGE.SCENARIOS[0];
  let request = null; // {audience, nonce, claims, until (ms)}

  const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const fromB64url = (text) => {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  };

  // A fresh request: 128 random bits of nonce, the verifier named as the audience.
  async function newRequest() {
    const who = certfree.auth && certfree.auth.session();
    if (!who) return;
    const chosen = scenario();
    // A verifier in the register of relying parties asks with a request the node signs
    // (static/verify_signed.js); any other with the unsigned text.
    request = certfreeSigned.registered() ? await certfreeSigned.request(chosen) : {
      audience: `certfree:verifier:${who.subject}`,
      nonce: b64url(crypto.getRandomValues(new Uint8Array(16))),
      claims: chosen.claims,
      until: Date.now() + PAGE.REQUEST_TTL * 1000,
    };
    const text = request.text || `certfree:request?aud=${encodeURIComponent(request.audience)}&nonce=${request.nonce}&claims=${request.claims.join(",")}`;
    const qr = qrcode(0, "M");
    qr.addData(text, "Byte");
    qr.make();
    const image = $("#request-qr");
    image.src = qr.createDataURL(5, 4);
    image.alt = fill(T.request_qr_alt, { claims: chosen.asks });
    image.hidden = false;
    $("#request-text").textContent = text;
    $("#request-until").textContent = fill(T.request_until, { time: local(new Date(request.until).toISOString()) });
  }
  function showScenario() {
    $("#asks").textContent = fill(T.asks, { claims: scenario().asks });
    newRequest();
  }

  // ---- what a presentation says about itself before it is verified ----
  // The key-binding JWT's payload (RFC 9901 §4.3): the audience and nonce it was made for.
  function keyBinding(text) {
    const parts = text.split("~");
    if (parts.length < 2 || parts[0].split(".").length !== 3) return undefined; // not an SD-JWT
    const kb = parts[parts.length - 1];
    if (!kb) return null; // no key binding: the node says so
    try {
      const claims = JSON.parse(fromB64url(kb.split(".")[1] || ""));
      return claims && typeof claims === "object" ? claims : null;
    } catch { return null; }
  }
  // A walk-up nonce is "<unix seconds>.<16 base64url characters>", made by the holder's page.
  function walkUpProblem(nonce) {
    const match = /^(\d{1,12})\.[A-Za-z0-9_-]{16}$/.exec(String(nonce || ""));
    if (!match) return T.walk_up_malformed;
    const age = Math.round(Date.now() / 1000 - Number(match[1]));
    if (age > PAGE.WALK_UP_WINDOW) return fill(T.walk_up_stale, { age, window: PAGE.WALK_UP_WINDOW });
    if (-age > PAGE.WALK_UP_WINDOW) return fill(T.walk_up_ahead, { age: -age, window: PAGE.WALK_UP_WINDOW });
    return null;
  }
  // The request this page answers with now; a refusal text when it has run out.
  function currentRequest() {
    if (!request || Date.now() > request.until) return { refusal: T.request_expired };
    return request;
  }

  // ---- verifying ----
  let busy = false;
  async function verifyText(raw) {
    const text = String(raw || "").trim();
    if (text.startsWith("certfree:request?")) return refuse([T.is_request]);
    const kb = keyBinding(text);
    if (kb === undefined) return refuse([T.not_presentation]);
    let audience;
    let nonce;
    let how;
    if (kb && kb.aud === PAGE.WALK_UP_AUDIENCE) {
      const problem = walkUpProblem(kb.nonce);
      if (problem) return refuse([problem], T.mode_walk_up);
      [audience, nonce, how] = [PAGE.WALK_UP_AUDIENCE, String(kb.nonce), T.mode_walk_up];
    } else {
      const asked = currentRequest();
      if (asked.refusal) return refuse([asked.refusal], T.mode_request);
      [audience, nonce, how] = [asked.audience, asked.nonce, T.mode_request];
    }
    await run(how, () => api("/api/v1/verifications", {
      method: "POST", body: { presentation: text, audience, nonce, purpose: scenario().name, scenario: certfreeSigned.registered() ? scenario().key : undefined },
    }), audience !== PAGE.WALK_UP_AUDIENCE);
  }
  async function redeem(code) {
    const asked = currentRequest();
    if (asked.refusal) return refuse([asked.refusal], fill(T.mode_short_code, { code }));
    await run(fill(T.mode_short_code, { code }), () => api(`/api/v1/short-codes/${encodeURIComponent(code)}/redeem`, {
      method: "POST", body: { audience: asked.audience, nonce: asked.nonce, purpose: scenario().name },
    }), true);
  }
  // Call the node; a request's nonce is used once, whatever the answer.
  async function run(how, call, spendsRequest) {
    if (busy) return;
    busy = true;
    showVerdict("checking", T.checking);
    try {
      const result = await call();
      await show(result, how);
    } finally {
      busy = false;
      if (spendsRequest) newRequest();
    }
  }

  // ---- showing the result ----
  const typeCache = new Map();
  async function certType(code) {
    if (!code) return null;
    if (!typeCache.has(code)) typeCache.set(code, api(`/api/v1/cert-types/${encodeURIComponent(code)}`).catch(() => null));
    return typeCache.get(code);
  }
  function labelsOf(kind) {
    const labels = { ...PAGE.LABELS };
    if (kind) for (const item of [...kind.fields, ...kind.predicates]) labels[item.name] = english ? item.label_en : item.label;
    return labels;
  }
  // A claim's value in words: yes/no for predicates, an enum value's word, "—" for none.
  function word(value) {
    if (value === true) return T.yes;
    if (value === false) return T.no;
    if (value === null || value === undefined || value === "") return "—";
    if (typeof value === "object") return JSON.stringify(value);
    return T[`value_${value}`] || String(value);
  }
  function showVerdict(state, text) {
    const section = $("#result");
    section.hidden = false;
    const verdict = $("#verdict");
    verdict.className = `verdict ${state}`;
    verdict.textContent = text;
    for (const id of ["#missing", "#refusal", "#shown"]) $(id).hidden = true;
    $("#facts").replaceChildren();
  }
  function fact(list, term, value) {
    list.append(el("dt", { textContent: term }), el("dd", { textContent: value }));
  }
  function finish(how) {
    fact($("#facts"), T.how, how);
    fact($("#facts"), T.checked_at, local(new Date().toISOString()));
    $("#result").focus();
  }
  function refuse(reasons, how) {
    showVerdict("refused", T.refused);
    $("#reasons").replaceChildren(...reasons.map((reason) => el("li", { textContent: reason })));
    $("#refusal").hidden = false;
    if (how) finish(how);
  }
  // An age predicate asked (age_over_60) is met by a proof made on the holder's device that
  // the holder is at least that old today (derived.age_at_least, 端侧处理).
  function provedAge(kind, derived, name) {
    const predicate = kind && kind.predicates.find((p) => p.name === name);
    return Boolean(predicate && derived && derived.age_at_least >= predicate.years);
  }
  function showDerived(derived) {
    if (derived.age_at_least !== undefined) fact($("#claims"), fill(T.derived_age_at_least, { years: derived.age_at_least }), T.derived_yes);
    if (derived.resident_of !== undefined) fact($("#claims"), T.derived_resident_of, derived.resident_of);
  }
  async function show(result, how) {
    const kind = await certType(result.vct);
    const labels = labelsOf(kind);
    if (!result.valid) {
      refuse(result.failed_checks.map((c) => (english ? c.message : c.message_zh)));
    } else {
      const derived = result.derived || {};
      const asked = scenario().claims;
      const met = (name) => result.disclosed.includes(name) || provedAge(kind, derived, name);
      const missing = asked.filter((name) => !met(name));
      const shownAsked = asked.filter(met)
        .map((name) => `${labels[name] || name}${T.colon}${result.disclosed.includes(name) ? word(result.claims[name]) : T.derived_yes}`);
      if (missing.length) {
        showVerdict("incomplete", T.incomplete);
        const note = $("#missing");
        note.textContent = fill(T.missing, { claims: missing.map((name) => labels[name] || name).join(T.sep) });
        note.hidden = false;
      } else {
        showVerdict("valid", [T.valid, ...shownAsked].join(T.dot));
      }
      $("#claims").replaceChildren();
      for (const name of result.disclosed) fact($("#claims"), labels[name] || name, word(result.claims[name]));
      showDerived(derived);
      $("#shown").hidden = false;
    }
    const facts = $("#facts");
    if (result.vct) fact(facts, T.certificate, kind ? (english ? kind.name_en : kind.name) : result.vct);
    if (result.issuer) fact(facts, T.issuer, PAGE.ISSUERS[result.issuer] || result.issuer);
    if (result.valid) {
      if (result.claims.issue_date) fact(facts, T.issue_date, result.claims.issue_date);
      fact(facts, T.valid_to, result.claims.valid_to || T.permanent);
    }
    finish(how);
  }
  // A problem from the node (a short code used or unknown, a rate limit): a refusal too.
  async function guarded(work) {
    try { await work(); } catch (error) { refuse([error.message || T.failed]); }
  }

  // ---- reading ----
  const video = $("#camera");
  const cameraButton = $("#camera-toggle");
  function cameraIdle() {
    certfreeScan.stopCamera(video);
    cameraButton.textContent = T.camera_start;
    cameraButton.setAttribute("aria-pressed", "false");
  }
  cameraButton.addEventListener("click", async () => {
    if (certfreeScan.scanning()) { cameraIdle(); $("#camera-state").textContent = ""; return; }
    cameraButton.textContent = T.camera_stop;
    cameraButton.setAttribute("aria-pressed", "true");
    $("#camera-state").textContent = T.camera_scanning;
    try {
      await certfreeScan.startCamera(video, (text) => {
        cameraIdle();
        $("#camera-state").textContent = "";
        guarded(() => verifyText(text));
      });
    } catch (error) {
      cameraIdle();
      $("#camera-state").textContent = fill(T.camera_denied, { reason: error.message || error.name });
    }
  });
  async function readImage(blob) {
    let text = null;
    try { text = await certfreeScan.fromImage(blob); } catch { return refuse([T.bad_image]); }
    if (!text) return refuse([T.no_qr]);
    await verifyText(text);
  }
  $("#image").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (file) guarded(() => readImage(file));
    event.target.value = "";
  });
  document.addEventListener("paste", (event) => {
    const item = Array.from(event.clipboardData ? event.clipboardData.items : [])
      .find((candidate) => candidate.kind === "file" && candidate.type.startsWith("image/"));
    if (!item || $("#signed-in").hidden) return;
    event.preventDefault();
    guarded(() => readImage(item.getAsFile()));
  });
  onSubmit($("#text-form"), async (data) => guarded(() => verifyText(data.get("presentation"))));
  onSubmit($("#code-form"), async (data) => {
    const code = String(data.get("code") || "").trim();
    await guarded(() => redeem(code));
    $("#code").value = "";
  });
  for (const radio of $$("input[name=scenario]")) radio.addEventListener("change", showScenario);
  $("#new-request").addEventListener("click", newRequest);
  // An expired request is replaced, so the QR on the counter is always one a holder can answer.
  setInterval(() => { if (request && Date.now() > request.until && !busy) newRequest(); }, 5000);

  const auth = certfree.setAuth(signIn({
    key: "certfree.verify", devPath: "/dev/staff-sign-in", development: PAGE.DEVELOPMENT, failed: T.failed,
    onChange: async () => { await certfreeSigned.load(PAGE.LABELS, showScenario); showScenario(); },
  }));
  auth.start();
})();
