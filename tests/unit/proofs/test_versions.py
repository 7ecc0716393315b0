"""Publishing versions, reading old ones exactly as frozen, and diffing two versions."""

from __future__ import annotations

import pytest

from certfree.proofs import (
    ChangeKind,
    ListVersionNotFound,
    ProofItemStatus,
    ProofListConflict,
    Way,
    abolish_item,
    amend_item,
    current_version,
    diff,
    list_changes,
    list_items,
    list_versions,
    publish,
    repeal_document,
)
from certfree.storage import Database
from factories.proofs import LOCAL_NOTICE, MARRIAGE_REGULATION, item


def test_nothing_to_publish_is_refused(db: Database) -> None:
    with db.session() as session:
        assert current_version(session) is None
        with pytest.raises(ProofListConflict, match="清单为空"):
            publish(session, "admin", "首次发布")
        item(session, "A", MARRIAGE_REGULATION)
        assert publish(session, "admin", "首次发布").number == 1
        with pytest.raises(ProofListConflict, match="与第 1 版相同"):
            publish(session, "admin", "再发布")


def test_old_version_reads_as_published_after_later_changes(db: Database) -> None:
    with db.session() as session:
        item(session, "A", MARRIAGE_REGULATION, name="户口簿")
        publish(session, "admin-1", "首次发布")
        amend_item(session, "A", {"name": "居民户口簿"}, "admin-2", "规范名称")
        repeal_document(session, "婚姻登记条例", "admin-2", "废止")
        # The working list sees the repeal, version 1 does not.
        assert list_items(session)[0].status is ProofItemStatus.TO_ABOLISH
        old = list_items(session, 1)[0]
        assert old.name == "户口簿"
        assert old.status is ProofItemStatus.ACTIVE
        assert old.legal_bases[0].repealed is False
        version = publish(session, "admin-2", "婚姻登记条例废止")
        versions = list_versions(session)
    assert version.number == 2
    assert [(v.number, v.actor, v.reason) for v in versions] == [
        (1, "admin-1", "首次发布"),
        (2, "admin-2", "婚姻登记条例废止"),
    ]


def test_changes_are_stamped_with_the_version_they_went_into(db: Database) -> None:
    with db.session() as session:
        item(session, "A", MARRIAGE_REGULATION)
        publish(session, "admin", "v1")
        amend_item(session, "A", {"fact": "新的证明内容"}, "admin", "改")
        pending = list_changes(session)
        assert [c.kind for c in pending] == [ChangeKind.AMEND_ITEM]
        publish(session, "admin", "v2")
        assert list_changes(session) == []
        carried = [c.kind for c in list_changes(session, version=2)]
    assert carried == [ChangeKind.AMEND_ITEM, ChangeKind.PUBLISH]


def test_diff_lists_added_removed_and_changed_fields(db: Database) -> None:
    with db.session() as session:
        item(session, "KEEP", MARRIAGE_REGULATION, ways=[Way.PAPER])
        item(session, "GONE", MARRIAGE_REGULATION)
        item(session, "WEAK", LOCAL_NOTICE)
        publish(session, "admin", "v1")
        amend_item(session, "KEEP", {"ways": [Way.DATA_SHARING, Way.COMMITMENT]}, "a", "数据共享")
        abolish_item(session, "GONE", "a", "已直接取消")
        item(session, "NEW", MARRIAGE_REGULATION)
        publish(session, "admin", "v2")
        result = diff(session, 1, 2)
        backwards = diff(session, 2, 1)
    assert [i["code"] for i in result["added"]] == ["NEW"]
    assert result["removed"] == [
        {"code": "GONE", "name": "证明事项GONE", "abolition_reason": "已直接取消"}
    ]
    assert result["changed"] == [
        {
            "code": "KEEP",
            "name": "证明事项KEEP",
            "changes": [
                {"field": "ways", "before": ["paper"], "after": ["data_sharing", "commitment"]}
            ],
        }
    ]
    assert [i["code"] for i in backwards["removed"]] == ["NEW"]
    assert [i["code"] for i in backwards["added"]] == ["GONE"]


def test_unknown_version_names_the_published_range(db: Database) -> None:
    with db.session() as session:
        with pytest.raises(ListVersionNotFound, match="尚未发布"):
            list_items(session, 1)
        item(session, "A", MARRIAGE_REGULATION)
        publish(session, "admin", "v1")
        with pytest.raises(ListVersionNotFound, match="已发布的版本为 1–1") as caught:
            diff(session, 1, 7)
    assert caught.value.field == "version"
