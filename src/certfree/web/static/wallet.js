"use strict";
// The wallet (卡包): the certificates a person holds (/wallet), and one of them with its face
// data (/wallet/<identifier>), where static/wallet_show.js shows it (亮证). Certificates come
// from GET /api/v1/certificates (an applicant's own, with the credential); a backfilled one is
// claimed (认领) with the public key of the holder key kept in this browser (static/holder.js).
(() => {
  const { PAGE, T, $, api, fill, local, mask, el } = certfree;
  const TYPES = PAGE.CERT_TYPES;
  const ORGANS = PAGE.ORGANS;

  const auth = certfree.setAuth(signIn({
    key: "certfree.me", devPath: "/dev/sign-in", development: PAGE.DEVELOPMENT,
    failed: T.failed, onChange: load,
  }));
  const subject = () => auth.session().subject;

  const line = $("#status-line");
  function say(text, problem = false) {
    line.textContent = text || "";
    line.classList.toggle("invalid", problem);
  }

  const statusText = (cert) => {
    const status = T[`status.${cert.status}`] || cert.status_zh;
    const reason = cert.revocation_reason && T[`reason.${cert.revocation_reason}`];
    return reason ? fill(T.status_reason, { status, reason }) : status;
  };
  const validity = (cert) => cert.valid_to
    ? fill(T.valid_range, { from: cert.valid_from, to: cert.valid_to })
    : fill(T.permanent, { from: cert.valid_from });
  const kindOf = (cert) => TYPES[cert.type_code] || { name: cert.type_name, fields: [], predicates: [] };
  const organ = (uscc) => (ORGANS[uscc] ? `${ORGANS[uscc]}` : uscc);

  async function load() {
    say(T.loading);
    try {
      const held = await api("/api/v1/certificates");
      say("");
      if (PAGE.IDENTIFIER) await showOne(held); else list(held);
      if (!PAGE.IDENTIFIER && window.walletCities) await walletCities.list(held);
    } catch (error) {
      say(error.message, true);
    }
  }

  // ---- the list ---------------------------------------------------------------------------
  function card(cert) {
    const kind = kindOf(cert);
    const good = cert.status === "issued";
    const item = el("li", { className: "card" });
    item.dataset.id = cert.identifier;
    item.append(
      el("h3", { textContent: kind.name }),
      el("p", { className: "issuer", textContent: organ(cert.issuer) }),
      el("p", { className: "validity", textContent: validity(cert) }),
      el("p", {}, el("span", { className: `badge ${good ? "good" : "bad"} status`, textContent: statusText(cert) })),
    );
    if (cert.superseded_by) return item;
    if (!cert.holder_key_bound && good) {
      const claim = el("button", { type: "button", className: "claim", textContent: T.claim });
      claim.setAttribute("aria-label", fill(T.claim_named, { name: kind.name }));
      claim.addEventListener("click", () => claimIt(cert, claim));
      item.append(el("p", { className: "notice", textContent: T.unclaimed }), claim);
    } else {
      const open = el("a", { className: "button open", href: `/wallet/${encodeURIComponent(cert.identifier)}`, textContent: T.open });
      open.setAttribute("aria-label", fill(T.open_named, { name: kind.name }));
      item.append(open);
    }
    return item;
  }
  function list(held) {
    const current = held.filter((c) => !c.superseded_by);
    const old = held.filter((c) => c.superseded_by);
    $("#cards").replaceChildren(...current.map(card));
    $("#no-cards").hidden = current.length > 0;
    $("#old-cards").replaceChildren(...old.map(card));
    $("#history").hidden = old.length === 0;
  }

  // 认领: the platform seals the backfilled certificate again, bound to this browser's key.
  async function claimIt(cert, button) {
    button.disabled = true;
    try {
      const jwk = await certfreeHolder.publicJwk(subject());
      const claimed = await api(`/api/v1/me/certificates/${encodeURIComponent(cert.identifier)}/claim`, {
        method: "POST", body: { holder_jwk: jwk },
      });
      if (PAGE.IDENTIFIER) {
        PAGE.IDENTIFIER = claimed.identifier;
        history.replaceState(null, "", `/wallet/${encodeURIComponent(claimed.identifier)}`);
      }
      await load();
      say(fill(T.claimed, { name: kindOf(cert).name }));
    } catch (error) {
      say(error.message, true);
      button.disabled = false;
    }
  }

  // A demo node's own certificates (居民身份证, 户口簿), sealed to this browser's key.
  for (const button of document.querySelectorAll("#demo button[data-type]")) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const jwk = await certfreeHolder.publicJwk(subject());
        await api("/dev/own-certificates", { method: "POST", body: { type_code: button.dataset.type, holder_jwk: jwk } });
        await load();
        say(fill(T.demo_taken, { name: kindOf({ type_code: button.dataset.type }).name }));
      } catch (error) {
        say(error.message, true);
      } finally {
        button.disabled = false;
      }
    });
  }

  // ---- one certificate --------------------------------------------------------------------
  const shownValue = (field, value) => {
    if (value === true) return T.yes;
    if (value === false) return T.no;
    if (field && field.type === "id_number") return mask(value);
    if (field && field.type === "enum") return T[`value.${value}`] || String(value);
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  };
  const pair = (term, value) => [el("dt", { textContent: term }), el("dd", { textContent: value })];

  async function showOne(held) {
    const cert = held.find((c) => c.identifier === PAGE.IDENTIFIER);
    $("#detail").hidden = !cert;
    $("#face-box").hidden = !cert;
    $("#show").hidden = true;
    if (!cert) { say(T.not_found, true); return; }
    const kind = kindOf(cert);
    $("#detail-h").textContent = kind.name;
    document.title = `${kind.name} · ${document.title.split(" · ").pop()}`;
    $("#meta").replaceChildren(
      ...pair(T.issuer, organ(cert.issuer)),
      ...pair(T.validity, validity(cert)),
      ...pair(T.status, statusText(cert)),
      ...pair(T.issued_at, local(cert.issued_at)),
      ...pair(T.identifier, cert.identifier),
    );
    const values = {};
    for (const d of cert.credential ? await certfreeHolder.disclosures(cert.credential) : []) values[d.name] = d.value;
    const face = [];
    for (const field of kind.fields) if (field.name in values) face.push(...pair(field.label, shownValue(field, values[field.name])));
    $("#face").replaceChildren(...face);

    const claimable = !cert.holder_key_bound && cert.status === "issued";
    $("#claim-box").hidden = !claimable;
    if (claimable) {
      const button = $("#claim");
      button.replaceWith(button.cloneNode(true)); // drop the handler of a previous version
      $("#claim").addEventListener("click", (event) => claimIt(cert, event.currentTarget));
    }
    let unusable = "";
    if (cert.status !== "issued") unusable = fill(T.not_usable, { status: statusText(cert) });
    else if (!claimable && !(await certfreeHolder.boundHere(subject(), cert.credential))) unusable = T.other_device;
    $("#unusable").textContent = unusable;
    $("#unusable").hidden = !unusable;
    if (!claimable && !unusable) walletShow.prepare({ cert, kind, values, subject: subject() });
  }

  auth.start();
})();
