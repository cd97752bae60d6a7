"""Attaching files: check the parent through its policy, sniff and bound the bytes, store, log.

The bytes are stored before the row commits; if the commit fails (or the process dies)
the stored file has no row and ``jobs/attachments.sweep_orphan_files`` removes it.
"""
from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import strawberry
from starlette.datastructures import UploadFile

from db.enums import ChangeOp
from db.models import Assessment, Attachment, Event, Ppa, ServiceRequest, Task
from db.policies.attachment import ATTACHMENTS, may_attach
from db.queries.logs import audience_now, record_audit, record_change
from db.rules.file_types import RefusedFile, safe_filename, sniff
from db.rules.thumbnails import make_thumbnail
from jobs.queue import enqueue
from resolvers.mutation import not_found, run_mutation, validation
from resolvers.targets import editable_target
from schema.attachment.inputs import DeleteAttachmentInput, UploadAttachmentInput
from schema.attachment.payloads import DeleteAttachmentPayload, UploadAttachmentPayload
from schema.attachment.types import AttachmentType
from schema.core.errors import DomainError, ErrorCode
from schema.core.ids import decode_id, decode_typed_id
from server.context import Context
from server.storage import new_key, storage_from, thumbnail_key

PARENTS: dict[str, tuple[type[Any], str]] = {
    "Event": (Event, "event_id"),
    "Task": (Task, "task_id"),
    "Ppa": (Ppa, "ppa_id"),
    "Assessment": (Assessment, "assessment_id"),
    # Staff handling a request attach to it (readable, hence attachable, by its handlers only).
    "ServiceRequest": (ServiceRequest, "service_request_id"),
}
READ_CHUNK = 1024 * 1024


async def read_bounded(upload: Any, limit: int) -> bytes:
    """The upload's bytes, or VALIDATION as soon as it passes ``limit`` (never read whole first)."""
    if not isinstance(upload, UploadFile):
        raise validation("Send the file as a GraphQL multipart request.", "input.file")
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(READ_CHUNK):
        size += len(chunk)
        if size > limit:
            raise validation(f"The file is larger than the {limit // (1024 * 1024)} MB limit.", "input.file")
        chunks.append(chunk)
    return b"".join(chunks)


async def upload_attachment(ctx: Context, input: UploadAttachmentInput) -> UploadAttachmentPayload:
    async def work() -> UploadAttachmentPayload:
        user = ctx.require_writer()
        if not may_attach(ctx.viewer):
            raise DomainError.one(ErrorCode.PERMISSION_DENIED, "You may not attach files.")
        type_name, pk = decode_typed_id(str(input.parent_id), field="input.parentId")
        if type_name not in PARENTS:
            raise validation("Files attach to an Event, Task, Ppa, Assessment or ServiceRequest.", "input.parentId")
        model, column = PARENTS[type_name]
        if await ctx.loaders.by_id(model).load(pk) is None:
            raise not_found(type_name, "input.parentId")
        if input.occurrence is not None and type_name != "Event":
            raise validation("Only an event's occurrences take attachments of their own.", "input.occurrence")
        data = await read_bounded(input.file, ctx.settings.max_upload_bytes)
        filename = safe_filename(getattr(input.file, "filename", None) or "file")
        try:
            sniffed = sniff(data, filename)
        except RefusedFile as error:
            raise validation(str(error), "input.file") from None
        storage = storage_from(ctx.settings)
        key = new_key()
        await storage.put(key, data)
        thumbnail = await asyncio.to_thread(make_thumbnail, data) if sniffed.is_photo else None
        if thumbnail is not None:
            await storage.put(thumbnail_key(key), thumbnail)
        row = Attachment(
            filename=filename, content_type=sniffed.content_type, size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(), storage_key=key, is_photo=sniffed.is_photo,
            has_thumbnail=thumbnail is not None, uploaded_by_id=user.id, occurrence=input.occurrence,
            **{column: pk},
        )
        ctx.session.add(row)
        await ctx.session.flush()
        await record_change(ctx.session, "Attachment", row.id, ChangeOp.CREATED,
                            {"parent_type": type_name, "parent_id": pk}, actor_id=user.id)
        record_audit(ctx.session, actor_id=user.id, action="upload", entity_type="Attachment", entity_id=row.id,
                     after={"filename": filename, "parent": f"{type_name}:{pk}", "sha256": row.sha256})
        await ctx.commit()
        return UploadAttachmentPayload(attachment=AttachmentType.from_model(row), errors=[])

    return await run_mutation(ctx, work, lambda errors: UploadAttachmentPayload(attachment=None, errors=errors))


async def delete_attachment(ctx: Context, input: DeleteAttachmentInput) -> DeleteAttachmentPayload:
    async def work() -> DeleteAttachmentPayload:
        user = ctx.require_writer()
        pk = decode_id(str(input.id), "Attachment", field="input.id")
        row: Attachment = await editable_target(ctx, ATTACHMENTS, pk, "Attachment", "input.id")
        former = await audience_now(ctx.session, "Attachment", pk)
        key = row.storage_key
        await ctx.session.delete(row)
        await record_change(ctx.session, "Attachment", pk, ChangeOp.DELETED, {}, actor_id=user.id, former=former)
        record_audit(ctx.session, actor_id=user.id, action="delete", entity_type="Attachment", entity_id=pk,
                     before={"filename": row.filename, "sha256": row.sha256})
        await ctx.commit()
        await enqueue(ctx, "delete_attachment_files", key)
        return DeleteAttachmentPayload(deleted_id=strawberry.ID(str(input.id)), errors=[])

    return await run_mutation(ctx, work, lambda errors: DeleteAttachmentPayload(deleted_id=None, errors=errors))
