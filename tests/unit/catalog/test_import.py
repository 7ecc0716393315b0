"""Import of catalog files: the real open-data export as is, GBK, XLSX, and all-or-nothing."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy import func, select

from certfree import catalog
from certfree.errors import InvalidInput
from certfree.storage import Database
from conftest import VECTORS

# The real export of ../shared/data/open_data_catalog, kept as a vector (tests/vectors/SOURCES.md).
REAL_FILE = VECTORS / "open_data_catalog" / "catalog_guiyang_nanning.csv"
HEADER = "信息资源名称,信息资源提供方,信息资源摘要,共享类型,共享条件,更新周期,发布日期,信息项\n"


def real_bytes() -> bytes:
    return REAL_FILE.read_bytes()


def count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(catalog.Resource)) or 0)


def test_the_real_export_imports_as_is_and_reimports_as_updates(db: Database) -> None:
    data = real_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    seen: list[tuple[int, int]] = []
    with db.session() as session:
        report = catalog.import_catalog(
            session, data, REAL_FILE.name, progress=lambda d, t: seen.append((d, t))
        )
    assert (report.rows, report.created, report.updated, report.errors) == (3131, 3131, 0, [])
    assert seen[-1] == (2 * 3131, 2 * 3131)
    with db.session() as session:
        first = catalog.resource_json(catalog.get_resource(session, "307/000001"))
        listed = catalog.resource_json(catalog.get_resource(session, "307/000006"))
    assert first["name"] == rows[0]["title"]
    assert first["provider"] == "贵阳市综合行政执法局"
    assert first["open_type"] == "conditional"
    assert first["share_type"] == "conditional"  # 有条件开放 → conditional, its condition given
    assert first["share_conditions"]
    assert first["share_method"] == "api"  # updated in real time
    assert first["source_url"] == rows[0]["record_url"]
    # "单位名称,终端数量,单位地址,法人姓名,所属派出所" is a field list: it becomes data items.
    assert [i["name"] for i in listed["items"]] == [
        "单位名称", "终端数量", "单位地址", "法人姓名", "所属派出所"
    ]  # fmt: skip
    with db.session() as session:
        again = catalog.import_catalog(session, data, REAL_FILE.name)
    assert (again.created, again.updated) == (0, 3131)
    assert count(db) == 3131


def test_gbk_csv_is_detected_and_may_be_named(db: Database) -> None:
    text = HEADER + (
        "城镇职工社会保险参保信息,济南市人力资源和社会保障局,参保人员的险种与缴费,"
        "有条件共享,限人社业务,每月,2024-01-05,姓名;公民身份号码;缴费基数\n"
    )
    data = text.encode("gbk")
    with db.session() as session:
        detected = catalog.import_catalog(session, data, "gbk.csv")
    assert (detected.encoding, detected.created) == ("gb18030", 1)
    with db.session() as session:
        named = catalog.import_catalog(session, data, "gbk.csv", encoding="gbk")
    # The same provider's resource of the same name: updated, not added a second time.
    assert (named.encoding, named.created, named.updated) == ("gbk", 0, 1)
    assert count(db) == 1
    with db.session() as session:
        row = catalog.get_resource(session, "307/000001")
        assert [i["name"] for i in row.items] == ["姓名", "公民身份号码", "缴费基数"]
        assert row.update_cycle is catalog.UpdateCycle.MONTHLY
        with pytest.raises(InvalidInput, match="utf-8"):
            catalog.import_catalog(session, data, "gbk.csv", encoding="utf-8")


def test_xlsx_with_a_title_row(db: Database) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["济南市政务信息资源目录（2024年）"])
    sheet.append(["信息资源名称", "信息资源提供方", "共享类型", "不予共享依据", "发布日期"])
    basis = "《测绘法》第三十四条"
    sheet.append(["涉密测绘成果目录", "济南市自然资源和规划局", "不予共享", basis, "2024-02-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    with db.session() as session:
        report = catalog.import_catalog(session, buffer.getvalue(), "catalog.xlsx")
        row = catalog.get_resource(session, "307/000001")
    assert (report.format, report.created) == ("xlsx", 1)
    assert row.share_type is catalog.ShareType.NOT_SHARED
    assert row.unshared_basis == "《测绘法》第三十四条"


def test_bad_rows_reject_the_whole_file_with_reasons(db: Database) -> None:
    text = HEADER + (
        "户籍人口信息,济南市公安局,户籍,无条件共享,,实时,2024-01-01,\n"
        ",济南市公安局,无名,无条件共享,,实时,2024-01-01,\n"
        "婚姻登记信息,济南市民政局,婚姻,有条件共享,,每月,2024-01-01,\n"
        "公积金缴存信息,济南住房公积金中心,缴存,无条件共享,,偶尔,2024-01-01,\n"
        "低保对象名单,济南市民政局,低保,无条件共享,,每年,2024-02-30,\n"
    )
    with db.session() as session, pytest.raises(catalog.CatalogImportRejected) as caught:
        catalog.import_catalog(session, text.encode(), "bad.csv")
    errors = [(e.row, e.column) for e in caught.value.report.errors]
    assert errors == [(3, "信息资源名称"), (4, "共享条件"), (5, "更新周期"), (6, "发布日期")]
    assert "第 4 行「共享条件」：有条件共享的资源须写明共享条件" in caught.value.message
    assert caught.value.problem_extensions()["errors"][0]["row"] == 3
    assert count(db) == 0


def test_missing_required_columns_are_named(db: Database) -> None:
    with db.session() as session, pytest.raises(catalog.CatalogImportRejected) as caught:
        catalog.import_catalog(
            session, "信息资源名称,发布日期\n户籍,2024-01-01\n".encode(), "a.csv"
        )
    assert caught.value.report.errors[0].column == "信息资源提供方"
    assert "缺少必需的列" in caught.value.report.errors[0].reason


def test_duplicate_source_rows_are_rejected(db: Database) -> None:
    text = "title,provider,released,record_url\n" + "甲,乙局,2024-01-01,http://x/1\n" * 2
    with db.session() as session, pytest.raises(catalog.CatalogImportRejected) as caught:
        catalog.import_catalog(session, text.encode(), "dup.csv")
    assert caught.value.report.errors[0].reason == "与第 2 行重复"
    assert caught.value.report.errors[0].column == "record_url"


def test_a_resource_named_twice_in_a_file_is_refused_naming_the_first_row(db: Database) -> None:
    row = "户籍人口信息,济南市公安局,户籍,无条件共享,,实时,2024-01-01,\n"
    other = "户籍人口信息,济南市民政局,户籍,无条件共享,,实时,2024-01-01,\n"
    text = HEADER + row + other + row
    with db.session() as session, pytest.raises(catalog.CatalogImportRejected) as caught:
        catalog.import_catalog(session, text.encode(), "dup.csv")
    [error] = caught.value.report.errors
    assert (error.row, error.column) == (4, "信息资源名称")
    assert error.reason.startswith("与第 2 行重复：同一提供方的同名资源")
    assert "信息资源代码" in error.reason  # what to do if they are two resources
    assert count(db) == 0
    # Rows that give codes are different resources even under one name.
    coded = "信息资源代码," + HEADER + "307/000007," + row + "307/000008," + row
    with db.session() as session:
        assert catalog.import_catalog(session, coded.encode(), "coded.csv").created == 2


def test_reimporting_a_file_without_codes_updates_instead_of_duplicating(db: Database) -> None:
    text = HEADER + "户籍人口信息,济南市公安局,户籍,无条件共享,,实时,2024-01-01,\n"
    with db.session() as session:
        assert catalog.import_catalog(session, text.encode(), "a.csv").created == 1
    with db.session() as session:
        again = catalog.import_catalog(session, text.replace("实时", "每日").encode(), "a.csv")
    assert (again.created, again.updated) == (0, 1)
    assert count(db) == 1
    with db.session() as session:
        assert catalog.get_resource(session, "307/000001").update_cycle is catalog.UpdateCycle.DAILY
        # Two of that name already (one added by hand): the file must say which it means.
        first = catalog.resource_json(catalog.get_resource(session, "307/000001"))
        draft = {k: v for k, v in first.items() if k not in {"code", "id"}}
        catalog.create_resource(session, catalog.validate_resource(draft))
    with db.session() as session, pytest.raises(catalog.CatalogImportRejected) as caught:
        catalog.import_catalog(session, text.encode(), "a.csv")
    assert "已有 2 个同名资源（307/000001、307/000002）" in caught.value.report.errors[0].reason
