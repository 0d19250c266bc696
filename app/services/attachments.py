"""Inspection attachments: PDF or images only, size-limited, type-checked by content, stored
outside the web root under random names, and served only to users who can see the record."""

import os
import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.extensions import db
from models import OversightAttachment

#: content type → (leading bytes, accepted file name endings)
ALLOWED_TYPES = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


class AttachmentRefused(Exception):
    """The upload was refused; the message says why, in the user's language."""


def storage_dir() -> str:
    path = current_app.config.get("ATTACHMENT_DIR") or os.path.join(current_app.instance_path, "attachments")
    os.makedirs(path, exist_ok=True)
    return path


def max_bytes() -> int:
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def check_name(name: str) -> str:
    """The file's own name; anything that looks like a path is refused, not cleaned."""
    name = (name or "").strip()
    if not name:
        raise AttachmentRefused(str(_l("Choose a file to upload.")))
    if "/" in name or "\\" in name or "\x00" in name or name in (".", "..") or name.startswith("."):
        raise AttachmentRefused(str(_l("The file name must not contain a path.")))
    if len(name) > 200:
        raise AttachmentRefused(str(_l("The file name is too long (200 characters at most).")))
    return name


def detect_type(name: str, head: bytes) -> str:
    lower = name.lower()
    for content_type, (magic, endings) in ALLOWED_TYPES.items():
        if head.startswith(magic) and lower.endswith(endings):
            return content_type
    raise AttachmentRefused(str(_l("Only PDF, PNG and JPEG files can be attached.")))


def store(record, upload) -> OversightAttachment:
    """Check and keep an uploaded file for ``record``; raises AttachmentRefused."""
    name = check_name(getattr(upload, "filename", "") or "")
    limit = max_bytes()
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        raise AttachmentRefused(str(_l("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024) or 1)))
    if not content:
        raise AttachmentRefused(str(_l("The file is empty.")))
    content_type = detect_type(name, content[:16])
    stored_name = uuid.uuid4().hex
    path = os.path.join(storage_dir(), stored_name)
    with open(path, "wb") as handle:
        handle.write(content)
    attachment = OversightAttachment(
        record=record, original_name=name, stored_name=stored_name, content_type=content_type, size=len(content)
    )
    db.session.add(attachment)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        os.remove(path)
        raise
    return attachment


def discard(stored_name: str) -> None:
    """Delete a stored file whose row was purged (a file already gone is fine)."""
    try:
        os.remove(stored_path(stored_name))
    except FileNotFoundError:
        pass


def path_of(attachment: OversightAttachment) -> str:
    return stored_path(attachment.stored_name)


def stored_path(stored_name: str) -> str:
    """Where a stored file lies; FileNotFoundError for a name that would lead outside the folder."""
    path = os.path.join(storage_dir(), stored_name)
    if os.path.dirname(os.path.abspath(path)) != os.path.abspath(storage_dir()):
        raise FileNotFoundError(stored_name)
    return path
