"use strict";
// The holder's side of an e-certificate in the browser (持证人端侧处理): the holder key and
// presentations (亮证). The key is an ECDSA P-256 key (ES256, RFC 7518 §3.4) made by WebCrypto
// as non-extractable and kept in IndexedDB, one per person (their ID number) on this device:
// the private key never leaves the browser, not even to this page's own scripts. A
// presentation keeps the chosen disclosures and adds a key-binding JWT (RFC 9901 §4.3) signed
// with that key, bound to the verifier's audience and nonce.
const certfreeHolder = (() => {
  const DB = "certfree-wallet";
  const STORE = "holder-keys";
  const encoder = new TextEncoder();

  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const fromB64url = (text) => {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  };
  const utf8 = (bytes) => new TextDecoder().decode(bytes);
  const sha256 = async (text) => b64url(await crypto.subtle.digest("SHA-256", encoder.encode(text)));

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function transact(mode, work) {
    const db = await open();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const request = work(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = () => reject(tx.error);
      });
    } finally { db.close(); }
  }

  // The person's key on this device, made on first use: {privateKey (non-extractable), publicJwk}.
  async function key(subject) {
    const id = String(subject).toUpperCase();
    const found = await transact("readonly", (store) => store.get(id));
    if (found) return found;
    const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
    const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
    const entry = { privateKey: pair.privateKey, publicJwk: { kty, crv, x, y } };
    await transact("readwrite", (store) => store.put(entry, id));
    return entry;
  }
  const publicJwk = async (subject) => (await key(subject)).publicJwk;
  const hasKey = async (subject) => Boolean(await transact("readonly", (store) => store.get(String(subject).toUpperCase())));

  // The issuer-signed JWT's payload (claims visible without disclosure: vct, iss, cnf, …).
  const payload = (compact) => JSON.parse(utf8(fromB64url(compact.split("~")[0].split(".")[1])));

  // Each disclosure: {encoded, digest, name (null for an array element), value}.
  async function parse(compact) {
    const parts = compact.trim().split("~");
    const out = [];
    for (const encoded of parts.slice(1, -1)) {
      const decoded = JSON.parse(utf8(fromB64url(encoded)));
      const [name, value] = decoded.length === 3 ? [decoded[1], decoded[2]] : [null, decoded[1]];
      out.push({ encoded, digest: await sha256(encoded), name, value });
    }
    return { jwt: parts[0], disclosures: out };
  }
  const disclosures = async (compact) => (await parse(compact)).disclosures
    .filter((d) => d.name !== null).map(({ name, value }) => ({ name, value }));

  // The digests a value refers to: an object's `_sd` and array elements {"...": digest}.
  function referenced(value, into) {
    if (Array.isArray(value)) {
      for (const item of value) {
        if (item && typeof item === "object" && !Array.isArray(item) && Object.keys(item).length === 1 && "..." in item) into.add(item["..."]);
        else referenced(item, into);
      }
    } else if (value && typeof value === "object") {
      for (const [member, inner] of Object.entries(value)) {
        if (member === "_sd" && Array.isArray(inner)) for (const d of inner) into.add(d);
        else referenced(inner, into);
      }
    }
    return into;
  }

  // The disclosures to send for the wanted names: each named one, what is nested in it, and
  // the disclosures of the objects holding it (RFC 9901 §4.2.6), in the credential's order.
  function kept(disclosures, wanted) {
    const parent = new Map();
    for (const d of disclosures) for (const inner of referenced(d.value, new Set())) parent.set(inner, d);
    const keep = new Set(disclosures.filter((d) => wanted.has(d.name)).map((d) => d.digest));
    let grown = true;
    while (grown) {
      const before = keep.size;
      for (const [digest, above] of parent) if (keep.has(above.digest)) keep.add(digest);
      grown = keep.size > before;
    }
    for (const digest of Array.from(keep)) {
      let above = parent.get(digest);
      while (above && !keep.has(above.digest)) { keep.add(above.digest); above = parent.get(above.digest); }
    }
    return disclosures.filter((d) => keep.has(d.digest)).map((d) => d.encoded);
  }

  // ---- derived claims (端侧处理), as certfree/certs/derived.py and wallet/derivation.py ----
  // H^steps over SHA-256 of the 32 raw bytes, with WebCrypto.
  async function hashChain(bytes, steps) {
    let value = bytes;
    for (let i = 0; i < steps; i += 1) value = new Uint8Array(await crypto.subtle.digest("SHA-256", value));
    return value;
  }
  const DAY_MS = 86400000;
  const dayNumber = (iso) => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
  const beijingDay = (seconds) => new Date(seconds * 1000 + 8 * 3600 * 1000).toISOString().slice(0, 10);
  // T: the last birth date of one aged at least `years` on day `on` (29 February → 28th).
  function latestBirthDate(on, years) {
    const year = Number(on.slice(0, 4)) - years;
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const monthDay = on.slice(5) === "02-29" && !leap ? "02-28" : on.slice(5);
    return `${String(year).padStart(4, "0")}-${monthDay}`;
  }
  const LEVELS = { 2: "resident_province", 4: "resident_city", 6: "resident_county" };
  const divisionLevel = (code) => { let text = String(code).trim(); while (text.length > 2 && text.endsWith("00")) text = text.slice(0, -2); return text; };
  // Never named: the chain's seed gives the birth date away.
  const NEVER = new Set(["age_seed"]);

  // The disclosures and key-binding statements that prove `prove` ({age_at_least: N,
  // resident_of: "3701"}) for the Beijing day of `iat`; an Error with `reason` otherwise.
  async function derive(values, kind, prove, iat) {
    const disclose = [];
    const derived = {};
    if (prove.age_at_least !== undefined) {
      const rule = ((kind && kind.derived) || []).find((d) => d.kind === "age_at_least");
      const years = Number(prove.age_at_least);
      const anchor = values.age_anchor;
      if (!rule || !anchor || !values.age_seed) throw Object.assign(new Error("no age chain"), { reason: "age_not_derivable" });
      if (!Number.isInteger(years) || years < rule.minimum || years > rule.maximum) throw Object.assign(new Error("age out of range"), { reason: "age_not_allowed", years });
      const ref = dayNumber(anchor.ref);
      const k = Math.min(Math.max(ref - dayNumber(values[rule.field]), 0), anchor.max);
      const m = Math.max(ref - dayNumber(latestBirthDate(beijingDay(iat), years)), 0);
      if (m > k) throw Object.assign(new Error(`not aged ${years}`), { reason: "not_old_enough", years });
      derived.age_at_least = { years, proof: b64url(await hashChain(fromB64url(values.age_seed), k - m)) };
      disclose.push("age_anchor");
    }
    if (prove.resident_of !== undefined) {
      const asked = divisionLevel(prove.resident_of);
      const name = LEVELS[asked.length];
      if (!name || values[name] !== asked) throw Object.assign(new Error(`not resident of ${asked}`), { reason: "not_resident" });
      derived.resident_of = asked;
      disclose.push(name);
    }
    return { disclose, derived };
  }

  // The fields of `names` never disclosed alone, when none the type requires beside them is
  // there (certfree/certs/disclosure.py); [] when the rule holds.
  function loneFields(kind, names) {
    const wanted = new Set(names);
    if (kind && kind.holder_field && wanted.has(kind.holder_field)) wanted.add("holder_id"); // its face copy
    if (!kind || wanted.has("face") || (kind.disclose_with || []).some((name) => wanted.has(name))) return [];
    return kind.fields.filter((f) => wanted.has(f.name) && !f.disclose_alone);
  }

  // `<jwt>~<chosen disclosures>~<kb-jwt>` for the verifier's audience and nonce. With `kind`
  // (the type, GET /api/v1/cert-types/{code}) the disclosure rule is kept and `prove`
  // ({age_at_least, resident_of}) is proved here, from values that never leave the device.
  async function present(subject, compact, disclose, { audience, nonce, iat, kind, prove } = {}) {
    if (!audience || !nonce) throw new Error("audience and nonce are required");
    const parsed = await parse(compact);
    const moment = iat ?? Math.floor(Date.now() / 1000);
    const values = Object.fromEntries(parsed.disclosures.filter((d) => d.name !== null).map((d) => [d.name, d.value]));
    const extra = prove ? await derive(values, kind, prove, moment) : { disclose: [], derived: {} };
    const reserved = disclose.filter((name) => NEVER.has(name));
    if (reserved.length) throw new Error(`cannot disclose ${reserved.join(", ")}`);
    const lone = loneFields(kind, disclose);
    if (lone.length) throw Object.assign(new Error(`${lone.map((f) => f.name).join(", ")} may not be disclosed alone`), { reason: "disclosed_alone", lone });
    const wanted = new Set([...disclose, ...extra.disclose]);
    const missing = [...wanted].filter((name) => !parsed.disclosures.some((d) => d.name === name));
    if (missing.length) throw new Error(`cannot disclose ${missing.join(", ")}`);
    const prefix = [parsed.jwt, ...kept(parsed.disclosures, wanted), ""].join("~");
    const header = { alg: "ES256", typ: "kb+jwt" };
    const statements = Object.keys(extra.derived).length ? { derived: extra.derived } : {};
    const claims = { ...statements, aud: audience, nonce, iat: moment, sd_hash: await sha256(prefix) };
    const input = `${b64url(encoder.encode(JSON.stringify(header)))}.${b64url(encoder.encode(JSON.stringify(claims)))}`;
    const { privateKey } = await key(subject);
    const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, encoder.encode(input));
    return `${prefix}${input}.${b64url(signature)}`;
  }

  // Whether `compact` is bound to this person's key on this device (cnf.jwk, RFC 7800).
  async function boundHere(subject, compact) {
    const cnf = payload(compact).cnf;
    if (!cnf || !cnf.jwk || !(await hasKey(subject))) return false;
    const mine = await publicJwk(subject);
    return cnf.jwk.x === mine.x && cnf.jwk.y === mine.y;
  }

  return { key, publicJwk, hasKey, payload, disclosures, present, boundHere, hashChain, loneFields, latestBirthDate };
})();
