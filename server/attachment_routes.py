"""``GET /attachments/{id}/{variant}?expires=&signature=``: download by signed URL.

The signature (``server/signed_urls.py``) is the credential, issued only to readers of
the attachment. Responses never let a browser run the file: ``nosniff``, a sandboxing
CSP, and ``Content-Disposition: attachment`` for everything but photos and thumbnails.

With the S3 backend the bytes still come through this route rather than a redirect to an
S3 presigned URL, on purpose: the row is read again on every download, so a deleted
attachment (or one whose parent went) stops downloading at once, whereas a presigned URL
keeps working until it expires and for as long as the delete job has not run; the bucket
stays private and need not be reachable from users' browsers; and S3 cannot be made to
send the ``nosniff``/CSP headers above. Links stay as short-lived as with local storage
(``ALMANAC_DOWNLOAD_URL_SECONDS``). The bytes stream from either backend a chunk at a time.
"""
from __future__ import annotations

from urllib.parse import quote

import structlog
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from db.models import Attachment
from server.signed_urls import verify
from server.storage import StorageUnavailable, storage_from, thumbnail_key

log = structlog.get_logger(__name__)


def _refused(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def download_attachment(request: Request) -> Response:
    state = request.app.state.almanac
    settings = state.settings
    try:
        attachment_id = int(request.path_params["attachment_id"])
    except ValueError:
        return _refused(404, "Not found.")
    variant = request.path_params["variant"]
    if not verify(settings.secret_key, attachment_id, variant, request.query_params.get("expires", ""),
                  request.query_params.get("signature", "")):
        return _refused(403, "This link is invalid or has expired; ask the API for a fresh one.")
    async with state.sessionmaker() as session:
        row = await session.scalar(select(Attachment).where(Attachment.id == attachment_id))
    if row is None or (variant == "thumbnail" and not row.has_thumbnail):
        return _refused(404, "Not found.")
    key = thumbnail_key(row.storage_key) if variant == "thumbnail" else row.storage_key
    try:
        opened = await storage_from(settings).open(key)
    except StorageUnavailable as error:
        log.warning("attachments.storage_unavailable", attachment_id=attachment_id, error=str(error))
        return JSONResponse({"error": "File storage is unavailable; try again shortly."}, status_code=503,
                            headers={"Retry-After": "30"})
    if opened is None:
        return _refused(404, "Not found.")
    inline = variant == "thumbnail" or row.is_photo
    disposition = "inline" if inline else "attachment"
    headers = {
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(row.filename)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, max-age=60",
        "Content-Length": str(opened.size),
    }
    media_type = "image/jpeg" if variant == "thumbnail" else row.content_type
    return StreamingResponse(opened.chunks, media_type=media_type, headers=headers)


ATTACHMENT_ROUTES = [Route("/attachments/{attachment_id}/{variant}", download_attachment, methods=["GET"])]
