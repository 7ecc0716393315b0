"""An uploaded file: the raw request body, or the part named ``file`` of multipart/form-data.

FastAPI's own form parsing needs python-multipart, which is not a dependency; a form-data body
(RFC 7578) is MIME multipart, so the stdlib ``email`` parser reads it. Routes take the file as
the :data:`Upload` dependency and declare :data:`UPLOAD_BODY` as their OpenAPI request body.
"""

from __future__ import annotations

from email import message_from_bytes
from email.message import Message
from email.policy import HTTP
from typing import Annotated, Any, NamedTuple

from fastapi import Depends, Request

from certfree.api.guards import raise_body_cap
from certfree.errors import InvalidInput

__all__ = [
    "MAX_UPLOAD_BYTES",
    "UPLOAD_BODY",
    "Upload",
    "UploadForm",
    "UploadedFile",
    "UploadedForm",
    "read_upload",
    "read_upload_form",
]

# A spreadsheet over HTTP; a bigger file is imported with the CLI, which reads it from disk.
MAX_UPLOAD_BYTES = 64 * 1024 * 1024


class UploadedFile(NamedTuple):
    """The file's bytes, and the name the client gave it (None for a raw body)."""

    data: bytes
    filename: str | None


class UploadedForm(NamedTuple):
    """The uploaded file and the form's other (text) fields by name."""

    file: UploadedFile
    fields: dict[str, str]


async def read_upload_form(request: Request) -> UploadedForm:
    """The part ``file`` of a multipart/form-data body and its text parts, or else the whole
    body (and no fields).

    Raises InvalidInput (field ``file``) for a multipart body without such a part.
    """
    raise_body_cap(request, MAX_UPLOAD_BYTES)
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return UploadedForm(UploadedFile(body, None), {})
    # The boundary is a parameter of the request's Content-Type, so it heads the parsed body.
    message = message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=HTTP
    )
    file: UploadedFile | None = None
    fields: dict[str, str] = {}
    for part in message.iter_parts() if isinstance(message, Message) else ():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name == "file":
            file = UploadedFile(data, part.get_filename())
        elif isinstance(name, str):
            fields[name] = data.decode(part.get_content_charset() or "utf-8", errors="replace")
    if file is None:
        raise InvalidInput("multipart 请求中没有名为 file 的文件", field="file")
    return UploadedForm(file, fields)


async def read_upload(request: Request) -> UploadedFile:
    """The part ``file`` of a multipart/form-data body, or else the whole body.

    Raises InvalidInput (field ``file``) for a multipart body without such a part.
    """
    return (await read_upload_form(request)).file


Upload = Annotated[UploadedFile, Depends(read_upload)]
UploadForm = Annotated[UploadedForm, Depends(read_upload_form)]

# The request body is read by read_upload, not declared as a parameter, so OpenAPI is told here.
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in ("text/csv", "application/octet-stream", "multipart/form-data")
        },
    }
}
