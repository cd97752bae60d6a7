"""User administration for ADMIN: create accounts and change roles.

Deactivation and passwords (``setUserActive``, ``resetPassword``, ``changePassword``)
belong to the account-safety work, not here.
"""
from __future__ import annotations

import asyncio

from sqlalchemy import select

from db.enums import ChangeOp, Role
from db.models import User
from db.policies.user import USERS
from db.queries.logs import record_audit, record_change
from db.queries.user import get_user_by_email
from resolvers import validation as v
from resolvers.mutation import run_mutation, validation
from resolvers.targets import editable_target
from schema.core.errors import DomainError, ErrorCode
from schema.core.ids import decode_id
from schema.user.types import UserType
from schema.user_admin.inputs import ChangeUserRoleInput, CreateUserInput
from schema.user_admin.payloads import ChangeUserRolePayload, CreateUserPayload
from server.auth import hash_password
from server.context import Context

MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 hashes any length; this bounds the work per request


def email_address(value: str) -> str:
    address = v.text(value, "input.email", max_length=254)
    local, _, domain = address.partition("@")
    if not local or "." not in domain or " " in address:
        raise validation("Not an email address.", "input.email")
    return address


def password(value: str) -> str:
    if not (MIN_PASSWORD <= len(value) <= MAX_PASSWORD) or "\x00" in value:
        raise validation(f"Between {MIN_PASSWORD} and {MAX_PASSWORD} characters, without NUL.", "input.password")
    return value


async def create_user(ctx: Context, input: CreateUserInput) -> CreateUserPayload:
    async def work() -> CreateUserPayload:
        admin = ctx.require_role(*USERS.editor_roles)
        address = email_address(input.email)
        name = v.text(input.name, "input.name", max_length=200)
        zone = v.timezone_name(input.timezone.strip(), "input.timezone") if input.timezone else None
        secret = password(input.password)
        if await get_user_by_email(ctx.session, address) is not None:
            raise DomainError.one(ErrorCode.CONFLICT, "A user with this email already exists.", "input.email")
        hashed = await asyncio.to_thread(hash_password, secret)  # argon2 is slow on purpose: off the loop
        user = User(email=address, name=name, role=Role(input.role), password_hash=hashed, timezone=zone)
        ctx.session.add(user)
        await ctx.session.flush()
        await record_change(ctx.session, "User", user.id, ChangeOp.CREATED, {"role": user.role.value},
                            actor_id=admin.id)
        record_audit(ctx.session, actor_id=admin.id, action="create", entity_type="User", entity_id=user.id,
                     after={"email": address, "role": user.role.value})
        await ctx.commit()
        return CreateUserPayload(user=UserType.from_model(user), errors=[])

    return await run_mutation(ctx, work, lambda errors: CreateUserPayload(user=None, errors=errors))


async def change_user_role(ctx: Context, input: ChangeUserRoleInput) -> ChangeUserRolePayload:
    async def work() -> ChangeUserRolePayload:
        admin = ctx.require_role(*USERS.editor_roles)
        role = Role(input.role)
        # Lock every active admin first, so two admins demoting each other cannot both succeed.
        admins = set(await ctx.session.scalars(
            select(User.id).where(User.role == Role.ADMIN, User.is_active).order_by(User.id).with_for_update()))
        user: User = await editable_target(ctx, USERS, decode_id(input.user_id, "User", field="input.userId"), "User",
                                           "input.userId", for_update=True)
        if user.id in admins and role != Role.ADMIN and len(admins) == 1:
            raise DomainError.one(ErrorCode.CONFLICT, "The office needs at least one active ADMIN.", "input.role")
        before = user.role
        user.role = role
        await ctx.session.flush()
        await record_change(ctx.session, "User", user.id, ChangeOp.UPDATED, {"role": role.value}, actor_id=admin.id)
        record_audit(ctx.session, actor_id=admin.id, action="change_role", entity_type="User", entity_id=user.id,
                     before={"role": before.value}, after={"role": role.value})
        await ctx.commit()
        return ChangeUserRolePayload(user=UserType.from_model(user), errors=[])

    return await run_mutation(ctx, work, lambda errors: ChangeUserRolePayload(user=None, errors=errors))


