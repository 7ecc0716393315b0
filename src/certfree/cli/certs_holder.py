"""``certfree certs claim`` and ``certfree certs uses``: the holder's side at the service desk.

``claim`` is the clerk's counterpart of ``POST /api/v1/me/certificates/{id}/claim``: the
applicant shows their ID card in person, the clerk types its number (``--holder``) and binds
the public key the applicant's wallet printed (``certfree wallet keygen``) to a backfilled
certificate. The new credential goes to stdout, so it can be piped into ``wallet add``.

``uses`` prints the certificate-use log (用证记录) of a holder, times in Beijing time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from certfree import certs
from certfree.cli.common import (
    database_session,
    err_console,
    load_settings,
    node_keys,
    print_json,
    reported_errors,
)
from certfree.errors import InvalidInput


def read_json_file(path: Path, what: str, field: str) -> Any:
    """The JSON in ``path``; InvalidInput naming ``field`` (the option) when it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"无法读取{what} {path}：{exc.strerror}", field=field) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{what} {path} 不是有效的 JSON：{exc}", field=field) from None


def read_holder_jwk(path: Path) -> Any:
    """The holder's public JWK in ``path`` (``wallet keygen`` output, or a one-key JWK Set)."""
    jwk = read_json_file(path, "持证人公钥文件", "holder-key")
    if isinstance(jwk, dict) and isinstance(jwk.get("keys"), list) and jwk["keys"]:
        jwk = jwk["keys"][0]  # a JWK Set with one key
    return jwk


def claim(
    identifier: Annotated[str, typer.Argument(help="GB/T 36904 identifier of the certificate")],
    holder_key: Annotated[Path, typer.Option(help="holder's PUBLIC JWK file (wallet keygen)")],
    holder: Annotated[
        str, typer.Option(help="ID number read from the applicant's ID card, checked in person")
    ],
    base_url: Annotated[
        str | None,
        typer.Option(help="node's public URL (default: CERTFREE_PUBLIC_URL, else port PORT)"),
    ] = None,
) -> None:
    """Bind a holder's public key to their backfilled certificate; prints the new credential."""
    with reported_errors():
        jwk = read_holder_jwk(holder_key)
        settings = load_settings()
        keys = node_keys(settings)
        with database_session() as session:
            issued = certs.claim_certificate(
                session,
                keys,
                identifier,
                jwk,
                holder_id=holder,
                base_url=base_url or settings.base_url,
            )
        err_console.print(
            f"已认领 {issued.identifier}（第 {issued.version} 版，已绑定持证人密钥）；"
            f"原版本 {identifier} 已注销（换发）",
            highlight=False,
        )
        typer.echo(issued.credential)


def uses(
    holder: Annotated[str, typer.Option(help="holder's ID number or USCC")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """The certificate-use log (用证记录): who verified which certificate when (Beijing time)."""
    with reported_errors(), database_session() as session:
        records = [certs.use_json(use) for use in certs.uses_of_holder(session, holder)]
    if as_json:
        print_json(records)
        return
    if not records:
        typer.echo(f"{holder} 没有用证记录")
        return
    table = Table("时间（北京时间）", "证照", "证照标识", "核验方", "渠道", "出示项目", "结果")
    for record in records:
        who = record["verifier"]
        if record["verifier_org"]:
            who = f"{record['verifier_org']}（{who}）"
        outcome = "通过" if record["valid"] else "未通过 " + "、".join(record["reasons"])
        table.add_row(
            record["used_at"][:19].replace("T", " "),
            record["type_name"],
            record["certificate_id"],
            who,
            record["channel_zh"],
            "、".join(record["disclosed_labels"]) or "无（仅证明持有）",
            outcome,
        )
    Console(width=240).print(table)


def register(app: typer.Typer) -> None:
    app.command()(claim)
    app.command()(uses)
