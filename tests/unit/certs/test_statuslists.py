"""Status-list indices: unique in their list, scattered, reserved a batch at a time."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from certfree import certs
from certfree.certs.issuers import find_issuer
from certfree.certs.models import StatusListKey, StatusListRecord
from certfree.certs.statuslists import reserve, scatter
from certfree.storage import Database

JINAN_HEALTH = "370100-WJ"  # issues the elderly card in the demo province


@pytest.mark.parametrize("size", [1, 2, 3, 10, 37, 1000, certs.LIST_SIZE])
def test_scatter_is_a_permutation_of_the_list(size: int) -> None:
    key = bytes(range(16))
    assert sorted(scatter(key, n, size) for n in range(size)) == list(range(size))


def test_scatter_depends_on_the_secret_key() -> None:
    first = [scatter(b"a" * 16, n, certs.LIST_SIZE) for n in range(8)]
    second = [scatter(b"b" * 16, n, certs.LIST_SIZE) for n in range(8)]
    assert first != second
    assert first != list(range(8))


def test_a_reservation_spans_lists_without_reusing_an_index(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("certfree.certs.statuslists.LIST_SIZE", 3)
    with db.session() as session:
        issuer = find_issuer(session, JINAN_HEALTH)
        first = reserve(session, issuer, "https://node.example", 5)
        second = reserve(session, issuer, "https://node.example", 2)
    spent = first + second
    assert [a.serial for a in spent] == [1, 2, 3, 4, 5, 6, 7]
    assert [a.list_no for a in spent] == [1, 1, 1, 2, 2, 2, 3]
    for list_no in (1, 2):
        assert sorted(a.index for a in spent if a.list_no == list_no) == [0, 1, 2]
    assert spent[0].uri == f"https://node.example/api/v1/status-lists/{issuer.uscc}/1"
    with db.session() as session:
        keys = session.scalars(select(StatusListKey.permutation_key)).all()
    assert len(set(keys)) == 3  # a fresh secret per list


def test_a_list_filled_in_order_before_scattering_is_not_continued(db: Database) -> None:
    with db.session() as session:
        issuer = find_issuer(session, JINAN_HEALTH)
        reserve(session, issuer, "https://node.example", 1)
        # A list as an older release left it: two indices handed out in order, no secret.
        session.execute(delete(StatusListKey))
        record = session.scalars(select(StatusListRecord)).one()
        record.next_index = 2
    with db.session() as session:
        (later,) = reserve(session, issuer, "https://node.example", 1)
    assert later.list_no == 2
