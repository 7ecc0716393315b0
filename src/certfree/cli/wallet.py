"""``certfree wallet``: the holder's keys and presentations, kept on the holder's side.

Nothing here talks to the platform except ``short-code`` and ``claim``, and the private key
never leaves this machine (端侧处理): only presentations signed with it, and its public half
(``claim``), do.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from certfree.cli.common import err_console, reported_errors
from certfree.cli.i18n import headings, t
from certfree.cli.relying_parties import check_before_presenting
from certfree.crypto import Alg
from certfree.errors import Conflict, InvalidInput
from certfree.wallet import (
    DEFAULT_HOLDER_ALG,
    MAX_QR_VERSION,
    SCANNABLE_QR_VERSION,
    CredentialInfo,
    HolderKey,
    QrPlan,
    Wallet,
    default_wallet_dir,
    parse_disclose,
    payload_size_check,
    present,
    read_credential,
    read_public_jwk,
    render_qr,
    request_claim,
    request_short_code,
)

app = typer.Typer(no_args_is_help=True)

_ALGS = ", ".join(a.value for a in Alg)
_KEY_NAME = "key.jwk"
WalletOpt = Annotated[
    Path | None,
    typer.Option(
        "--wallet",
        envvar="CERTFREE_WALLET",
        show_default=False,
    ),
]
KeyOpt = Annotated[Path | None, typer.Option("--key")]
PassphraseOpt = Annotated[
    str | None,
    typer.Option("--passphrase-env", metavar="VAR"),
]


def _wallet_dir(wallet: Path | None) -> Path:
    return (wallet or default_wallet_dir()).expanduser()


def _key_path(key: Path | None, wallet: Path | None) -> Path:
    return key or _wallet_dir(wallet) / _KEY_NAME


def _passphrase(variable: str | None) -> str | None:
    if variable is None:
        return None
    value = os.environ.get(variable)
    if not value:
        raise InvalidInput(t("wallet.no_passphrase", variable=variable), field="passphrase-env")
    return value


def _read_text(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(
            t("cannot_read", path=path, error=exc.strerror or exc), field="credential"
        ) from exc


@app.command()
def keygen(
    *,
    out: Annotated[Path | None, typer.Option("--out")] = None,
    alg: Annotated[str, typer.Option()] = DEFAULT_HOLDER_ALG.value,
    passphrase_env: PassphraseOpt = None,
    force: Annotated[bool, typer.Option("--force")] = False,
    wallet: WalletOpt = None,
) -> None:
    """Make the holder's key: the private key goes to a file (mode 0600), the public JWK to standard
    output."""
    with reported_errors():
        try:
            algorithm = Alg(alg)
        except ValueError:
            raise InvalidInput(
                t("wallet.bad_alg", alg=repr(alg), algs=_ALGS), field="alg"
            ) from None
        path = _key_path(out, wallet)
        if path.exists() and not force:
            raise Conflict(t("wallet.key_exists", path=path), field="out")
        passphrase = _passphrase(passphrase_env)
        key = HolderKey.generate(algorithm)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        key.save(path, passphrase)
    typer.echo(json.dumps(key.public_jwk(), ensure_ascii=False, indent=2))
    sealed = t("wallet.sealed") if passphrase else ""
    err_console.print(t("wallet.key_written", path=path, sealed=sealed), highlight=False)


@app.command()
def add(
    credential: Annotated[Path, typer.Argument()],
    key: KeyOpt = None,
    wallet: WalletOpt = None,
) -> None:
    """Add a credential to the wallet; one bound to another key than the wallet's is refused."""
    with reported_errors():
        holder_jwk = read_public_jwk(_key_path(key, wallet))
        info = Wallet(_wallet_dir(wallet)).add(_read_text(credential), holder_jwk)
    typer.echo(
        t("wallet.added", id=info.id, vct=info.vct, identifier=info.identifier or "").rstrip()
    )


def _validity(info: CredentialInfo) -> str:
    start = info.valid_from or info.issued_at
    begin = start.strftime("%Y-%m-%d") if start else "…"
    end = info.expires_at.strftime("%Y-%m-%d") if info.expires_at else t("no_end")
    return t("wallet.validity", begin=begin, end=end) + (
        t("wallet.expired") if info.expired() else ""
    )


@app.command("list")
def list_credentials(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    wallet: WalletOpt = None,
) -> None:
    """List the wallet's credentials: type, issuer, identifier, validity, disclosable items."""
    with reported_errors():
        held = Wallet(_wallet_dir(wallet)).credentials()
    if as_json:
        typer.echo(json.dumps([c.as_json() for c in held], ensure_ascii=False, indent=2))
        return
    if not held:
        typer.echo(t("wallet.empty"))
        return
    table = Table(*headings("wallet.headings"))
    for info in held:
        table.add_row(
            info.id,
            t("wallet.type", name=info.type_name, vct=info.vct) if info.type_name else info.vct,
            info.issuer_name or info.issuer or "",
            info.identifier or "",
            _validity(info),
            t("list_separator").join(info.disclosable),
        )
    Console(width=200).print(table)


@app.command()
def remove(
    credential: Annotated[str, typer.Argument()],
    wallet: WalletOpt = None,
) -> None:
    """Remove a credential from the wallet."""
    with reported_errors():
        info = Wallet(_wallet_dir(wallet)).remove(credential)
    typer.echo(t("wallet.removed", id=info.id, vct=info.vct))


def _credential_text(credential: str, wallet: Path | None) -> str:
    path = Path(credential)
    if credential == "-" or path.is_file():
        return _read_text(path)
    return Wallet(_wallet_dir(wallet)).get(credential).compact


CredentialArg = Annotated[str, typer.Argument()]
AudienceOpt = Annotated[str, typer.Option("--audience")]
NonceOpt = Annotated[str, typer.Option("--nonce")]
RequestOpt = Annotated[str | None, typer.Option("--request")]
ScenarioOpt = Annotated[str | None, typer.Option("--scenario")]
RegisterOpt = Annotated[Path | None, typer.Option("--register", envvar="CERTFREE_RELYING_PARTIES")]
ProvinceJwksOpt = Annotated[Path | None, typer.Option("--province-jwks")]
DiscloseOpt = Annotated[str, typer.Option("--disclose")]
ProveOpt = Annotated[list[str] | None, typer.Option("--prove")]  # wallet.derivation
QrOpt = Annotated[Path | None, typer.Option("--qr")]


def _presentation(
    credential: str,
    disclose: str,
    *,
    audience: str,
    nonce: str,
    key: Path | None,
    passphrase_env: str | None,
    wallet: Path | None,
    asked: tuple[str | None, str | None, Path | None, Path | None] = (None, None, None, None),
    prove: list[str] | None = None,
) -> str:
    """``asked``: the verifier's request, scenario, saved register and province keys."""
    holder = HolderKey.load(_key_path(key, wallet), _passphrase(passphrase_env))
    info = read_credential(_credential_text(credential, wallet))
    request, scenario, register, province_jwks = asked
    audience, nonce, names = check_before_presenting(
        info.vct,
        parse_disclose(disclose),
        audience=audience,
        nonce=nonce,
        request=request,
        scenario=scenario,
        register=register,
        province_jwks=province_jwks,
        wallet_dir=_wallet_dir(wallet),
    )
    return present(info, holder, names, audience=audience, nonce=nonce, prove=prove or ())


def _write_qr(
    payload: str, path: Path | None, *, max_version: int = MAX_QR_VERSION
) -> QrPlan | None:
    """Render ``payload`` as a QR code into ``path`` when one is given; its plan."""
    if path is None:
        return None
    plan = payload_size_check(payload, max_version=max_version)
    render_qr(payload, path, max_version=max_version)
    return plan


def _report_qr(path: Path | None, plan: QrPlan | None) -> None:
    if path is None or plan is None:
        return
    err_console.print(
        t(
            "wallet.qr_written",
            path=path,
            version=plan.designator,
            modules=plan.modules,
            error=plan.error,
            payload=plan.payload_bytes,
            capacity=plan.capacity_bytes,
        ),
        highlight=False,
    )
    if not plan.scannable:
        err_console.print(
            f"[yellow]{t('wallet.note')}[/yellow]"
            + t("wallet.qr_too_big", version=SCANNABLE_QR_VERSION),
            highlight=False,
        )


@app.command("present")
def present_command(
    credential: CredentialArg,
    *,
    audience: AudienceOpt = "",
    nonce: NonceOpt = "",
    disclose: DiscloseOpt = "",
    prove: ProveOpt = None,
    request: RequestOpt = None,
    scenario: ScenarioOpt = None,
    register: RegisterOpt = None,
    province_jwks: ProvinceJwksOpt = None,
    key: KeyOpt = None,
    passphrase_env: PassphraseOpt = None,
    qr: QrOpt = None,
    max_version: Annotated[
        int,
        typer.Option("--max-version", min=1, max=MAX_QR_VERSION),
    ] = MAX_QR_VERSION,
    wallet: WalletOpt = None,
) -> None:
    """Present a credential: make a presentation of the chosen items (SD-JWT + key-binding JWT) and
    print it."""
    with reported_errors():
        presentation = _presentation(
            credential,
            disclose,
            audience=audience,
            nonce=nonce,
            key=key,
            passphrase_env=passphrase_env,
            wallet=wallet,
            asked=(request, scenario, register, province_jwks),
            prove=prove,
        )
        plan = _write_qr(presentation, qr, max_version=max_version)
    typer.echo(presentation)
    _report_qr(qr, plan)


@app.command("short-code")
def short_code(
    credential: CredentialArg,
    *,
    url: Annotated[str, typer.Option("--url")],
    audience: AudienceOpt = "",
    nonce: NonceOpt = "",
    disclose: DiscloseOpt = "",
    request: RequestOpt = None,
    scenario: ScenarioOpt = None,
    register: RegisterOpt = None,
    province_jwks: ProvinceJwksOpt = None,
    key: KeyOpt = None,
    passphrase_env: PassphraseOpt = None,
    qr: QrOpt = None,
    wallet: WalletOpt = None,
) -> None:
    """Present online (basic phones): sign the presentation here, trade it at the platform for a
    one-time short code and print it."""
    with reported_errors():
        presentation = _presentation(
            credential,
            disclose,
            audience=audience,
            nonce=nonce,
            key=key,
            passphrase_env=passphrase_env,
            wallet=wallet,
            asked=(request, scenario, register, province_jwks),
        )
        issued = request_short_code(presentation, url)
        plan = _write_qr(issued.qr_text, qr)
    typer.echo(issued.code)
    if issued.expires_in is not None:
        err_console.print(t("wallet.short_code", seconds=issued.expires_in), highlight=False)
    _report_qr(qr, plan)


@app.command()
def claim(
    identifier: Annotated[str, typer.Argument()],
    *,
    url: Annotated[str, typer.Option("--url")],
    token_env: Annotated[str, typer.Option("--token-env", metavar="VAR")],
    key: KeyOpt = None,
    wallet: WalletOpt = None,
) -> None:
    """Claim a backfilled certificate: the platform binds this wallet's public key (the private key
    stays here); the new credential goes into the wallet."""
    with reported_errors():
        token = os.environ.get(token_env)
        if not token:
            raise InvalidInput(t("wallet.no_token", variable=token_env), field="token-env")
        holder_jwk = read_public_jwk(_key_path(key, wallet))
        credential = request_claim(identifier, holder_jwk, url, token)
        info = Wallet(_wallet_dir(wallet)).add(credential, holder_jwk)
    typer.echo(
        t("wallet.claimed", id=info.id, vct=info.vct, identifier=info.identifier or "").rstrip()
    )
