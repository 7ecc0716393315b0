"""The archive of an XLSX workbook and the XML parser its parts are fed to, within limits."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from xml.parsers import expat

__all__ = ["MAX_MEMBERS", "MAX_RATIO", "Archive", "SheetFault", "SheetLimits", "as_int", "local"]

MAX_MEMBERS = 10_000
MAX_RATIO = 200
_RATIO_FLOOR = 1024 * 1024  # a small part may compress as it likes
_CHUNK = 64 * 1024


class SheetFault(ValueError):
    """The workbook is unreadable or exceeds a limit; ``row`` and ``cell`` say where if known."""

    def __init__(self, reason: str, row: int | None = None, cell: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.row, self.cell = reason, row, cell


@dataclass(frozen=True, slots=True)
class SheetLimits:
    max_rows: int  # rows holding a value, the header and any title row included
    max_columns: int
    max_cell: int  # characters
    max_expanded: int  # bytes, every part of the archive uncompressed


class _Budget:
    """Bytes inflated so far, against the limit on the archive's uncompressed size."""

    def __init__(self, limit: int) -> None:
        self.limit, self.spent = limit, 0

    def spend(self, size: int) -> None:
        self.spent += size
        if self.spent > self.limit:
            raise SheetFault(f"解压后超过 {self.limit} 字节")


def local(name: str) -> str:
    return name.rpartition(" ")[2]


def _refuse_dtd(*_: object) -> None:
    raise SheetFault("含有 DTD（文档类型声明）；XLSX 不使用 DTD，可能是构造的攻击文件")


class Archive:
    def __init__(self, data: bytes, limits: SheetLimits) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        # RuntimeError: NotImplementedError for a ZIP version zipfile does not read; struct.error
        # and EOFError: a directory cut short.
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
            RuntimeError,
            EOFError,
            struct.error,
        ) as exc:
            raise SheetFault(f"不是有效的 XLSX（ZIP）文件：{exc}") from None
        members = self.zip.infolist()
        if len(members) > MAX_MEMBERS:
            raise SheetFault(f"压缩包内有 {len(members)} 个部件，上限 {MAX_MEMBERS}")
        declared = sum(m.file_size for m in members)
        if declared > limits.max_expanded:
            raise SheetFault(f"解压后共 {declared} 字节，上限 {limits.max_expanded}")
        for member in members:
            if member.file_size > max(_RATIO_FLOOR, MAX_RATIO * member.compress_size):
                raise SheetFault(
                    f"{member.filename} 解压后 {member.file_size} 字节，是压缩后的"
                    f" {member.file_size // max(member.compress_size, 1)} 倍（上限 {MAX_RATIO}"
                    " 倍），疑似压缩炸弹"
                )
        self.parts = {m.filename.lstrip("/").lower(): m for m in members}
        self.budget = _Budget(limits.max_expanded)

    def parse(
        self,
        name: str,
        start: Callable[[str, dict[str, str]], None],
        end: Callable[[str], None] | None = None,
        text: Callable[[str], None] | None = None,
    ) -> bool:
        """Parse part ``name`` whole; False if the archive lacks it."""
        member = self.parts.get(name.lower())
        if member is None:
            return False
        for _ in self.chunks(member, start, end, text):
            pass
        return True

    def chunks(
        self,
        member: zipfile.ZipInfo,
        start: Callable[[str, dict[str, str]], None],
        end: Callable[[str], None] | None = None,
        text: Callable[[str], None] | None = None,
    ) -> Iterator[None]:
        """Feed ``member`` to expat, pausing after each chunk (handlers are called in it)."""
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd
        parser.StartElementHandler = lambda tag, attrs: start(local(tag), attrs)
        if end is not None:
            parser.EndElementHandler = lambda tag: end(local(tag))
        if text is not None:
            parser.CharacterDataHandler = text
            parser.buffer_text = True
        try:
            with self.zip.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    self.budget.spend(len(chunk))
                    parser.Parse(chunk, False)
                    yield
            parser.Parse(b"", True)
        except SheetFault:  # a handler's, or the budget's: it says where
            raise
        except expat.ExpatError as exc:
            raise SheetFault(f"{member.filename} 的 XML 格式错误：{exc}") from None
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            RuntimeError,
            struct.error,
            ValueError,
        ) as exc:
            # RuntimeError: an encrypted member; NotImplementedError (a subclass): an unknown
            # compression method.
            raise SheetFault(f"无法解压 {member.filename}：{exc}") from None
        yield


def as_int(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        return -1
