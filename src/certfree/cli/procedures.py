"""``certfree procedures``: service items (政务服务事项) — import, list, show, routes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from certfree import procedures
from certfree.cli.common import actor_name, database_session, print_json
from certfree.demo import load_demo_items

app = typer.Typer(help="政务服务事项 service items", no_args_is_help=True)
console = Console()

Actor = Annotated[str | None, typer.Option("--actor", help="操作人（默认为当前系统用户）")]
AsJson = Annotated[bool, typer.Option("--json", help="输出 JSON")]


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV 或 XLSX 文件")],
    strict: Annotated[
        bool, typer.Option("--strict", help="实施机构统一社会信用代码有误或缺失也视为错误")
    ] = False,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """导入政务服务事项；任何一行有误则全部不导入，并列出行号、列名和原因。"""
    with database_session() as session:
        report = procedures.import_service_items(
            session, file.read_bytes(), file.name, actor_name(actor), strict=strict
        )
    if as_json:
        print_json(report.as_json())
        return
    encoding = f"，{report.encoding}" if report.encoding else ""
    console.print(
        f"已导入 {report.rows} 行（{report.format}{encoding}）："
        f"新增 {len(report.created)} 项，更新 {len(report.updated)} 项",
        highlight=False,
    )
    if report.warnings:
        console.print(f"[yellow]{len(report.warnings)} 条提示：[/yellow]", highlight=False)
        for warning in report.warnings:
            console.print(
                f"  第 {warning.row} 行「{warning.column}」：{warning.reason}", highlight=False
            )


@app.command("load-demo")
def load_demo(actor: Actor = None) -> None:
    """载入演示省试点场景的政务服务事项（同时载入演示证明事项清单）。"""
    with database_session() as session:
        count = load_demo_items(session, actor_name(actor))
    console.print(f"已载入 {count} 个演示政务服务事项")


@app.command("list")
def list_(
    query: Annotated[str | None, typer.Option("--query", "-q", help="编码、名称或实施机构")] = None,
    status: Annotated[
        procedures.ServiceItemStatus | None, typer.Option("--status", help="按状态筛选")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="最多列出多少项")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="跳过前多少项")] = 0,
    as_json: AsJson = False,
) -> None:
    """列出政务服务事项（按编码排序）。"""
    with database_session() as session:
        total, items = procedures.list_service_items(
            session, query=query, status=status, limit=limit, offset=offset
        )
    if as_json:
        print_json({"total": total, "items": [i.model_dump(mode="json") for i in items]})
        return
    table = Table(title=f"政务服务事项（共 {total} 项，显示 {len(items)} 项）")
    for heading in ("事项编码", "事项名称", "实施机构", "层级", "状态", "申请条件"):
        table.add_column(heading)
    for item in items:
        table.add_row(
            item.code,
            item.name,
            item.department_name,
            item.level.zh,
            item.status.zh,
            str(item.requirement_count),
        )
    console.print(table)


@app.command()
def show(
    code: Annotated[str, typer.Argument(help="事项编码")],
    as_json: AsJson = False,
) -> None:
    """显示一个政务服务事项，及其每项申请条件可接受的材料和方式。"""
    with database_session() as session:
        item = procedures.get_service_item(session, code)
        needs = procedures.requirements_of(session, code)
    if as_json:
        print_json(
            {
                **item.model_dump(mode="json"),
                "requirements": needs.model_dump(mode="json")["requirements"],
            }
        )
        return
    console.print(f"[bold]{item.name}[/bold]（{item.code}）", highlight=False)
    console.print(
        f"实施机构：{item.department_name}　层级：{item.level.zh}　状态：{item.status.zh}",
        highlight=False,
    )
    if item.review_reason:
        console.print(f"[yellow]待复核：{item.review_reason}[/yellow]", highlight=False)
    table = Table(title="申请条件（任一组材料即可；同组材料须全部具备）")
    for heading in ("申请条件", "组", "材料", "可采用的方式"):
        table.add_column(heading)
    for requirement in needs.requirements:
        for index, alternative in enumerate(requirement.alternatives, start=1):
            for evidence in alternative:
                table.add_row(
                    requirement.description,
                    str(index),
                    f"{evidence.kind.zh}：{evidence.name}（{evidence.ref}）",
                    "、".join(evidence.ways_zh) or "—",
                )
    console.print(table)


@app.command()
def routes(
    code: Annotated[str, typer.Argument(help="事项编码")],
    applicant: Annotated[str, typer.Option("--applicant", help="申请人身份证号或统一社会信用代码")],
    as_json: AsJson = False,
) -> None:
    """为申请人计算每项申请条件最省事的办理途径，并说明理由。"""
    with database_session() as session:
        report = procedures.resolve_routes(session, code, applicant)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    console.print(f"[bold]{report.service_name}[/bold]　申请人 {report.applicant}", highlight=False)
    for requirement in report.requirements:
        style = "red" if requirement.way is None else "green"
        console.print(
            f"[{style}]{requirement.way_zh}[/{style}]　{requirement.explanation_zh}",
            highlight=False,
        )
    if report.paperless:
        console.print("全程无需纸质证明。")
    else:
        console.print(
            f"仍需纸质证明 {report.paper_count} 项；无可用途径 {len(report.unmet)} 项。",
            highlight=False,
        )
