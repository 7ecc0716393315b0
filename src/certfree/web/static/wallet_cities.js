"use strict";
// At the province, the wallet (/wallet) also lists what every other city and department issued
// to the signed-in person: their own entries in the provincial index (统一归集), answered by
// GET /api/v1/me/certificates/index for the token's subject only. The certificate itself stays
// at its issuing node; each card links to that node's wallet, where it is viewed, claimed and
// shown. Loaded before static/wallet.js, which calls walletCities.list after its own list.
window.walletCities = (() => {
  const { PAGE, T, $, api, fill, el } = certfree;

  const kindName = (entry) => (PAGE.CERT_TYPES[entry.type_code] || {}).name || entry.type_name;
  const organ = (uscc) => PAGE.ORGANS[uscc] || uscc;
  const nodeName = (code) => PAGE.NODES[code] || code;
  const statusText = (entry) => {
    const status = T[`status.${entry.status}`] || entry.status;
    const reason = entry.revocation_reason && T[`reason.${entry.revocation_reason}`];
    return reason ? fill(T.status_reason, { status, reason }) : status;
  };
  const validity = (entry) => entry.valid_to
    ? fill(T.valid_range, { from: entry.valid_from, to: entry.valid_to })
    : fill(T.permanent, { from: entry.valid_from });

  function card(entry) {
    const name = kindName(entry);
    const item = el("li", { className: "card" });
    item.dataset.id = entry.identifier;
    item.dataset.node = entry.node;
    item.append(
      el("h3", { textContent: name }),
      el("p", { className: "issuer", textContent: organ(entry.issuer_uscc) }),
      el("p", { className: "node", textContent: fill(T.issued_at_node, { node: nodeName(entry.node) }) }),
      el("p", { className: "validity", textContent: validity(entry) }),
      el("p", {}, el("span", {
        className: `badge ${entry.status === "issued" ? "good" : "bad"} status`, textContent: statusText(entry),
      })),
    );
    if (entry.node_url) {
      const open = el("a", {
        className: "button secondary open",
        href: `${entry.node_url}/wallet/${encodeURIComponent(entry.identifier)}`,
        textContent: T.open_at_node,
      });
      open.setAttribute("aria-label", fill(T.open_at_node_named, { name }));
      item.append(open);
    }
    return item;
  }

  async function list(held) {
    const here = new Set(held.map((c) => c.identifier));
    const entries = await api("/api/v1/me/certificates/index");
    const elsewhere = entries.filter((e) => e.node !== PAGE.NODE && !here.has(e.identifier));
    $("#city-cards").replaceChildren(...elsewhere.map(card));
    $("#cities").hidden = elsewhere.length === 0;
  }

  return { list };
})();
