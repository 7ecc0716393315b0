"use strict";
// The requirements of an application (/apply/{id}) as its party sees them, with the acts a
// requirement waits for from the signed-in person: show an e-certificate from this device's
// wallet (made for the accepting node, the application id as nonce), or read the whole
// commitment form (国办发〔2020〕42号) and sign it. Loaded before apply_case.js.
const applyParts = (() => {
  const { PAGE, T, el, fill, api, onSubmit } = certfree;
  const L = PAGE.LABELS;
  const BAD = new Set(["failed", "unmet", "paper_required"]);

  const whose = (role, subject, me) => (subject === me ? fill(T.aside, { main: L.parties[role], note: T.you }) : L.parties[role]);
  const openPart = (requirement, way) => requirement.parts.find((p) => p.way === way && p.status !== "met");

  // The way in plain words: "checked online …", "show the e-certificate “居民身份证”".
  function wayWords(requirement) {
    if (!requirement.way) return "—";
    const part = requirement.parts.find((p) => p.way === requirement.way) || {};
    const certificate = part.certificate_type || (part.kind === "certificate_type" ? part.ref : null);
    const name = certificate ? (L.certificates[certificate] || part.name) : part.name;
    return fill(T[`way_plain.${requirement.way}`] || L.ways[requirement.way], { name: name || "" });
  }

  // The credential of `type` in the person's library that this device's key is bound to.
  async function heldHere(subject, type) {
    for (const held of await api("/api/v1/certificates")) {
      if (held.type_code !== type || held.status !== "issued" || !held.credential) continue;
      if (await certfreeHolder.boundHere(subject, held.credential)) return held.credential;
    }
    return null;
  }

  // Show the e-certificate the part asks for: the holder ID (and the predicate asked, e.g.
  // age_over_60) only; the wallet key is registered first, for the node checks the key binding
  // against it.
  async function present(app, requirement, part, subject) {
    const type = part.certificate_type || part.ref;
    let credential = await heldHere(subject, type);
    if (!credential && PAGE.OWN_CERTIFICATES.includes(type)) {
      // A demo node: the resident takes their own card into this wallet, as `certfree apply` does.
      const holderJwk = await certfreeHolder.publicJwk(subject);
      credential = (await api("/dev/own-certificates", { method: "POST", body: { type_code: type, holder_jwk: holderJwk } })).credential;
    }
    if (!credential) throw new Error(fill(T.present_none, { name: L.certificates[type] || part.name }));
    const path = `/api/v1/applications/${encodeURIComponent(app.id)}`;
    const party = app.parties.find((p) => p.id === subject);
    if (party && !party.wallet_key) {
      await api(`${path}/wallet-key`, { method: "POST", body: { party: subject, holder_jwk: await certfreeHolder.publicJwk(subject) } });
    }
    const names = new Set((await certfreeHolder.disclosures(credential)).map((d) => d.name));
    const predicate = (part.parameters || {}).predicate;
    const disclose = ["holder_id", ...(predicate ? [predicate] : [])].filter((name) => names.has(name));
    const shown = await certfreeHolder.present(subject, credential, disclose, { audience: app.node, nonce: app.id });
    return api(`${path}/presentations`, { method: "POST", body: { requirement: requirement.position, presentation: shown } });
  }

  // The whole commitment form, then the agreement box and the signature (its text hash).
  async function commitmentForm(app, requirement, part, box, done) {
    const query = new URLSearchParams({ proof: part.ref, service: app.service_item, lang: PAGE.LANG });
    const form = await api(`/api/v1/commitments/form?${query}`);
    const id = `commitment-${requirement.position}`;
    const sign = el("form", { className: "commitment" },
      el("article", { className: "commitment-text", ariaLabel: form.title },
        el("h4", { textContent: form.title }),
        ...form.sections.flatMap((s) => [el("h5", { textContent: s.title }), el("p", { textContent: s.body })]),
        el("p", { className: "note digest", textContent: fill(T.commit_digest, { hash: form.text_hash }) })),
      el("p", {},
        el("input", { type: "checkbox", id: `${id}-agree`, name: "agree", required: true }),
        el("label", { htmlFor: `${id}-agree`, textContent: ` ${T.commit_agree}` })),
      el("button", { type: "submit", textContent: T.commit_sign }));
    onSubmit(sign, async () => done(await api(`/api/v1/applications/${encodeURIComponent(app.id)}/commitments`, {
      method: "POST", body: { requirement: requirement.position, text_hash: form.text_hash },
    })));
    box.replaceChildren(sign);
    sign.querySelector("h4").scrollIntoView({ block: "start" });
  }

  // One requirement's card; `done(view)` redraws the page with the application an act returned.
  function card(app, requirement, { me, open, asked, done }) {
    const status = el("span", {
      className: `badge ${requirement.status === "met" ? "good" : BAD.has(requirement.status) ? "bad" : ""}`,
      textContent: L.statuses[requirement.status],
    });
    const facts = el("dl", {},
      el("dt", { textContent: T.of_whom }), el("dd", { textContent: whose(requirement.party, requirement.subject, me) }),
      el("dt", { textContent: T.by_way }), el("dd", { className: "way", textContent: wayWords(requirement) }),
      el("dt", { textContent: T.status }), el("dd", { className: "status" }, status));
    if (requirement.status !== "met" && requirement.status !== "planned") {
      const why = PAGE.LANG === "en" ? requirement.explanation_en : requirement.explanation_zh;
      facts.append(el("dt", { textContent: T.explanation }), el("dd", { className: "explanation", textContent: why }));
    }
    const item = el("li", { className: asked ? "asked" : "" },
      el("h3", { textContent: `${fill(T.requirement_n, { n: requirement.position + 1 })} ${requirement.requirement}` }), facts);
    item.dataset.position = requirement.position;
    item.dataset.status = requirement.status;
    if (!open || requirement.status === "met") return item;
    const mine = (requirement.subject || app.applicant) === me;
    const role = L.roles[requirement.party];
    const certificate = openPart(requirement, "e_certificate");
    const commitment = openPart(requirement, "commitment");
    if (certificate && mine) {
      const form = el("form", { className: "act" },
        el("button", { type: "submit", textContent: T.present }), " ",
        el("a", { href: "/wallet", textContent: T.to_wallet }));
      onSubmit(form, async () => done(await present(app, requirement, certificate, me)));
      item.append(form);
    } else if (certificate) {
      item.append(el("p", { className: "note", textContent: fill(T.present_who, { role }) }));
    }
    if (commitment && mine) {
      const box = el("div", { className: "commitment-box" });
      const form = el("form", { className: "act" }, el("button", { type: "submit", className: "secondary", textContent: T.commit_read }));
      onSubmit(form, async () => commitmentForm(app, requirement, commitment, box, done));
      item.append(form, box);
    } else if (commitment) {
      item.append(el("p", { className: "note", textContent: fill(T.commit_who, { role }) }));
    }
    return item;
  }

  return { card, wayWords, whose };
})();
