"""One-time short codes: the online mode, for low-end phones.

The holder's wallet signs the presentation as usual and posts it here; the platform keeps it
under an 8-character code that fits a small QR (or can be read out). A verifier redeems the
code once, within ``SHORT_CODE_TTL`` seconds, and the verification is logged as any other.

* Alphabet: 31 characters without 0/O, 1/I/L (read aloud or typed from a screen); 8 of them
  are about 2^39.6 codes — with a 120 s life and one-time use, guessing a live one is hopeless.
* Redeeming marks the row with a conditional UPDATE (``redeemed_at IS NULL``), so of two
  workers redeeming the same code at once exactly one wins, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from certfree.certs.errors import (
    ShortCodeExpired,
    ShortCodeNotFound,
    ShortCodePresentationInvalid,
    ShortCodeUsed,
)
from certfree.certs.usage.models import ShortCodeRecord
from certfree.crypto import SdJwtInvalid, parse_sd_jwt
from certfree.storage import utcnow

__all__ = [
    "SHORT_CODE_ALPHABET",
    "SHORT_CODE_LENGTH",
    "SHORT_CODE_TTL",
    "issue_short_code",
    "normalise_code",
    "redeem_short_code",
]

SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SHORT_CODE_LENGTH = 8
SHORT_CODE_TTL = 120  # seconds
# Redeemed or expired codes are swept after a day; the use itself is in cert_uses.
_KEEP = dt.timedelta(days=1)


def _new_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def normalise_code(code: str) -> str:
    """Upper case, without spaces or hyphens (a code read out as ``ABCD-EFGH``)."""
    return code.strip().upper().replace("-", "").replace(" ", "")


def issue_short_code(
    session: Session, presentation: str, *, now: dt.datetime | None = None
) -> ShortCodeRecord:
    """Park ``presentation`` under a fresh one-time code valid for SHORT_CODE_TTL seconds.

    Only the form is checked here (an SD-JWT with a key-binding JWT); the seal, status and
    binding are checked when the verifier redeems. Raises ShortCodePresentationInvalid.
    """
    presentation = presentation.strip()
    try:
        parsed = parse_sd_jwt(presentation)
    except SdJwtInvalid as exc:
        raise ShortCodePresentationInvalid(
            f"亮证数据不是 SD-JWT 出示（{exc.reason.value}）：{exc.message_zh}",
            field="presentation",
        ) from exc
    if parsed.kb_jwt is None:
        raise ShortCodePresentationInvalid(
            "亮证数据缺少持有人密钥绑定（KB-JWT）：请用卡包的 present 生成", field="presentation"
        )
    moment = now or utcnow()
    session.execute(delete(ShortCodeRecord).where(ShortCodeRecord.expires_at < moment - _KEEP))
    record = ShortCodeRecord(
        code=_new_code(),
        presentation=presentation,
        created_at=moment,
        expires_at=moment + dt.timedelta(seconds=SHORT_CODE_TTL),
    )
    session.add(record)
    session.flush()
    return record


def redeem_short_code(
    session: Session, code: str, *, redeemed_by: str, now: dt.datetime | None = None
) -> str:
    """Mark ``code`` used and return its presentation; a code works once, before it expires.

    Raises ShortCodeNotFound, ShortCodeExpired or ShortCodeUsed.
    """
    moment = now or utcnow()
    code = normalise_code(code)
    record = session.get(ShortCodeRecord, code)
    if record is None:
        raise ShortCodeNotFound(f"短码 {code} 不存在：请持证人重新生成")
    if record.redeemed_at is not None:
        raise ShortCodeUsed(
            f"短码 {code} 已于 {record.redeemed_at:%H:%M:%S} UTC 使用过：短码只能用一次"
        )
    if moment >= record.expires_at:
        raise ShortCodeExpired(
            f"短码 {code} 已过期（有效期 {SHORT_CODE_TTL} 秒）：请持证人重新生成"
        )
    marked = session.execute(
        update(ShortCodeRecord)
        .where(ShortCodeRecord.code == code, ShortCodeRecord.redeemed_at.is_(None))
        .values(redeemed_at=moment, redeemed_by=redeemed_by[:128])
        .execution_options(synchronize_session=False)
    )
    if getattr(marked, "rowcount", 1) != 1:
        raise ShortCodeUsed(f"短码 {code} 已被使用：短码只能用一次")
    return record.presentation
