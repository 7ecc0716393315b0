"use strict";
// Signed requests on /verify (依赖方登记, certfree/governance/relying_parties): a verifier in
// the register of relying parties sees its own scenarios and asks with requests the node signs
// with the key it keeps for it ("certfree:request?jwt=…"); a verifier account not in the
// register keeps the page's scenarios and the unsigned request text.
const certfreeSigned = (() => {
  const { PAGE, $, api, el, fill } = certfree;
  const RT = PAGE.RP_T;
  const english = PAGE.LANG === "en";
  let party = null; // the signed-in verifier's entry, when it is registered and active

  // Replace the page's scenarios with the party's own; onChoose runs when one is picked.
  function showScenarios(labels, onChoose) {
    const fieldset = $("fieldset.scenarios");
    const legend = fieldset.querySelector("legend");
    const radios = party.scenarios.map((s, index) => {
      const radio = el("input", { type: "radio", name: "scenario", value: s.name, checked: index === 0 });
      radio.addEventListener("change", onChoose);
      return el("label", {}, radio, ` ${english ? s.title_en : s.title}`);
    });
    fieldset.replaceChildren(legend, ...radios);
    let note = $("#signed-as");
    if (!note) {
      note = el("p", { id: "signed-as", className: "muted" });
      fieldset.after(note);
    }
    note.textContent = fill(RT.signed_as, { name: party.name, uscc: party.uscc });
    party.labels = labels;
  }

  // The verifier's entry (GET /relying-parties/mine); false when it is not registered.
  async function load(labels, onChoose) {
    party = null;
    let mine = null;
    try {
      mine = await api("/api/v1/relying-parties/mine");
    } catch (error) {
      if (error.status !== 404) throw error;
      return false;
    }
    if (mine.status !== "active") {
      const note = $("#signed-as") || el("p", { id: "signed-as", className: "muted" });
      $("fieldset.scenarios").after(note);
      note.textContent = fill(RT.suspended, { name: mine.name, uscc: mine.uscc });
      return false;
    }
    party = mine;
    showScenarios(labels, onChoose);
    return true;
  }

  // The chosen scenario as the page uses one: key, name, claims and what it asks in words.
  function scenario() {
    if (!party) return null;
    const value = ($("input[name=scenario]:checked") || {}).value;
    const s = party.scenarios.find((candidate) => candidate.name === value) || party.scenarios[0];
    const labels = party.labels || {};
    return {
      key: s.name,
      name: english ? s.title_en : s.title,
      claims: s.claims,
      asks: s.claims.map((name) => labels[name] || name).join(english ? ", " : "、"),
    };
  }

  // A request signed by the node with the party's key: {audience, nonce, claims, until, text}.
  async function request(chosen) {
    let made;
    try {
      made = await api(`/api/v1/relying-parties/${encodeURIComponent(party.uscc)}/requests`, {
        method: "POST", body: { scenario: chosen.key },
      });
    } catch (error) {
      // Suspended since the page loaded, or no key kept here: said where the request shows.
      $("#request-text").textContent = fill(RT.sign_failed, { detail: error.message });
      $("#request-qr").hidden = true;
      throw error;
    }
    return {
      audience: made.aud,
      nonce: made.nonce,
      claims: made.claims,
      scenario: made.scenario,
      until: Date.now() + (made.exp - made.iat) * 1000,
      text: made.request,
    };
  }

  return { load, scenario, request, registered: () => party !== null };
})();
