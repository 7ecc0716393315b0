"use strict";
// 亮证 on /wallet/<identifier>: choosing what to show, reading a verifier's request, and
// showing the presentation as a QR code or a short code (see static/wallet.js for the page).
// Presentations are made by static/holder.js with the key kept in this browser. Two ways to
// show, as the verifier page (/verify) expects them:
// - walk-up: audience PAGE.AUDIENCE ("certfree:in-person"), nonce "<unix seconds>.<16 random
//   base64url>", the QR made again every PAGE.RENEW_SECONDS so a verifier always reads a
//   fresh one (it accepts a nonce time within 120 s; the node a key binding within 300 s);
// - a verifier's request "certfree:request?aud=…&nonce=…&claims=a,b" (pasted, scanned or read
//   from a picture): bound to its audience and nonce; only a request allows a short code,
//   which the verifier redeems with its nonce.
const walletShow = (() => {
  const { PAGE, T, $, $$, api, fill, el } = certfree;
  const REQUEST_PREFIX = "certfree:request?";
  const QUIET_ZONE = 4; // ISO/IEC 18004 §6.3.8: four light modules around the symbol
  const SCANNABLE_VERSION = 30; // beyond it a phone camera reading a screen struggles

  // ---- choosing -----------------------------------------------------------------------------
  let holding = null; // {cert, kind, values, subject} of the certificate on the page
  let request = null; // the verifier's {aud, nonce, claims}, in request mode

  function labelOf(name) {
    const { kind } = holding;
    const found = kind.predicates.find((p) => p.name === name) || kind.fields.find((f) => f.name === name);
    if (found) return found.label;
    return name === "certificate_id" ? T.certificate_id : name;
  }
  const labels = (names) => names.map(labelOf).join(T.list_sep);

  // ---- derived claims proved on this device (端侧处理: static/holder.js derive) ----
  const LEVEL_NAMES = { resident_province: 2, resident_city: 4, resident_county: 6 };
  function derivedChoices(kind, values) {
    const items = [];
    const age = (kind.derived || []).find((d) => d.kind === "age_at_least");
    if (age && values.age_anchor && values.age_seed) {
      const box = el("input", { type: "checkbox", name: "prove", value: "age_at_least" });
      const years = el("input", { type: "number", id: "prove-years", min: String(age.minimum), max: String(age.maximum), value: "18", step: "1", inputMode: "numeric" });
      years.setAttribute("aria-label", T.prove_age_years);
      years.addEventListener("input", () => { box.checked = true; });
      items.push(el("li", {}, el("label", {}, box, ` ${T.prove_age}`), " ", years, ` ${T.prove_age_years}`));
    }
    for (const [name, length] of Object.entries(LEVEL_NAMES)) {
      if (typeof values[name] !== "string") continue;
      const box = el("input", { type: "checkbox", name: "prove", value: `resident_of:${values[name]}` });
      items.push(el("li", {}, el("label", {}, box, ` ${fill(T.prove_resident, { level: T[`level_${length}`], code: values[name] })}`)));
    }
    return items;
  }
  // {age_at_least: N, resident_of: code} of the derived claims chosen; a refusal naming the
  // years when they are out of the type's range.
  function proofs() {
    const prove = {};
    for (const box of $$("input[name=prove]:checked")) {
      if (box.value === "age_at_least") prove.age_at_least = Number($("#prove-years").value);
      else prove.resident_of = box.value.split(":")[1];
    }
    return prove;
  }
  const proofLabels = (prove) => [
    ...(prove.age_at_least !== undefined ? [fill(T.proved_age, { years: prove.age_at_least })] : []),
    ...(prove.resident_of !== undefined ? [fill(T.proved_resident, { code: prove.resident_of })] : []),
  ];
  const showingLabels = (names) => [...names.map(labelOf), ...proofLabels(proofs())].join(T.list_sep);
  // The holder's words for what holder.js refuses (the disclosure rule, a proof not possible).
  function explained(error) {
    const { kind } = holding;
    if (error.reason === "disclosed_alone") {
      const partners = (kind.disclose_with || []).map((name) => (name === "holder_id" ? T.holder_id : labelOf(name)));
      return Object.assign(new Error(fill(T.disclosed_alone, { fields: error.lone.map((f) => f.label).join(T.list_sep), with: partners.join(T.or) })), { field: "disclose" });
    }
    if (error.reason === "not_old_enough") return Object.assign(new Error(fill(T.not_old_enough, { years: error.years })), { field: "disclose" });
    if (error.reason === "age_not_allowed") {
      const age = (kind.derived || []).find((d) => d.kind === "age_at_least") || {};
      return Object.assign(new Error(fill(T.age_not_allowed, { min: age.minimum, max: age.maximum })), { field: "disclose" });
    }
    return error;
  }

  function choice(name, label, sensitive) {
    const box = el("input", { type: "checkbox", name: "claim", value: name });
    box.addEventListener("change", warn);
    const text = el("label", {}, box, ` ${label}`);
    if (sensitive) text.append(" ", el("span", { className: "badge bad", textContent: T.sensitive }));
    return el("li", {}, text);
  }
  // Offer the certificate's claims: statements first, then face fields (sensitive marked).
  function prepare(held) {
    holding = held;
    const { kind, values } = held;
    $("#show").hidden = false;
    // Each predicate that holds ("年满60周岁"), shown without the date it is drawn from.
    $("#predicates").replaceChildren(...kind.predicates.filter((p) => values[p.name] === true).map((p) => choice(p.name, p.label, false)), ...derivedChoices(kind, values));
    const fields = kind.fields.filter((f) => f.name in values).map((f) => choice(f.name, f.label, f.grade >= 3));
    if ("certificate_id" in values) fields.push(choice("certificate_id", T.certificate_id, false));
    $("#fields").replaceChildren(...fields);
    $("#predicates-h").hidden = $("#predicates").children.length === 0;
    setMode(document.querySelector("input[name=mode]:checked").value);
  }
  const chosen = () => $$("input[name=claim]:checked").map((box) => box.value);

  function setMode(mode) {
    stopShowing();
    request = null;
    $("#request-form").hidden = mode !== "request";
    $("#request-summary").hidden = true;
    // A short code is redeemed with the verifier's nonce, which only its request gives.
    $("#make-code").hidden = mode !== "request";
    $("#code-hint").hidden = mode === "request";
    for (const box of $$("input[name=claim], input[name=prove]")) box.checked = false;
    warn();
  }
  for (const radio of $$("input[name=mode]")) radio.addEventListener("change", () => setMode(radio.value));

  function parseRequest(text) {
    const trimmed = String(text || "").trim();
    if (!trimmed.startsWith(REQUEST_PREFIX)) return null;
    const query = new URLSearchParams(trimmed.slice(REQUEST_PREFIX.length));
    // A verifier's signed request (certfree:request?jwt=…), checked in useRequest.
    if (query.get("jwt")) return certfreeRequests.parse(query.get("jwt"));
    const aud = query.get("aud");
    const nonce = query.get("nonce");
    if (!aud || !nonce) return null;
    const claims = [...new Set((query.get("claims") || "").split(",").map((c) => c.trim()).filter(Boolean))];
    return { aud, nonce, claims };
  }
  async function useRequest(text) {
    const read = parseRequest(text);
    if (!read) throw Object.assign(new Error(T.request_invalid), { field: "request" });
    // Held to the register of relying parties (static/wallet_requests.js): signed, in scope.
    const parsed = await certfreeRequests.check(read);
    stopShowing();
    request = parsed;
    $("#request").value = text.trim();
    // Only, and at least, what the verifier asks: its claims are chosen, nothing else.
    for (const box of $$("input[name=claim]")) box.checked = parsed.claims.includes(box.value);
    const summary = $("#request-summary");
    summary.textContent = parsed.claims.length
      ? fill(T.request_from, { aud: parsed.aud, claims: labels(parsed.claims) })
      : fill(T.request_any, { aud: parsed.aud });
    summary.hidden = false;
    warn();
  }

  // What deserves a word before showing: what the verifier asks beyond need, or cannot have.
  function warn() {
    const notes = [];
    if (request && holding) {
      const { kind, values } = holding;
      const asked = request.claims;
      const missing = asked.filter((name) => !(name in values));
      const untrue = asked.filter((name) => values[name] === false);
      if (missing.length) notes.push(fill(T["warn.missing"], { fields: labels(missing) }));
      if (untrue.length) notes.push(fill(T["warn.false"], { fields: labels(untrue) }));
      const covered = new Set();
      for (const name of asked) {
        const instead = kind.predicates.find((p) => p.field === name && values[p.name] === true);
        if (instead && name in values) {
          covered.add(name);
          notes.push(fill(T["warn.more"], { field: labelOf(name), predicate: instead.label }));
        }
      }
      const sensitive = asked.filter((name) => !covered.has(name) && kind.fields.some((f) => f.name === name && f.grade >= 3) && name in values);
      if (sensitive.length) notes.push(fill(T["warn.sensitive"], { fields: labels(sensitive) }));
      const picked = chosen();
      const unchosen = asked.filter((name) => name in values && values[name] !== false && !picked.includes(name));
      if (unchosen.length) notes.push(fill(T["warn.unchosen"], { fields: labels(unchosen) }));
    }
    $("#warnings").replaceChildren(...notes.map((text) => el("li", { textContent: text })));
  }

  // ---- reading the verifier's request ----------------------------------------------------------
  const requestForm = $("#request-form");
  certfree.onSubmit(requestForm, async (data) => useRequest(data.get("request")));
  $("#request-image").addEventListener("change", async (event) => {
    certfree.clearProblems(requestForm);
    const file = event.target.files[0];
    if (!file) return;
    try {
      const bitmap = await createImageBitmap(file);
      const text = readQr(bitmap, bitmap.width, bitmap.height);
      if (!text) throw new Error(T.no_qr_found);
      await useRequest(text);
    } catch (error) {
      certfree.showProblem(requestForm, error);
    } finally {
      event.target.value = "";
    }
  });
  $("#scan").addEventListener("click", () => (camera ? stopCamera() : startCamera().catch((error) => certfree.showProblem(requestForm, error))));
  const reader = document.createElement("canvas");
  function readQr(source, width, height) {
    reader.width = width;
    reader.height = height;
    const context = reader.getContext("2d", { willReadFrequently: true });
    context.drawImage(source, 0, 0, width, height);
    const found = jsQR(context.getImageData(0, 0, width, height).data, width, height);
    return found ? found.data : null;
  }
  let camera = null;
  async function startCamera() {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      throw new Error(fill(T.camera_failed, { detail: error.message || error.name }));
    }
    camera = stream;
    const video = $("#camera");
    video.srcObject = stream;
    video.hidden = false;
    $("#scan").textContent = T.stop_scan;
    await video.play();
    const frame = () => {
      if (camera !== stream) return;
      const text = video.readyState >= 2 ? readQr(video, video.videoWidth, video.videoHeight) : null;
      if (text && parseRequest(text)) {
        stopCamera();
        useRequest(text).catch((error) => certfree.showProblem(requestForm, error));
        return;
      }
      setTimeout(frame, 200);
    };
    frame();
  }
  function stopCamera() {
    if (camera) for (const track of camera.getTracks()) track.stop();
    camera = null;
    const video = $("#camera");
    video.srcObject = null;
    video.hidden = true;
    $("#scan").textContent = T.scan;
  }

  // ---- showing --------------------------------------------------------------------------------
  const randomPart = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(12))))
    .replace(/\+/g, "-").replace(/\//g, "_"); // 12 bytes: 16 base64url characters, no padding
  const walkUpNonce = () => `${Math.floor(Date.now() / 1000)}.${randomPart()}`;

  async function presentation(names) {
    const audience = request ? request.aud : PAGE.AUDIENCE;
    const nonce = request ? request.nonce : walkUpNonce();
    try {
      return await certfreeHolder.present(holding.subject, holding.cert.credential, names, { audience, nonce, kind: holding.kind, prove: proofs() });
    } catch (error) {
      throw explained(error);
    }
  }

  // The symbol at level L, raised to the strongest level that needs no larger version.
  function symbol(text) {
    let best = null;
    try {
      best = qrcode(0, "L");
      best.addData(text, "Byte");
      best.make();
    } catch {
      throw new Error(T.too_big);
    }
    const version = (best.getModuleCount() - 17) / 4;
    if (version > SCANNABLE_VERSION) throw new Error(T.too_big);
    for (const level of ["H", "Q", "M"]) {
      try {
        const stronger = qrcode(version, level);
        stronger.addData(text, "Byte");
        stronger.make();
        return stronger;
      } catch { /* does not fit this version at this level */ }
    }
    return best;
  }
  function draw(text, names) {
    const qr = symbol(text);
    const count = qr.getModuleCount();
    const size = count + 2 * QUIET_ZONE;
    const cell = Math.max(3, Math.floor(640 / size));
    const canvas = $("#qr");
    canvas.width = canvas.height = size * cell;
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = "#000";
    for (let row = 0; row < count; row += 1) {
      for (let col = 0; col < count; col += 1) {
        if (qr.isDark(row, col)) context.fillRect((col + QUIET_ZONE) * cell, (row + QUIET_ZONE) * cell, cell, cell);
      }
    }
    canvas.setAttribute("aria-label", fill(T.qr_label, { claims: showingLabels(names) }));
  }

  let ticking = null;
  function stopShowing() {
    clearInterval(ticking);
    ticking = null;
    $("#shown").hidden = true;
    $("#code-box").hidden = true;
  }
  $("#stop").addEventListener("click", stopShowing);

  // Show the QR and make it again every RENEW_SECONDS (a fresh nonce time and key-binding iat).
  async function showQr(names) {
    stopShowing();
    let due = 0;
    let renewing = false;
    const countdown = () => {
      $("#countdown").textContent = fill(T.renews_in, { seconds: Math.max(0, Math.ceil((due - Date.now()) / 1000)) });
    };
    const renew = async () => {
      draw(await presentation(names), names);
      due = Date.now() + PAGE.RENEW_SECONDS * 1000;
      countdown();
    };
    await renew();
    $("#showing").textContent = fill(T.showing, { claims: showingLabels(names) });
    $("#for-whom").textContent = request ? fill(T.for_request, { aud: request.aud }) : T.for_walkup;
    $("#shown").hidden = false;
    const mine = setInterval(async () => {
      if (Date.now() < due) { countdown(); return; }
      if (renewing) return;
      renewing = true;
      try { await renew(); } catch (error) { stopShowing(); certfree.showProblem(chooseForm, error); } finally { renewing = false; }
    }, 1000);
    ticking = mine;
    $("#qr").scrollIntoView({ block: "center" });
  }

  // A short code: the presentation parked at the node for one redemption within its expiry.
  async function showCode(names) {
    if (!request) throw new Error(T.short_code_walkup);
    stopShowing();
    const parked = await api("/api/v1/short-codes", { method: "POST", body: { presentation: await presentation(names) } });
    const due = Date.now() + parked.expires_in * 1000;
    const code = parked.code.length === 8 ? `${parked.code.slice(0, 4)}-${parked.code.slice(4)}` : parked.code;
    $("#code").textContent = code;
    const note = () => {
      const left = Math.ceil((due - Date.now()) / 1000);
      $("#code-note").textContent = left > 0 ? fill(T.short_code_note, { seconds: left }) : T.short_code_expired;
      if (left <= 0) { clearInterval(ticking); ticking = null; $("#code").textContent = ""; }
    };
    note();
    $("#code-box").hidden = false;
    ticking = setInterval(note, 1000);
  }

  const chooseForm = $("#choose");
  certfree.onSubmit(chooseForm, async (data, submitter) => {
    const names = chosen();
    if (!names.length && !Object.keys(proofs()).length) throw Object.assign(new Error(T.choose_one), { field: "disclose" });
    certfreeRequests.refuseBeyond(request, names); // a registered verifier's scenario, no more
    if (submitter && submitter.value === "code") await showCode(names); else await showQr(names);
  });

  return { prepare, stop: stopShowing };
})();
