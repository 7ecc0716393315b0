"""``certfree relying-parties``: the register of verifiers (add, suspend, list, export) and a
verifier's signed request; and where ``certfree wallet present`` finds the register.

Run at the province with its settings; a bureau_admin does the same through
``/api/v1/relying-parties``. Adding a party without ``--key`` makes the node keep its request
key (``governance.relying_parties.hosted``), as a counter using the ``/verify`` page needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from certfree.auth import NODE_KEY_OWNER
from certfree.certs import cert_types
from certfree.cli.common import (
    database_session,
    load_settings,
    node_keys,
    print_json,
    reported_errors,
)
from certfree.cli.i18n import current_language, t
from certfree.errors import InvalidInput
from certfree.governance import relying_parties as rp
from certfree.safejson import loads_untrusted
from certfree.settings import Settings
from certfree.storage import Database
from certfree.wallet import HolderKey

app = typer.Typer(no_args_is_help=True)

# Scenario words that say the kind of place, for ``add`` without ``--kind``.
_KIND_WORDS = {
    "hotel": rp.RelyingPartyKind.HOTEL,
    "lodging": rp.RelyingPartyKind.HOTEL,
    "hospital": rp.RelyingPartyKind.HOSPITAL,
    "clinic": rp.RelyingPartyKind.HOSPITAL,
    "medical": rp.RelyingPartyKind.HOSPITAL,
    "transport": rp.RelyingPartyKind.TRANSPORT,
    "rail": rp.RelyingPartyKind.TRANSPORT,
    "ticket": rp.RelyingPartyKind.TRANSPORT,
    "flight": rp.RelyingPartyKind.TRANSPORT,
    "utility": rp.RelyingPartyKind.UTILITY,
    "water": rp.RelyingPartyKind.UTILITY,
    "power": rp.RelyingPartyKind.UTILITY,
    "gas": rp.RelyingPartyKind.UTILITY,
    "scenic": rp.RelyingPartyKind.SCENIC_SPOT,
    "park": rp.RelyingPartyKind.SCENIC_SPOT,
    "museum": rp.RelyingPartyKind.SCENIC_SPOT,
    "police": rp.RelyingPartyKind.LAW_ENFORCEMENT,
    "traffic": rp.RelyingPartyKind.LAW_ENFORCEMENT,
}


def _kind(kind: str | None, scenario: str) -> rp.RelyingPartyKind | str | None:
    if kind is not None:
        return kind
    for word in scenario.split("_"):
        if word in _KIND_WORDS:
            return _KIND_WORDS[word]
    return rp.RelyingPartyKind.OTHER


def _vcts(vct: str | None, claims: tuple[str, ...]) -> tuple[str, ...]:
    """The types given, else every type of the catalogue that discloses all the claims
    (none: the identity card, whose check then names the claim it lacks)."""
    if vct:
        return rp.parse_claims(vct)
    fitting = tuple(
        code
        for code, kind in cert_types().items()
        if set(claims)
        <= {f.name for f in kind.fields} | {p.name for p in kind.predicates} | {"certificate_id"}
    )
    return fitting or (rp.ID_CARD_VCT,)


def _read_jwk(path: Path) -> dict[str, Any]:
    try:
        data = loads_untrusted(path.read_text(encoding="utf-8"), what="JWK")
    except OSError as exc:
        raise InvalidInput(
            t("cannot_read", path=path, error=exc.strerror or exc), field="key"
        ) from exc
    if not isinstance(data, dict):
        raise InvalidInput(t("rp.not_a_jwk", path=path), field="key")
    return data


def _show(party: rp.RelyingParty) -> dict[str, Any]:
    return rp.party_view(party)


@app.command()
def add(  # noqa: PLR0917 - one parameter per command-line option
    org: Annotated[str, typer.Option("--org")],
    scenario: Annotated[str, typer.Option("--scenario")],
    claims: Annotated[str, typer.Option("--claims")],
    name: Annotated[str | None, typer.Option("--name")] = None,
    kind: Annotated[str | None, typer.Option("--kind")] = None,
    vct: Annotated[str | None, typer.Option("--vct")] = None,
    key: Annotated[Path | None, typer.Option("--key")] = None,
    title: Annotated[str | None, typer.Option("--title")] = None,
    title_en: Annotated[str | None, typer.Option("--title-en")] = None,
    purpose: Annotated[str | None, typer.Option("--purpose")] = None,
) -> None:
    """Register a relying party for a scenario and the claims it may ask (or add a scenario)."""
    settings = load_settings()
    with reported_errors():
        asked = rp.parse_claims(claims)
        spec = rp.ScenarioSpec(
            name=scenario.strip(),
            title=title or scenario.strip(),
            title_en=title_en or scenario.strip(),
            vcts=_vcts(vct, asked),
            claims=asked,
            purpose=purpose or t("rp.default_purpose"),
        )
        jwk = _read_jwk(key) if key is not None else None
    with database_session() as session:
        existing = session.get(rp.RelyingParty, org.strip().upper())
        store = rp.hosted_keys(settings)
        party = rp.add_relying_party(
            session,
            org,
            scenarios=[spec],
            name=name or (None if existing is not None else org.strip().upper()),
            kind=_kind(kind, spec.name) if existing is None or kind else None,
            jwk=jwk,
            make_key=lambda uscc: rp.create_hosted_key(store, uscc),
        )
        shown = _show(party)
    print_json(shown)


def _set_status(org: str, status: rp.RelyingPartyStatus) -> None:
    with database_session() as session:
        shown = _show(rp.set_status(session, org, status))
    print_json(shown)


@app.command()
def suspend(org: Annotated[str, typer.Argument()]) -> None:
    """Suspend a relying party: wallets and the verification API refuse it."""
    _set_status(org, rp.RelyingPartyStatus.SUSPENDED)


@app.command()
def reinstate(org: Annotated[str, typer.Argument()]) -> None:
    """Make a suspended relying party active again."""
    _set_status(org, rp.RelyingPartyStatus.ACTIVE)


@app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The registered relying parties, their scenarios and the claims each may ask."""
    with database_session() as session:
        parties = [_show(p) for p in rp.list_relying_parties(session)]
    if as_json:
        print_json(parties)
        return
    english = current_language() == "en"
    if not parties:
        typer.echo(t("rp.empty"))
    for party in parties:
        kind = party["kind_label_en"] if english else party["kind_label"]
        typer.echo(
            t("rp.line", uscc=party["uscc"], name=party["name"], kind=kind, status=party["status"])
        )
        for s in party["scenarios"]:
            typer.echo(
                t(
                    "rp.scenario_line",
                    name=s["name"],
                    title=s["title_en"] if english else s["title"],
                    claims=", ".join(s["claims"]),
                )
            )


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out")],
    jwks_out: Annotated[Path | None, typer.Option("--jwks-out")] = None,
) -> None:
    """Save the register signed by this node (the province) for offline use."""
    settings = load_settings()
    with reported_errors():
        keys = node_keys(settings)
        signer = keys.signer(NODE_KEY_OWNER)
    with database_session() as session:
        token = rp.sign_register(session, signer, settings.node_code)
    with reported_errors():
        rp.save_register(out, token)
        if jwks_out is not None:
            jwks_out.parent.mkdir(parents=True, exist_ok=True)
            jwks_out.write_text(
                json.dumps(keys.jwks(NODE_KEY_OWNER), ensure_ascii=False, indent=2),
                encoding="utf-8",
            )
    typer.echo(t("rp.exported", out=out))


@app.command()
def request(
    org: Annotated[str, typer.Option("--org")],
    scenario: Annotated[str, typer.Option("--scenario")],
    claims: Annotated[str | None, typer.Option("--claims")] = None,
    key: Annotated[Path | None, typer.Option("--key")] = None,
) -> None:
    """Make a signed request of a verifier (its own key, or the one the node keeps)."""
    settings = load_settings()
    with database_session() as session:
        register = rp.Register.from_payload(rp.register_payload(session, settings.node_code))
    with reported_errors():
        party = register.party(org)
        if party is None:
            raise rp.RelyingPartyNotFound(t("rp.not_registered", org=org), field="org")
        entry = party.scenarios.get(scenario)
        if entry is None:
            raise rp.RelyingPartyRefused(
                rp.Rule.SCENARIO_UNKNOWN,
                party=party.label,
                scenario=scenario,
                allowed=sorted(party.scenarios),
                field="scenario",
            )
        signer = (
            HolderKey.load(key).signer()
            if key is not None
            else rp.hosted_signer(rp.hosted_keys(settings), party.uscc)
        )
        made = rp.sign_request(
            signer, party.uscc, entry, claims=rp.parse_claims(claims) if claims else None
        )
    typer.echo(made.text)


# -- the register as ``certfree wallet present`` finds it ----------------------------------------

REGISTER_FILE = "relying-parties.jwt"
PROVINCE_JWKS_FILE = "province.jwks.json"


def _local_register(settings: Settings) -> rp.Register | None:
    """The register in this machine's node database, when there is one with the table."""
    url = settings.database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return None  # no node here: do not create a database file by looking
    db = Database(url)
    try:
        if not inspect(db.engine).has_table("relying_parties"):
            return None
        with db.session() as session:
            payload = rp.register_payload(session, settings.node_code)
    except SQLAlchemyError:
        return None
    finally:
        db.dispose()
    return rp.Register.from_payload(payload)


def wallet_register(
    register: Path | None, province_jwks: Path | None, wallet_dir: Path
) -> rp.Register | None:
    """The register a wallet holds presentations to: ``--register`` (checked with
    ``--province-jwks``), else one saved in the wallet directory, else the register of the node
    on this machine; None when there is none (no audience is then a registered one)."""
    if register is None and (wallet_dir / REGISTER_FILE).is_file():
        register = wallet_dir / REGISTER_FILE
    if register is not None:
        jwks_path = province_jwks or wallet_dir / PROVINCE_JWKS_FILE
        try:
            jwks = loads_untrusted(jwks_path.read_text(encoding="utf-8"), what="JWK Set")
        except OSError as exc:
            raise InvalidInput(
                t("rp.no_province_jwks", path=jwks_path), field="province-jwks"
            ) from exc
        if not isinstance(jwks, dict):
            raise InvalidInput(t("rp.no_province_jwks", path=jwks_path), field="province-jwks")
        return rp.load_register(register, jwks)
    return _local_register(load_settings())


def check_before_presenting(
    vct: str,
    disclose: list[str],
    *,
    audience: str,
    nonce: str,
    request: str | None,
    scenario: str | None,
    register: Path | None,
    province_jwks: Path | None,
    wallet_dir: Path,
) -> tuple[str, str, list[str]]:
    """The audience, nonce and claims of a presentation, held to the register.

    A ``request`` (signed, or the old unsigned form for an unregistered audience) gives the
    audience and nonce, and the claims when none are chosen; whatever is chosen, to a
    registered verifier only the claims of its scenario go (RelyingPartyRefused, exit 1).
    """
    found = wallet_register(register, province_jwks, wallet_dir)
    if request is not None:
        checked = rp.check_request(request, found or rp.Register(0, 0, 0, None))
        asked = checked.request
        for given, value, option in (
            (audience, asked.aud, "audience"),
            (nonce, asked.nonce, "nonce"),
        ):
            if given and given != value:
                raise InvalidInput(
                    t("rp.request_differs", option=option, value=value), field=option
                )
        audience, nonce = asked.aud, asked.nonce
        disclose = disclose or list(asked.claims)
        if checked.scenario is not None:
            scenario = checked.scenario.name
    if found is not None:
        rp.check_disclosure(found, audience, disclose, scenario=scenario, vct=vct)
    return audience, nonce, disclose
