"""Forged and mutated presentations of one genuine credential, by class of attack.

A :class:`Forger` holds a genuine credential, its issuer's and its holder's signers, and the
audience and nonce a verifier expects. ``corpus()`` yields ``(class, presentation)`` pairs;
every one of them must be refused. Some classes are *re-sealed*: the genuine issuer key (or
holder key) signs the mutated token, so the refusal cannot come from a broken signature and
must come from the check under test (a NaN ``iat``, a ``typ: JWT``, a status ``idx: true``).
``control()`` runs the same re-sealing with harmless values and must verify, which shows the
refusals are the mutations' doing.

Raw JSON text is written where Python's json cannot write it (``NaN``, ``1e400``, 1,000
nested ``[``): a value is given as :class:`Raw` and spliced into the serialised text.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from certfree.crypto import (
    Alg,
    Signer,
    b64url_decode,
    b64url_encode,
    canonical_json,
    generate_signer,
)
from certfree.crypto.sdjwt import parse_sd_jwt
from certfree.crypto.sdjwt.jws import disclosure_digest

__all__ = ["BAD_DATES", "CLASSES", "Forger", "Raw", "nested"]

Forgery = tuple[str, str]


@dataclass(frozen=True)
class Raw:
    """JSON text to put in place of a value, as is."""

    text: str


_DELETE = object()  # a claim value meaning "leave the claim out"


def nested(depth: int, inner: str = "") -> Raw:
    return Raw("[" * depth + inner + "]" * depth)


# Values that are not an integer NumericDate (RFC 7519 §2 as certfree reads it).
BAD_DATES: dict[str, Any] = {
    "nan": Raw("NaN"),
    "infinity": Raw("Infinity"),
    "minus_infinity": Raw("-Infinity"),
    "1e400": Raw("1e400"),
    "minus_1e400": Raw("-1e400"),
    "1e308": Raw("1e308"),
    "fraction": Raw("{now}.5"),
    "float_whole": Raw("{now}.0"),
    "exponent": Raw("1.78e9"),
    "string": "{now}",
    "true": True,
    "false": False,
    "null": None,
    "array": [1],
    "object": {},
    "negative": -1,
    "huge": 10**30,
    "nested": nested(1000),
}

BAD_STATUS: dict[str, Any] = {
    "empty_object": {},
    "array": [],
    "string": "revoked",
    "null": None,
    "number": 0,
    "list_array": {"status_list": []},
    "list_empty": {"status_list": {}},
    "list_string": {"status_list": "{uri}"},
    "idx_true": {"status_list": {"idx": True, "uri": "{uri}"}},
    "idx_false": {"status_list": {"idx": False, "uri": "{uri}"}},
    "idx_list": {"status_list": {"idx": [5], "uri": "{uri}"}},
    "idx_object": {"status_list": {"idx": {}, "uri": "{uri}"}},
    "idx_negative": {"status_list": {"idx": -1, "uri": "{uri}"}},
    "idx_huge": {"status_list": {"idx": 2**64, "uri": "{uri}"}},
    "idx_float": {"status_list": {"idx": 5.0, "uri": "{uri}"}},
    "idx_string": {"status_list": {"idx": "5", "uri": "{uri}"}},
    "idx_nan": {"status_list": {"idx": Raw("NaN"), "uri": "{uri}"}},
    "idx_missing": {"status_list": {"uri": "{uri}"}},
    "uri_number": {"status_list": {"idx": 5, "uri": 5}},
    "uri_null": {"status_list": {"idx": 5, "uri": None}},
    "uri_empty": {"status_list": {"idx": 5, "uri": ""}},
    "uri_list": {"status_list": {"idx": 5, "uri": ["{uri}"]}},
    "uri_not_http": {"status_list": {"idx": 5, "uri": "ftp://lists.example.cn/1"}},
    "uri_broken": {"status_list": {"idx": 5, "uri": "http://[::1"}},
    "uri_missing": {"status_list": {"idx": 5}},
    "other_mechanism": {"status_x": {"idx": 5, "uri": "{uri}"}},
}

BAD_TYP: dict[str, Any] = {
    "jwt": "JWT",
    "legacy_vc": "vc+sd-jwt",
    "example": "example+sd-jwt",
    "kb": "kb+jwt",
    "missing": _DELETE,
    "null": None,
    "number": 5,
    "array": ["dc+sd-jwt"],
    "upper": "DC+SD-JWT",
}

BAD_VCT: dict[str, Any] = {
    "missing": _DELETE,
    "null": None,
    "number": 5,
    "empty": "",
    "array": ["{vct}"],
    "object": {"id": "{vct}"},
    "true": True,
}


def _fill(value: Any, names: dict[str, Any]) -> Any:
    """``value`` with ``{now}``, ``{uri}``, ``{vct}`` placeholders filled in."""
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, Raw):
        return Raw(value.text.format(**names))
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    return value


def _dumps(obj: dict[str, Any]) -> str:
    """JSON text of ``obj``, Raw values spliced in as they are."""
    raws: dict[str, str] = {}

    def mark(value: Any) -> Any:
        if isinstance(value, Raw):
            raws[f"@raw{len(raws)}@"] = value.text
            return f"@raw{len(raws) - 1}@"
        if isinstance(value, list):
            return [mark(v) for v in value]
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items() if v is not _DELETE}
        return value

    text = json.dumps(mark(obj), separators=(",", ":"), ensure_ascii=False)
    for key, raw in raws.items():
        text = text.replace(f'"{key}"', raw)
    return text


def _b64(text: str) -> str:
    return b64url_encode(text.encode("utf-8"))


def _jws(signer: Signer, header: dict[str, Any], payload: dict[str, Any]) -> str:
    signing_input = _b64(_dumps(header)) + "." + _b64(_dumps(payload))
    return signing_input + "." + b64url_encode(signer.sign(signing_input.encode("ascii")))


def _disclosure(name: str | None, value: Any) -> str:
    item = ["c2FsdHNhbHRzYWx0", value] if name is None else ["c2FsdHNhbHRzYWx0", name, value]
    return b64url_encode(canonical_json(item))


@dataclass
class Forger:
    """Forgeries of ``credential`` for a verifier of ``audience`` and ``nonce`` at ``now``."""

    credential: str
    issuer: Signer
    holder: Signer
    audience: str
    nonce: str
    now: int

    def __post_init__(self) -> None:
        parsed = parse_sd_jwt(self.credential)
        self.header = dict(parsed.header)
        self.payload = dict(parsed.payload)
        self.disclosures = [d.encoded for d in parsed.disclosures]
        status = self.payload.get("status", {}).get("status_list", {})
        self.names = {"now": self.now, "uri": status.get("uri", ""), "vct": self.payload["vct"]}

    # -- building blocks ---------------------------------------------------------------------

    def kb(self, prefix: str, signer: Signer | None = None, **changes: Any) -> str:
        """A key-binding JWT for ``prefix`` (``<jwt>~<disclosures>~``) with ``changes``."""
        header = {"alg": (signer or self.holder).alg.value, "typ": "kb+jwt"}
        header.update(changes.pop("header", {}))
        payload = {
            "aud": self.audience,
            "nonce": self.nonce,
            "iat": self.now,
            "sd_hash": disclosure_digest(prefix),
        }
        payload.update(_fill(changes, self.names))
        return _jws(signer or self.holder, header, payload)

    def present(
        self,
        jwt: str | None = None,
        disclosures: list[str] | None = None,
        **kb_changes: Any,
    ) -> str:
        """A presentation of ``jwt`` (default: the genuine one) with a fresh key binding."""
        prefix = "~".join(
            [jwt or self.jwt, *(self.disclosures if disclosures is None else disclosures), ""]
        )
        return prefix + self.kb(prefix, **kb_changes)

    @property
    def jwt(self) -> str:
        return self.credential.split("~", 1)[0]

    def reseal(self, *, header: dict[str, Any] | None = None, **claims: Any) -> str:
        """The issuer JWT with ``claims`` changed, sealed again by the genuine issuer key."""
        return _jws(
            self.issuer,
            {**self.header, **_fill(header or {}, self.names)},
            {**self.payload, **_fill(claims, self.names)},
        )

    # -- the classes -------------------------------------------------------------------------

    def kb_dates(self) -> Iterator[Forgery]:
        for claim in ("iat", "exp", "nbf"):
            for name, value in BAD_DATES.items():
                yield f"kb_{claim}:{name}", self.present(**{claim: value})
        yield "kb_iat:missing", self.present(iat=_DELETE)
        yield "kb_iat:stale", self.present(iat=self.now - 86400)
        yield "kb_iat:future", self.present(iat=self.now + 86400)
        yield "kb_exp:past", self.present(exp=self.now - 1)

    def issuer_dates(self) -> Iterator[Forgery]:
        for claim in ("iat", "exp", "nbf"):
            for name, value in BAD_DATES.items():
                yield f"issuer_{claim}:{name}", self.present(self.reseal(**{claim: value}))

    def status(self) -> Iterator[Forgery]:
        for name, value in BAD_STATUS.items():
            yield f"status:{name}", self.present(self.reseal(status=value))

    def typ(self) -> Iterator[Forgery]:
        for name, value in BAD_TYP.items():
            yield f"typ:{name}", self.present(self.reseal(header={"typ": value}))

    def vct(self) -> Iterator[Forgery]:
        for name, value in BAD_VCT.items():
            yield f"vct:{name}", self.present(self.reseal(vct=value))
        yield "iss:missing", self.present(self.reseal(iss=_DELETE))
        # vct and status hidden behind a digest (SD-JWT VC §3.2.2.2 forbids it)
        for claim in ("vct", "status"):
            hidden = _disclosure(claim, self.payload[claim])
            sd = [*self.payload.get("_sd", []), disclosure_digest(hidden)]
            changes: dict[str, Any] = {claim: _DELETE, "_sd": sd}
            jwt = self.reseal(**changes)
            yield f"disclosable:{claim}", self.present(jwt, [*self.disclosures, hidden])

    def nesting(self) -> Iterator[Forgery]:
        jwt_head, jwt_body, jwt_sig = self.jwt.split(".")
        for depth in (65, 1000, 20_000):
            deep = _b64(nested(depth).text)
            tag = f"nested_{depth}"
            yield f"{tag}:header", self.present(f"{deep}.{jwt_body}.{jwt_sig}")
            yield f"{tag}:payload", self.present(f"{jwt_head}.{deep}.{jwt_sig}")
            yield f"{tag}:disclosure", self.present(disclosures=[*self.disclosures, deep])
            prefix = "~".join([self.jwt, *self.disclosures, ""])
            kb_head, kb_body, kb_sig = self.kb(prefix).split(".")
            yield f"{tag}:kb_header", prefix + f"{deep}.{kb_body}.{kb_sig}"
            yield f"{tag}:kb_payload", prefix + f"{kb_head}.{deep}.{kb_sig}"
            yield f"{tag}:claim", self.present(self.reseal(extra=nested(depth)))
            yield f"{tag}:kb_claim", self.present(aud=nested(depth))
            hidden = b64url_encode(f'["c2FsdA","deep",{nested(depth).text}]'.encode())
            sd = [*self.payload.get("_sd", []), disclosure_digest(hidden)]
            yield (
                f"{tag}:disclosure_value",
                self.present(self.reseal(_sd=sd), [*self.disclosures, hidden]),
            )

    def disclosures_tampered(self) -> Iterator[Forgery]:
        genuine = "~".join([self.jwt, *self.disclosures, ""]) + "x"
        if not self.disclosures:
            return
        first = self.disclosures[0]
        item = json.loads(b64url_decode(first))
        changed = b64url_encode(canonical_json([*item[:-1], "伪造"]))
        salted = b64url_encode(canonical_json(["AAAAAAAAAAAAAAAAAAAAAA", *item[1:]]))
        flipped = first[:-2] + ("A" if first[-2] != "A" else "B") + first[-1]
        rest = self.disclosures[1:]
        yield "disclosure:value_changed", self.present(disclosures=[changed, *rest])
        yield "disclosure:salt_changed", self.present(disclosures=[salted, *rest])
        yield "disclosure:char_flipped", self.present(disclosures=[flipped, *rest])
        yield "disclosure:duplicated", self.present(disclosures=[first, *self.disclosures])
        yield (
            "disclosure:unreferenced",
            self.present(disclosures=[*self.disclosures, _disclosure("name", "李四")]),
        )
        yield (
            "disclosure:array_for_object",
            self.present(disclosures=[*self.disclosures, _disclosure(None, "x")]),
        )
        yield "disclosure:not_json", self.present(disclosures=[_b64("{not json"), *rest])
        yield (
            "disclosure:nan_value",
            self.present(disclosures=[*self.disclosures, _b64('["c2FsdA","x",NaN]')]),
        )
        yield (
            "disclosure:reserved_name",
            self.present(disclosures=[*self.disclosures, _disclosure("_sd", [])]),
        )
        # dropped after the key binding was made: sd_hash no longer covers what is sent
        shown = self.present()
        jwt_and_rest, kb = shown.rsplit("~", 1)
        dropped = "~".join(jwt_and_rest.split("~")[:-1]) + "~" + kb
        yield "disclosure:dropped_after_binding", dropped
        yield "disclosure:added_after_binding", jwt_and_rest + "~" + _disclosure("x", 1) + "~" + kb
        yield "disclosure:garbage", genuine

    def signatures(self) -> Iterator[Forgery]:
        head, body, sig = self.jwt.split(".")
        stranger = generate_signer(self.issuer.alg)
        other = self.reseal(extra="another credential")
        raw_sig = b64url_decode(sig)
        yield (
            "sig:issuer_flipped",
            self.present(f"{head}.{body}.{b64url_encode(bytes([raw_sig[0] ^ 1]) + raw_sig[1:])}"),
        )
        yield "sig:issuer_swapped", self.present(f"{head}.{body}.{other.split('.')[2]}")
        yield "sig:issuer_truncated", self.present(f"{head}.{body}.{sig[:40]}")
        yield "sig:issuer_empty", self.present(f"{head}.{body}.")
        yield "sig:payload_swapped", self.present(f"{head}.{other.split('.')[1]}.{sig}")
        yield (
            "sig:issuer_stranger",
            self.present(_jws(stranger, self.header, {**self.payload, "name": "李四"})),
        )
        for alg in (
            "none",
            "HS256",
            "RS256",
            "EdDSA" if self.issuer.alg is not Alg.EdDSA else "ES256",
        ):
            yield f"sig:issuer_alg_{alg}", self.present(self.reseal(header={"alg": alg}))
        yield (
            "sig:claims_changed",
            self.present(f"{head}.{_b64(_dumps({**self.payload, 'iss': 'X'}))}.{sig}"),
        )
        prefix = "~".join([self.jwt, *self.disclosures, ""])
        kb_head, kb_body, kb_sig = self.kb(prefix).split(".")
        other_kb = self.kb(prefix, aud="https://elsewhere.example.cn")
        yield "sig:kb_swapped", prefix + f"{kb_head}.{kb_body}.{other_kb.split('.')[2]}"
        yield "sig:kb_payload_swapped", prefix + f"{kb_head}.{other_kb.split('.')[1]}.{kb_sig}"
        yield "sig:kb_stranger", prefix + self.kb(prefix, signer=generate_signer(Alg.ES256))
        yield "sig:kb_truncated", prefix + f"{kb_head}.{kb_body}.{kb_sig[:20]}"
        yield "sig:kb_typ_jwt", self.present(header={"typ": "JWT"})
        yield "sig:kb_alg_none", self.present(header={"alg": "none"})
        yield "sig:kb_missing", prefix

    def kb_claims(self) -> Iterator[Forgery]:
        yield "kb:wrong_audience", self.present(aud="https://elsewhere.example.cn")
        yield "kb:audience_list", self.present(aud=[self.audience])
        yield "kb:wrong_nonce", self.present(nonce="replayed")
        yield "kb:nonce_missing", self.present(nonce=_DELETE)
        yield "kb:sd_hash_wrong", self.present(sd_hash="A" * 43)
        yield "kb:sd_hash_missing", self.present(sd_hash=_DELETE)
        yield "kb:sd_hash_number", self.present(sd_hash=5)

    def structure(self) -> Iterator[Forgery]:
        shown = self.present()
        for name, text in {
            "empty": "",
            "tilde": "~",
            "no_tilde": self.jwt,
            "two_parts": self.jwt.rsplit(".", 1)[0] + "~",
            "four_parts": self.jwt + ".AAAA~",
            "non_ascii": shown[:10] + "证" + shown[11:],
            "padding": self.jwt + "=~",
            "space_inside": shown[:30] + " " + shown[31:],
            "oversized": shown + "A" * 70_000,
            "header_not_object": self.present(f"{_b64('[1]')}.{self.jwt.split('.', 1)[1]}"),
            "payload_not_object": self.present(
                self.jwt.split(".")[0] + "." + _b64('"x"') + "." + self.jwt.split(".")[2]
            ),
            "crit": self.present(self.reseal(header={"crit": ["exp"]})),
            "sd_alg": self.present(self.reseal(_sd_alg="sha-1")),
            "sd_not_array": self.present(self.reseal(_sd="x")),
            "digest_number": self.present(self.reseal(_sd=[5])),
            "cnf_not_object": self.present(self.reseal(cnf={"jwk": "x"})),
            "cnf_missing": self.present(self.reseal(cnf=_DELETE)),
            # NUL, which PostgreSQL text cannot store, in what the use log keeps
            "nul_in_name": self.present(
                disclosures=[*self.disclosures, _disclosure("na\u0000me", 1)]
            ),
            "nul_in_issuer": self.present(self.reseal(iss="1137\u0000", certificate_id="\u0000")),
            "cnf_other_key": self.present(
                self.reseal(cnf={"jwk": generate_signer(Alg.ES256).public_jwk()})
            ),
        }.items():
            yield f"structure:{name}", text

    def random_flips(self, count: int, seed: int = 20261207) -> Iterator[Forgery]:
        """``count`` presentations with one character replaced at a random place."""
        rng = random.Random(seed)
        shown = self.present()
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~."
        for _ in range(count):
            at = rng.randrange(len(shown))
            new = rng.choice(alphabet.replace(shown[at], ""))
            yield "random_flip", shown[:at] + new + shown[at + 1 :]

    def corpus(self, flips: int = 0) -> Iterator[Forgery]:
        for make in CLASSES:
            yield from make(self)
        yield from self.random_flips(flips)

    def control(self) -> list[Forgery]:
        """The re-sealing and re-binding machinery with harmless values: all must verify."""
        return [
            ("control:genuine", self.present()),
            ("control:reseal", self.present(self.reseal(iat=self.payload.get("iat", self.now)))),
            ("control:typ", self.present(self.reseal(header={"typ": "dc+sd-jwt"}))),
            ("control:kb_exp", self.present(exp=self.now + 600)),
            ("control:claim", self.present(self.reseal(extra=nested(10)))),
        ]


CLASSES: tuple[Callable[[Forger], Iterator[Forgery]], ...] = (
    Forger.kb_dates,
    Forger.issuer_dates,
    Forger.status,
    Forger.typ,
    Forger.vct,
    Forger.nesting,
    Forger.disclosures_tampered,
    Forger.signatures,
    Forger.kb_claims,
    Forger.structure,
)
