"""The holder commitment of the provincial index: who holds a certificate, without saying who.

``commitment = base64url(HMAC-SHA256(K, "certfree:cert-index:v1:" || holder code))`` with the
holder code as issued (an ID number, GB 11643, or a USCC, GB 32100; upper case) and ``K`` the
province-wide index key (``CERTFREE_CERT_INDEX_KEY``), held by every node of the province and
by no one else. Why keyed and not a plain or salted hash:

* an ID number has little entropy (a division code, a birth date, three digits and a check
  character: some 10^11 values, and far fewer for a known region and age), so a plain hash of
  it is reversed by enumeration; with a secret key a leaked index names nobody;
* a per-certificate salt would hide that two entries have the same holder, which is exactly
  what one wallet across cities needs to find; the key keeps that one link and no more.

What it protects, and what not: the index at the province holds no ID number and no face data;
whoever holds the index without ``K`` learns only that some entries share a holder. Anyone
holding ``K`` (a node operator) can test a known ID number against it, which is why the
province never answers a query *by* commitment: it computes the commitment itself from the
subject of the signed-in holder's token (:func:`holder_commitment`) and answers that holder
only; city admins and the bureau see entries without commitments.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from certfree.crypto import b64url_encode

__all__ = ["COMMITMENT", "holder_commitment"]

_DOMAIN = b"certfree:cert-index:v1:"
COMMITMENT = re.compile(r"[A-Za-z0-9_-]{43}")  # 32 bytes, base64url without padding


def holder_commitment(key: bytes, holder: str) -> str:
    """The commitment of ``holder`` (ID number or USCC) under the index key ``key``."""
    code = holder.strip().upper().encode("ascii")
    return b64url_encode(hmac.new(key, _DOMAIN + code, hashlib.sha256).digest())
