"""Cascade routing over node codes (1+16+N): up to the common ancestor, then down.

The code alone says where a node sits (:mod:`certfree.nodes.models`): ``370000`` is the
province, ``370100`` a city under it, ``370100-MZ`` a department under that city and
``370000-MZ`` a department under the province. A message climbs from its sender to the first
node whose subtree holds the receiver and then descends, so a city reaches another city's
department only through the province (370200 → 370000 → 370100 → 370100-MZ).
"""

from __future__ import annotations

import re

from certfree.exchange.errors import MessageRefused, RefusalReason

__all__ = ["in_subtree", "next_hop", "parent_of", "path", "valid_code"]

_CODE = re.compile(r"^[1-9]\d{5}(-[A-Z]{2})?$")


def valid_code(code: str) -> bool:
    """Whether ``code`` is a node code: a GB/T 2260 code, optionally ``-<department kind>``."""
    return bool(_CODE.match(code))


def _check(code: str) -> None:
    if not valid_code(code):
        raise MessageRefused(RefusalReason.MALFORMED, f"{code!r} is not a node code")


def parent_of(code: str) -> str | None:
    """The parent node's code: department → its region, city → province, province → None."""
    _check(code)
    if "-" in code:
        return code.split("-", 1)[0]
    if code.endswith("0000"):
        return None
    if code.endswith("00"):
        return code[:2] + "0000"
    # A county code (GB/T 2260 third level) hangs under its city in this cascade.
    return code[:4] + "00"


def _ancestors(code: str) -> list[str]:
    """``code`` and its ancestors, nearest first."""
    chain = [code]
    parent = parent_of(code)
    while parent is not None:
        chain.append(parent)
        parent = parent_of(parent)
    return chain


def in_subtree(node: str, target: str) -> bool:
    """Whether ``target`` is ``node`` or lies below it."""
    return node in _ancestors(target)


def next_hop(me: str, target: str) -> str | None:
    """The node to pass a message for ``target`` to; None when ``target`` is ``me``.

    The child of ``me`` on the way down when ``target`` is below, else ``me``'s parent.
    Raises MessageRefused(wrong_receiver) when neither exists (another province's node).
    """
    chain = _ancestors(target)
    if chain[0] == me:
        return None
    if me in chain:
        return chain[chain.index(me) - 1]
    parent = parent_of(me)
    if parent is None:
        raise MessageRefused(
            RefusalReason.WRONG_RECEIVER, f"{target} is not in the cascade of {me}", node=me
        )
    return parent


def path(sender: str, receiver: str) -> list[str]:
    """Every node a message passes, ``sender`` and ``receiver`` included."""
    hops = [sender]
    while hops[-1] != receiver:
        hop = next_hop(hops[-1], receiver)
        assert hop is not None
        hops.append(hop)
    return hops


def forward_hop(me: str, sender: str, receiver: str) -> str:
    """Where ``me`` passes on a message from ``sender`` to ``receiver`` (not ``me``).

    Down when ``receiver`` is below ``me``; up only while the message is still climbing from
    ``sender``'s side (``sender`` below ``me``), so no message can loop. Anything else was
    sent to the wrong node: MessageRefused(wrong_receiver).
    """
    if in_subtree(me, receiver) or in_subtree(me, sender):
        hop = next_hop(me, receiver)
        assert hop is not None
        return hop
    raise MessageRefused(
        RefusalReason.WRONG_RECEIVER,
        f"{me} neither leads to {receiver} nor lies on the way up from {sender}",
        node=me,
    )
