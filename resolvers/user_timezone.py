"""A user's own time zone: ``setMyTimezone`` and the zone per-user defaults fall back on.

Floating times and all-day dates of an import, and new calendar preferences, use
the user's zone; a user who never set one gets the office zone (ALMANAC_TIMEZONE).
"""
from __future__ import annotations

from db.models import User
from db.queries.calendar_import import zone_of
from db.queries.logs import record_audit
from resolvers import validation as v
from resolvers.mutation import not_found, run_mutation
from schema.user.inputs import SetMyTimezoneInput
from schema.user.payloads import SetMyTimezonePayload
from schema.user.types import UserType
from server.context import Context


def user_zone(ctx: Context, user: User) -> str:
    return zone_of(user, ctx.settings.organisation_timezone)


async def set_my_timezone(ctx: Context, input: SetMyTimezoneInput) -> SetMyTimezonePayload:
    """Set (an IANA name) or clear (null: back to the office zone) the signed-in user's zone."""
    async def work() -> SetMyTimezonePayload:
        signed_in = ctx.require_user()
        zone = v.timezone_name(input.timezone.strip(), "input.timezone") if input.timezone else None
        user = await ctx.session.get(User, signed_in.id)  # the context's user belongs to a closed session
        if user is None:
            raise not_found("User", "input")
        before = user.timezone
        user.timezone = zone
        await ctx.session.flush()
        record_audit(ctx.session, actor_id=user.id, action="set_timezone", entity_type="User", entity_id=user.id,
                     before={"timezone": before}, after={"timezone": zone})
        await ctx.commit()
        return SetMyTimezonePayload(user=UserType.from_model(user), errors=[])

    return await run_mutation(ctx, work, lambda errors: SetMyTimezonePayload(user=None, errors=errors))
