"""Resources: validation names the field at fault; codes are classification/sequence."""

from __future__ import annotations

from typing import Any

import pytest

from certfree import catalog
from certfree.storage import Database


def resource(**changes: Any) -> dict[str, Any]:
    """A valid resource as an API or file would give it, with ``changes`` applied."""
    return {
        "class_code": "101",
        "name": "户籍人口基本信息",
        "abstract": "常住人口的户籍登记信息",
        "provider": "济南市公安局",
        "provider_code": "11370100004297614W",
        "format": "数据库",
        "items": [
            {
                "name": "公民身份号码",
                "type": "字符型",
                "classification": "个人信息",
                "grade": "重要",
            },
            {"name": "姓名", "type": "string"},
            {"name": "出生日期", "type": "date"},
        ],
        "share_type": "有条件共享",
        "share_conditions": "仅用于政务服务事项办理中的身份核验",
        "share_method": "接口",
        "open_type": "不予开放",
        "update_cycle": "实时",
        "released": "2024-03-01",
    } | changes


def test_a_valid_resource_reads_back_with_labels(db: Database) -> None:
    with db.session() as session:
        row = catalog.create_resource(session, catalog.validate_resource(resource()))
        shown = catalog.resource_json(row)
    assert shown["code"] == "101/000001"
    assert shown["class_name"] == "人口基础信息资源"
    assert shown["share_type"] == "conditional"
    assert shown["share_type_zh"] == "有条件共享"
    assert shown["items"][0] == {
        "name": "公民身份号码",
        "type": "string",
        "description": "",
        "classification": "personal",  # 个人信息, by its Chinese name
        "grade": 5,  # 重要数据
    }
    # Left out, the class is the one the item's name suggests, and so is the grade.
    assert shown["items"][1] | shown["items"][2] | {"name": ""} == {
        "name": "",
        "type": "date",
        "description": "",
        "classification": "personal.birth_date",
        "grade": 3,
    }
    assert shown["items"][1]["classification"] == "personal.name"
    assert shown["update_cycle"] == "realtime"


def test_codes_are_allocated_per_classification(db: Database) -> None:
    with db.session() as session:
        codes = [
            catalog.create_resource(session, catalog.validate_resource(resource(**extra))).code
            for extra in ({}, {"class_code": "203"}, {"name": "户籍迁移信息"})
        ]
    assert codes == ["101/000001", "203/000001", "101/000002"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": " "}, "name", "不能为空"),
        ({"name": "名" * 201}, "name", "过长"),
        ({"class_code": "401"}, "class_code", "不是分类码"),
        ({"class_code": "109"}, "class_code", "不是分类码"),
        ({"share_type": "随便共享"}, "share_type", "无条件共享"),
        ({"share_conditions": ""}, "share_conditions", "共享条件"),
        ({"share_type": "不予共享"}, "unshared_basis", "依据"),
        ({"share_method": "邮寄"}, "share_method", "不是可选值"),
        ({"update_cycle": "偶尔"}, "update_cycle", "不定期"),
        ({"released": "2024-13-01"}, "released", "不是日期"),
        ({"items": [{"name": ""}]}, "items[0].name", "不能为空"),
        ({"items": [{"name": "姓名", "type": "图片"}]}, "items[0].type", "数据类型"),
        ({"items": [{"name": "姓名", "grade": "绝密"}]}, "items[0].grade", "核心"),
        ({"items": [{"name": "姓名", "grade": 7}]}, "items[0].grade", "未知的数据级别 7"),
        ({"items": [{"name": "姓名", "grade": [1]}]}, "items[0].grade", "1–6"),
        (
            {"items": [{"name": "姓名", "classification": "机密"}]},
            "items[0].classification",
            "未知的数据分类",
        ),
        # an identity number is sensitive personal information (grade 3): never graded 1
        (
            {"items": [{"name": "身份证号", "classification": "sensitive.identity", "grade": 1}]},
            "items[0].grade",
            "就高从严",
        ),
        ({"related": ["abc"]}, "related[0]", "资源代码"),
    ],
)
def test_validation_names_the_field(changes: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(catalog.InvalidResource) as caught:
        catalog.validate_resource(resource(**changes))
    assert caught.value.field == field
    assert words in caught.value.message


def test_not_shared_keeps_its_legal_basis_and_drops_conditions() -> None:
    draft = catalog.validate_resource(
        resource(share_type="不予共享", unshared_basis="《中华人民共和国保守国家秘密法》第二条")
    )
    assert draft.share_type is catalog.ShareType.NOT_SHARED
    assert draft.share_conditions is None
    assert draft.unshared_basis is not None


def test_update_revalidates_and_keeps_the_code(db: Database) -> None:
    with db.session() as session:
        code = catalog.create_resource(session, catalog.validate_resource(resource())).code
        row = catalog.update_resource(
            session, code, {"name": "户籍人口信息", "update_cycle": "每日"}
        )
        assert (row.code, row.name, row.update_cycle.value) == (code, "户籍人口信息", "daily")
        with pytest.raises(catalog.InvalidResource, match="share_conditions"):
            catalog.update_resource(session, code, {"share_conditions": ""})
        with pytest.raises(catalog.CatalogConflict, match="分类码"):
            catalog.update_resource(session, code, {"class_code": "102"})
        catalog.delete_resource(session, code)
        with pytest.raises(catalog.ResourceNotFound, match=code):
            catalog.get_resource(session, code)
