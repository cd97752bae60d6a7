"""Which files may be attached, decided from their bytes (never the client's content type).

Active content a browser would run (HTML, SVG, scripts) and executables are refused;
documents, spreadsheets, PDFs, images and plain text are accepted.
"""
from __future__ import annotations

from dataclasses import dataclass

import filetype

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic"})
DOCUMENT_TYPES = frozenset({
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/msword",
    "application/vnd.ms-excel",
})
TEXT_SUFFIXES = {".csv": "text/csv", ".txt": "text/plain", ".md": "text/plain"}


@dataclass(frozen=True, slots=True)
class Sniffed:
    content_type: str
    is_photo: bool


class RefusedFile(ValueError):
    pass


def sniff(data: bytes, filename: str) -> Sniffed:
    """The file's real type, or ``RefusedFile`` saying why it may not be attached."""
    if not data:
        raise RefusedFile("The file is empty.")
    kind = filetype.guess(data[:8192])
    if kind is not None:
        if kind.mime in PHOTO_TYPES:
            return Sniffed(kind.mime, True)
        if kind.mime in DOCUMENT_TYPES:
            return Sniffed(kind.mime, False)
        raise RefusedFile(f"Files of type {kind.mime} cannot be attached.")
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in TEXT_SUFFIXES and _is_text(data):
        return Sniffed(TEXT_SUFFIXES[suffix], False)
    raise RefusedFile("Only images, PDFs, office documents and plain text or CSV files can be attached.")


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    head = data[:512].lstrip().lower()
    return not head.startswith((b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script"))


def safe_filename(name: str) -> str:
    """The client's file name without a path, control characters or surrounding space (max 255)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip().strip(".")
    return (cleaned or "file")[:255]
