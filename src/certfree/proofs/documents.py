"""Legal documents the list cites: found by id, 文号 or title; created on first citation."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.proofs.errors import InvalidProofItem, LegalDocumentNotFound
from certfree.proofs.models import LegalDocument
from certfree.proofs.vocab import BasisLevel

__all__ = ["BasisDraft", "clean_title", "ensure_document", "find_document", "list_documents"]


@dataclass(frozen=True)
class BasisDraft:
    """A basis as typed by a person: document title (with or without 《》), level, article."""

    document_title: str
    level: BasisLevel
    article: str = ""
    document_number: str | None = None


def clean_title(title: str) -> str:
    """A document title without surrounding 《》 and blanks: 《婚姻登记条例》 → 婚姻登记条例."""
    return title.strip().removeprefix("《").removesuffix("》").strip()


def list_documents(session: Session) -> list[LegalDocument]:
    return list(session.scalars(select(LegalDocument).order_by(LegalDocument.id)))


def find_document(session: Session, key: str | int) -> LegalDocument:
    """A legal document by id, by 文号 or by title (with or without 《》)."""
    text = str(key).strip()
    document: LegalDocument | None = None
    if text.isdigit():
        document = session.get(LegalDocument, int(text))
    if document is None and text:
        document = session.scalars(
            select(LegalDocument).where(
                (LegalDocument.number == text) | (LegalDocument.title == clean_title(text))
            )
        ).first()
    if document is None:
        raise LegalDocumentNotFound(text)
    return document


def ensure_document(session: Session, basis: BasisDraft) -> LegalDocument:
    """The document a basis cites, created on first mention; a clash in level is refused."""
    title = clean_title(basis.document_title)
    if not 0 < len(title) <= 200:
        raise InvalidProofItem("依据名称须为 1–200 字", field="document_title")
    number = (basis.document_number or "").strip() or None
    document = session.scalars(select(LegalDocument).where(LegalDocument.title == title)).first()
    if document is None:
        document = LegalDocument(title=title, number=number, level=basis.level)
        session.add(document)
        session.flush()
        return document
    if document.level is not basis.level:
        raise InvalidProofItem(
            f"《{title}》已登记为{document.level.label_zh}，不能再作为{basis.level.label_zh}引用",
            field="level",
        )
    if number and document.number and number != document.number:
        raise InvalidProofItem(
            f"《{title}》的文号已登记为「{document.number}」，不是「{number}」",
            field="document_number",
        )
    if number and not document.number:
        document.number = number
    return document
