"use strict";
// The wallet's side of the register of relying parties (certfree/governance/relying_parties,
// the same rules as `certfree wallet present`): a verifier's signed request
// "certfree:request?jwt=<compact JWS>" is checked against the register — signed (ES256) by the
// key the verifier registered, the verifier active, the request in time, for one of its
// scenarios and asking nothing beyond it — and nothing beyond that scenario is disclosed. The
// old unsigned text is read only for an audience that is not a registered verifier.
//
// The register comes from the node that served this page (GET /api/v1/relying-parties/register,
// the province's signed register): the page's own code comes from the same node, so checking
// the province's signature here would add no trust; an offline wallet app checks it.
const certfreeRequests = (() => {
  const { PAGE, fill } = certfree;
  const RT = PAGE.RP_T;
  const PREFIX = "certfree:verifier:";
  const SKEW = 60; // seconds of clock difference allowed, as the node allows
  let register = null;

  const fromB64url = (text) => {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  };
  const json = (part) => JSON.parse(new TextDecoder().decode(fromB64url(part)));
  const refusal = (message, field = "request") => Object.assign(new Error(message), { field });

  // The request's members from its JWT, nothing checked yet; null when it cannot be read.
  function parse(jwt) {
    try {
      const payload = json(jwt.split(".")[1] || "");
      if (!payload || typeof payload.aud !== "string" || typeof payload.nonce !== "string") return null;
      const claims = Array.isArray(payload.claims) ? [...new Set(payload.claims.filter((c) => typeof c === "string"))] : [];
      return { aud: payload.aud, nonce: payload.nonce, claims, scenario: payload.scenario, jwt };
    } catch { return null; }
  }

  async function parties() {
    if (!register) {
      const response = await fetch("/api/v1/relying-parties/register");
      if (!response.ok) throw refusal(fill(RT.register_failed, { detail: `HTTP ${response.status}` }));
      const token = (await response.text()).trim();
      register = json(token.split(".")[1]).relying_parties || [];
    }
    return register;
  }
  const partyOf = (list, aud) => list.find((p) => p.uscc === String(aud).replace(PREFIX, "").toUpperCase());
  const named = (party) => (party.name && party.name !== party.uscc ? `${party.name}（${party.uscc}）` : party.uscc);

  // ES256 (RFC 7518 §3.4): the JWS signature is r||s, which WebCrypto's ECDSA takes as it is.
  async function signedBy(jwt, jwk) {
    const [header, payload, signature] = jwt.split(".");
    if (json(header).kid !== jwk.kid || json(header).alg !== "ES256") return false;
    const key = await crypto.subtle.importKey(
      "jwk", { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y }, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"],
    );
    return crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" }, key, fromB64url(signature), new TextEncoder().encode(`${header}.${payload}`),
    );
  }

  // Check a parsed request; it gains .party and .allowed (the scenario's claims) when the
  // verifier is registered. Throws an Error naming the rule (field "request").
  async function check(request) {
    const party = partyOf(await parties(), request.aud);
    if (!request.jwt) {
      if (party) throw refusal(fill(RT.unsigned, { party: named(party) }));
      return request;
    }
    if (!party) throw refusal(fill(RT.unregistered, { party: request.aud }));
    const who = named(party);
    let valid = false;
    try { valid = await signedBy(request.jwt, party.jwk); } catch { valid = false; }
    const payload = json(request.jwt.split(".")[1]);
    if (!valid || json(request.jwt.split(".")[0]).typ !== "certfree-request+jwt" || payload.iss !== party.uscc) {
      throw refusal(fill(RT.bad_signature, { party: who }));
    }
    if (party.status !== "active") throw refusal(fill(RT.party_suspended, { party: who }));
    const now = Date.now() / 1000;
    if (!(payload.exp >= now - SKEW) || !(payload.iat <= now + SKEW)) throw refusal(fill(RT.expired, { party: who }));
    const scenario = party.scenarios.find((s) => s.name === request.scenario);
    if (!scenario) throw refusal(fill(RT.scenario_unknown, { party: who, scenario: request.scenario || "" }));
    const beyond = request.claims.filter((name) => !scenario.claims.includes(name));
    if (beyond.length) throw refusal(beyondText(who, scenario, beyond));
    return { ...request, party, allowed: scenario.claims, scenarioTitle: PAGE.LANG === "en" ? scenario.title_en : scenario.title };
  }
  function beyondText(who, scenario, beyond) {
    const sep = PAGE.LANG === "en" ? ", " : "、";
    return fill(RT.beyond, { party: who, scenario: scenario.name, allowed: scenario.claims.join(sep), refused: beyond.join(sep) });
  }

  // Before showing: to a registered verifier only the claims of its scenario go.
  function refuseBeyond(request, names) {
    if (!request || !request.allowed) return;
    const beyond = names.filter((name) => !request.allowed.includes(name));
    if (beyond.length) {
      const scenario = request.party.scenarios.find((s) => s.name === request.scenario);
      throw refusal(beyondText(named(request.party), scenario, beyond), "disclose");
    }
  }

  return { parse, check, refuseBeyond };
})();
