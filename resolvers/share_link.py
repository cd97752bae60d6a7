"""Share links: create (the token is returned once, only its SHA-256 is stored) and revoke (the owner, or ADMIN)."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime

from db.enums import CalendarModule, FeedPrivacy
from db.models import Community, Resource, ShareLink
from db.policies import policy_for
from db.queries.logs import record_audit
from db.queries.share_link import token_hash
from resolvers import validation as v
from resolvers.event_fields import ids_of
from resolvers.mutation import not_found, run_mutation, validation
from schema.core.ids import decode_id
from schema.share_link.inputs import CreateShareLinkInput, RevokeShareLinkInput
from schema.share_link.payloads import CreateShareLinkPayload, RevokeShareLinkPayload
from schema.share_link.types import ShareLinkType
from server.context import Context


def feed_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/calendar/feed/{token}.ics"


async def create_share_link(ctx: Context, input: CreateShareLinkInput) -> CreateShareLinkPayload:
    async def work() -> CreateShareLinkPayload:
        user = ctx.require_writer()
        session = ctx.session
        expires_at = v.aware(input.expires_at, "input.expiresAt") if input.expires_at is not None else None
        if expires_at is not None and expires_at <= datetime.now(UTC):
            raise validation("Must be in the future.", "input.expiresAt")
        token = secrets.token_urlsafe(32)
        link = ShareLink(
            owner_id=user.id, name=v.text(input.name, "input.name", max_length=200, required=False),
            token_hash=token_hash(token),
            modules=sorted({CalendarModule(m).value for m in input.modules or []}),
            community_ids=await ids_of(session, Community, input.community_ids, "Community", "input.communityIds"),
            resource_ids=await ids_of(session, Resource, input.resource_ids, "Resource", "input.resourceIds"),
            private_events=FeedPrivacy(input.private_events), expires_at=expires_at,
        )
        session.add(link)
        await session.flush()
        record_audit(session, actor_id=user.id, action="create", entity_type="ShareLink", entity_id=link.id,
                     after={"name": link.name, "modules": link.modules, "expires_at": v_iso(expires_at),
                            "private_events": link.private_events.value})
        await ctx.commit()
        return CreateShareLinkPayload(share_link=ShareLinkType.from_model(link), token=token,
                                      url=feed_url(ctx.settings.public_url, token), errors=[])

    return await run_mutation(
        ctx, work, lambda errors: CreateShareLinkPayload(share_link=None, token=None, url=None, errors=errors)
    )


async def revoke_share_link(ctx: Context, input: RevokeShareLinkInput) -> RevokeShareLinkPayload:
    async def work() -> RevokeShareLinkPayload:
        user = ctx.require_user()
        session = ctx.session
        pk = decode_id(input.id, "ShareLink", field="input.id")
        # Its owner, and ADMIN (a leaked feed URL must be stoppable): the share-link policy.
        link = (await session.scalars(
            policy_for(ShareLink).select(ctx.viewer).where(ShareLink.id == pk).with_for_update()
        )).first()
        if link is None:
            raise not_found("Share link", "input.id")
        if link.revoked_at is None:
            link.revoked_at = datetime.now(UTC)
            record_audit(session, actor_id=user.id, action="revoke", entity_type="ShareLink", entity_id=link.id)
        await session.flush()
        await ctx.commit()
        return RevokeShareLinkPayload(share_link=ShareLinkType.from_model(link), errors=[])

    return await run_mutation(ctx, work, lambda errors: RevokeShareLinkPayload(share_link=None, errors=errors))


def v_iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
