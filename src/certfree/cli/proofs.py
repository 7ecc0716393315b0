"""``certfree proofs``: the proof-item list (证明事项清单) — import, publish, diff, repeal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from certfree import procedures, proofs
from certfree.cli.common import actor_name, database_session, print_json
from certfree.errors import InvalidInput

app = typer.Typer(help="证明事项清单 proof-item list", no_args_is_help=True)
console = Console()

Actor = Annotated[
    str | None, typer.Option("--actor", help="记入变更记录的操作人（默认为当前系统用户）")
]
Reason = Annotated[str, typer.Option("--reason", help="理由，记入变更记录")]
AsJson = Annotated[bool, typer.Option("--json", help="输出 JSON")]
VersionOpt = Annotated[int | None, typer.Option("--version", min=1, help="已发布的版本号")]


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV 或 XLSX 文件")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv 或 xlsx（默认按扩展名判断）")
    ] = None,
    actor: Actor = None,
    reason: Annotated[str | None, typer.Option("--reason", help="导入理由")] = None,
    as_json: AsJson = False,
) -> None:
    """导入证明事项清单；任何一行有误则全部不导入，并列出行号、列名和原因。"""
    with database_session() as session:
        report = proofs.import_proof_list(
            session, file.read_bytes(), file.name, actor_name(actor), fmt=fmt, reason=reason
        )
    if as_json:
        print_json(report.as_json())
        return
    console.print(
        f"已导入 {report.rows} 行（{report.format}"
        f"{', ' + report.encoding if report.encoding else ''}）："
        f"新增 {len(report.added)} 项，修改 {len(report.amended)} 项，"
        f"未变 {len(report.unchanged)} 项；拟取消 {len(report.flagged)} 项",
        highlight=False,
    )
    for code in report.flagged:
        console.print(f"  [yellow]拟取消[/yellow] {code}", highlight=False)
    for code in report.abolished:
        console.print(f"  [dim]已取消，未导入[/dim] {code}", highlight=False)


@app.command()
def publish(reason: Reason, actor: Actor = None) -> None:
    """把当前清单发布为新版本。"""
    with database_session() as session:
        version = proofs.publish(session, actor_name(actor), reason)
    console.print(
        f"已发布第 {version.number} 版（{version.item_count} 项）：{version.reason}",
        highlight=False,
    )


@app.command()
def diff(
    v1: Annotated[int, typer.Argument(min=1, help="旧版本号")],
    v2: Annotated[int, typer.Argument(min=1, help="新版本号")],
    as_json: AsJson = False,
) -> None:
    """比较两个已发布版本：新增、取消和逐字段变化的事项。"""
    with database_session() as session:
        result = proofs.diff(session, v1, v2)
    if as_json:
        print_json(result)
        return
    console.print(f"第 {v1} 版 → 第 {v2} 版", style="bold", highlight=False)
    for item in result["added"]:
        console.print(f"[green]+ 新增[/green] {item['code']} {item['name']}", highlight=False)
    for item in result["removed"]:
        why = f"：{item['abolition_reason']}" if item["abolition_reason"] else ""
        console.print(f"[red]- 取消[/red] {item['code']} {item['name']}{why}", highlight=False)
    for item in result["changed"]:
        console.print(f"[yellow]~ 变更[/yellow] {item['code']} {item['name']}", highlight=False)
        for change in item["changes"]:
            console.print(
                f"    {change['field']}: {change['before']} → {change['after']}", highlight=False
            )
    if not (result["added"] or result["removed"] or result["changed"]):
        console.print("两个版本没有差别")


@app.command("abolition-report")
def abolition_report(as_json: AsJson = False) -> None:
    """拟取消的证明事项及理由（无法律法规依据或依据已废止）。"""
    with database_session() as session:
        report = proofs.abolition_report(session)
    if as_json:
        print_json(report)
        return
    table = Table(title=f"拟取消的证明事项（{report['count']} 项）", caption=report["rule"])
    for heading in ("编码", "名称", "原开具部门", "理由"):
        table.add_column(heading)
    for item in report["items"]:
        table.add_row(item["code"], item["name"], item["issuing_department"], item["reason"])
    console.print(table)


@app.command("list")
def list_(version: VersionOpt = None, as_json: AsJson = False) -> None:
    """列出证明事项：当前工作清单，或 --version 指定的已发布版本。"""
    with database_session() as session:
        items = proofs.list_items(session, version)
    if as_json:
        print_json([i.as_json() for i in items])
        return
    title = f"证明事项清单第 {version} 版" if version else "证明事项清单（当前，含未发布变更）"
    table = Table(title=f"{title}（{len(items)} 项）")
    for heading in ("编码", "名称", "原开具部门", "办理方式", "状态"):
        table.add_column(heading)
    for item in items:
        table.add_row(
            item.code,
            item.name,
            item.issuing_department,
            "、".join(w.label_zh for w in item.ways),
            item.status.label_zh,
        )
    console.print(table)


@app.command()
def repeal(
    document: Annotated[str, typer.Argument(help="法律文件的 id、文号或名称")],
    reason: Reason,
    actor: Actor = None,
) -> None:
    """登记法律文件废止，并把因此失去依据的证明事项标为拟取消。"""
    with database_session() as session:
        impact = procedures.adjust_for_repeal(session, document, actor_name(actor), reason)
    console.print(
        f"已登记废止：{document}；拟取消证明 {len(impact.proof_codes)} 项，"
        f"待复核服务事项 {len(impact.service_codes)} 项",
        highlight=False,
    )
    for code in impact.proof_codes:
        console.print(f"  [yellow]拟取消[/yellow] {code}", highlight=False)
    for code in impact.service_codes:
        console.print(f"  [yellow]待复核[/yellow] {code}", highlight=False)


@app.command()
def abolish(
    code: Annotated[str, typer.Argument(help="证明事项编码")], reason: Reason, actor: Actor = None
) -> None:
    """取消一项证明事项。"""
    with database_session() as session:
        item = proofs.abolish_item(session, code, actor_name(actor), reason)
    console.print(f"已取消 {item.code} {item.name}", highlight=False)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="json 或 csv")] = "json",
    version: VersionOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="写入文件（默认标准输出）")
    ] = None,
) -> None:
    """导出已发布的清单（默认最新版本）：JSON，或带 BOM 的 UTF-8 CSV（Excel 可直接打开）。"""
    with database_session() as session:
        if fmt not in {"json", "csv"}:
            raise InvalidInput(f"不支持的格式「{fmt}」；可选 json、csv", field="--format")
        number = version or proofs.current_version(session)
        if number is None:
            raise proofs.ListVersionNotFound(
                "清单尚未发布；先运行 certfree proofs publish --reason …", field="--version"
            )
        items = proofs.list_items(session, number)
    data = (
        proofs.export_csv(items)
        if fmt == "csv"
        else proofs.export_json(items, version=number).encode("utf-8")
    )
    if output is None:
        typer.echo(data.decode("utf-8-sig"), nl=False)
    else:
        output.write_bytes(data)
        console.print(f"已写入 {output}（第 {number} 版，{len(items)} 项）", highlight=False)


@app.command()
def versions(as_json: AsJson = False) -> None:
    """已发布的各个版本。"""
    with database_session() as session:
        found = proofs.list_versions(session)
    if as_json:
        print_json([v.as_json() for v in found])
        return
    table = Table(title="证明事项清单版本")
    for heading in ("版本", "发布时间 (UTC)", "发布人", "事项数", "理由"):
        table.add_column(heading)
    for v in found:
        table.add_row(
            str(v.number), f"{v.published_at:%Y-%m-%d %H:%M}", v.actor, str(v.item_count), v.reason
        )
    console.print(table)
