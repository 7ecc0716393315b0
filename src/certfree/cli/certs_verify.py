"""``certfree certs verify`` and ``certs trust-list``: check a presentation, online or offline.

Online, the trust list is the local node's key store (or ``--trust-list FILE``) and status
lists are fetched from their URIs; offline, both come from files saved beforehand with
``certfree certs trust-list --url NODE --out FILE --status-dir DIR``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
import typer

from certfree.certs import StatusLists, TrustList, VerificationResult, verify_presentation
from certfree.cli.common import err_console, load_settings, node_keys, print_json, reported_errors
from certfree.cli.i18n import label, t
from certfree.crypto import b64url_decode
from certfree.crypto.sdjwt import MAX_SD_JWT_LENGTH
from certfree.errors import InvalidInput, NotFound
from certfree.safejson import loads_untrusted

_TIMEOUT = httpx.Timeout(10.0)
_READ_LIMIT = 4 * (MAX_SD_JWT_LENGTH + 1)  # bytes: past the limit even in 4-byte characters


def _read_text(path: Path, what: str) -> str:
    """The file's text; a presentation larger than any QR code is cut just past the limit,
    so that the verifier refuses it as ``oversized`` without reading it all."""
    try:
        with path.open("rb") as file:
            data = file.read(_READ_LIMIT)
        cut = len(data) == _READ_LIMIT  # may end inside a character; refused as oversized
        return data.decode("utf-8", "replace" if cut else "strict").strip()
    except OSError as exc:
        raise InvalidInput(
            t("cannot_read_what", what=t(f"certs.{what}"), path=path, error=exc.strerror),
            field=what,
        ) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            t("not_utf8", what=t(f"certs.{what}"), path=path, error=exc.reason), field=what
        ) from None


def _print_result(result: VerificationResult, as_json: bool) -> None:
    if as_json:
        print_json(result.to_json())
        return
    verdict = (
        f"[green]{t('certs.valid')}[/green]" if result.valid else f"[red]{t('certs.invalid')}[/red]"
    )
    shown = t("certs.verdict", verdict=verdict, issuer=result.issuer, type=result.vct)
    err_console.print(shown, highlight=False)
    for failure in result.failed:
        err_console.print(
            f"  ✗ {failure.check}: {failure.reason} — {label(failure.message_zh, failure.message)}",
            highlight=False,
        )
    for name, value in [*result.claims.items(), *result.derived.items()]:
        typer.echo(f"{name}: {json.dumps(value, ensure_ascii=False)}")


def verify(  # noqa: PLR0917 - one parameter per command-line option
    presentation_file: Annotated[Path, typer.Argument()],
    audience: Annotated[str, typer.Option()],
    nonce: Annotated[str, typer.Option()],
    offline: Annotated[bool, typer.Option("--offline")] = False,
    trust_list: Annotated[Path | None, typer.Option()] = None,
    status_dir: Annotated[Path | None, typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Verify a presented certificate; exit 0 if valid, 1 if not (with the reasons)."""
    with reported_errors():
        presentation = _read_text(presentation_file, "presentation")
        if offline and (trust_list is None or status_dir is None):
            raise InvalidInput(t("certs.offline_needs_files"))
        if trust_list is not None:
            trust = TrustList.load(trust_list)
        else:
            settings = load_settings()
            trust = TrustList.from_keystore(node_keys(settings))
        with httpx.Client(timeout=_TIMEOUT) as client:
            source = (
                StatusLists.from_directory(status_dir)
                if status_dir is not None
                else StatusLists.over_http(client)
            )
            result = verify_presentation(
                presentation, trust=trust, status_lists=source, audience=audience, nonce=nonce
            )
    _print_result(result, as_json)
    raise typer.Exit(0 if result.valid else 1)


def _fetch(client: httpx.Client, url: str, token: str | None = None) -> str:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = client.get(url, headers=headers)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise NotFound(t("certs.cannot_fetch", url=url, error=exc)) from exc
    return response.text.strip()


def _publisher_key(client: httpx.Client, base: str, signed: str) -> Any:
    """The key of the node's JWK Set whose ``kid`` the signed trust list's header names."""
    try:
        header = loads_untrusted(b64url_decode(signed.split(".", maxsplit=1)[0]))
    except InvalidInput as exc:
        raise InvalidInput(t("certs.not_a_trust_list", error=exc)) from exc
    kid = header.get("kid") if isinstance(header, dict) else None
    jwks = loads_untrusted(_fetch(client, f"{base}/.well-known/jwks.json"), what="JWK Set")
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    for key in keys if isinstance(keys, list) else []:
        if isinstance(key, dict) and key.get("kid") == kid:
            return key
    raise NotFound(t("certs.no_such_key", node=base, kid=kid))


def trust_list_command(
    url: Annotated[str, typer.Option()],
    out: Annotated[Path, typer.Option()],
    status_dir: Annotated[Path | None, typer.Option()] = None,
    token: Annotated[
        str | None,
        typer.Option(envvar="CERTFREE_TOKEN"),
    ] = None,
) -> None:
    """Fetch the node's signed trust list (and status lists) for offline verification."""
    base = url.rstrip("/")
    with reported_errors(), httpx.Client(timeout=_TIMEOUT) as client:
        signed = _fetch(client, f"{base}/api/v1/trust-list", token)
        trust = TrustList.from_token(signed, _publisher_key(client, base, signed))
        trust.save(out)
        saved = 0
        if status_dir is not None:
            status_dir.mkdir(parents=True, exist_ok=True)
            for number, uri in enumerate(trust.status_lists, start=1):
                # Every list a node's trust list names is that node's own: fetched from the
                # node at ``url`` by its path, so a list published under an address the node
                # no longer answers at (another port, a former name) is saved all the same,
                # and found offline by its ``sub``, the URI its certificates name.
                (status_dir / f"{number:05d}.jwt").write_text(
                    _fetch(client, base + urlsplit(uri).path) + "\n",
                    encoding="ascii",
                )
                saved += 1
    err_console.print(
        t("certs.trust_list_saved", issuers=len(trust.issuers), out=out)
        + (t("certs.status_lists_saved", saved=saved, dir=status_dir) if status_dir else "")
        + t("certs.saved_at", time=time.strftime("%Y-%m-%d %H:%M", time.gmtime())),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add the verification commands to the ``certs`` command group."""
    app.command("verify")(verify)
    app.command("trust-list")(trust_list_command)
