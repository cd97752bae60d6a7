"""Passwords and deactivation: ``changePassword`` (self), ADMIN ``resetPassword``/``setUserActive``, the CLI.

A deactivated user's tokens stop working at once because every request loads the user
with ``is_active`` (``server.graphql_view.load_user_for_token``), not from the token alone.
Every way of setting a password revokes the user's earlier tokens (``revoke_tokens``:
their version no longer matches); ``changePassword`` answers a new token for the caller.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChangeOp, Role
from db.models import User
from db.policies.user import USERS
from db.queries.logs import record_audit, record_change
from db.queries.user import get_user_by_email, revoke_tokens
from resolvers.mutation import not_found, run_mutation, validation
from resolvers.targets import editable_target
from resolvers.user_admin import MAX_PASSWORD, MIN_PASSWORD
from schema.auth.password_types import (
    ChangePasswordInput,
    ResetPasswordInput,
    SetUserActiveInput,
    UserAccountPayload,
)
from schema.core.errors import DomainError, ErrorCode
from schema.core.ids import decode_id
from schema.user.types import UserType
from server.auth import hash_password_off_loop, issue_token, verify_password_off_loop
from server.context import Context
from server.login_guard import LoginGuard
from server.viewer import user_cache_of

MIN_PASSWORD_LENGTH = MIN_PASSWORD  # NIST SP 800-63B's minimum for a memorised secret a user chose
MAX_PASSWORD_LENGTH = MAX_PASSWORD  # argon2 hashes any length, but nobody types more; bounds the work


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password must have at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"The password may have at most {MAX_PASSWORD_LENGTH} characters."
    if "\x00" in password:
        return "The password may not contain a NUL character."
    return None


def _check_new(password: str, field: str) -> None:
    problem = password_problem(password)
    if problem:
        raise validation(problem, field)


async def change_password(ctx: Context, input: ChangePasswordInput) -> UserAccountPayload:
    async def work() -> UserAccountPayload:
        user = ctx.require_user()
        guard = LoginGuard.for_context(ctx)
        refusal = await guard.refusal(f"user:{user.id}")
        if refusal is not None:
            raise DomainError.one(ErrorCode.RATE_LIMITED, refusal, "input.currentPassword")
        row = await ctx.session.get(User, user.id)  # the viewer is a narrow cached copy without the hash
        if row is None:
            raise not_found("User")
        if not await verify_password_off_loop(row.password_hash, input.current_password[:MAX_PASSWORD_LENGTH]):
            await guard.failed(f"user:{user.id}")
            raise DomainError.one(ErrorCode.PERMISSION_DENIED, "The current password is wrong.",
                                  "input.currentPassword")
        _check_new(input.new_password, "input.newPassword")
        row.password_hash = await hash_password_off_loop(input.new_password)
        await revoke_tokens(ctx.session, row, actor_id=user.id)
        record_audit(ctx.session, actor_id=user.id, action="change_password", entity_type="User", entity_id=user.id)
        await ctx.commit()
        forget_cached_user(ctx, row.id)
        token = issue_token(row.id, ctx.settings.secret_key, ttl_minutes=ctx.settings.token_ttl_minutes,
                            token_version=row.token_version)
        return UserAccountPayload(user=UserType.from_model(row), errors=[], token=token)

    return await run_mutation(ctx, work, lambda errors: UserAccountPayload(user=None, errors=errors))


async def reset_password(ctx: Context, input: ResetPasswordInput) -> UserAccountPayload:
    async def work() -> UserAccountPayload:
        admin = ctx.require_role(*USERS.editor_roles)
        _check_new(input.new_password, "input.newPassword")
        row: User = await editable_target(ctx, USERS, decode_id(input.user_id, "User", field="input.userId"), "User",
                                          "input.userId")
        row.password_hash = await hash_password_off_loop(input.new_password)
        await revoke_tokens(ctx.session, row, actor_id=admin.id)
        record_audit(ctx.session, actor_id=admin.id, action="reset_password", entity_type="User", entity_id=row.id)
        await ctx.commit()
        forget_cached_user(ctx, row.id)
        return UserAccountPayload(user=UserType.from_model(row), errors=[])

    return await run_mutation(ctx, work, lambda errors: UserAccountPayload(user=None, errors=errors))


async def set_user_active(ctx: Context, input: SetUserActiveInput) -> UserAccountPayload:
    async def work() -> UserAccountPayload:
        admin = ctx.require_role(*USERS.editor_roles)
        # Lock every active admin first (as changeUserRole does): two admins deactivating
        # each other cannot both succeed and leave the office without one.
        admins = set(await ctx.session.scalars(
            select(User.id).where(User.role == Role.ADMIN, User.is_active).order_by(User.id).with_for_update()))
        row: User = await editable_target(ctx, USERS, decode_id(input.user_id, "User", field="input.userId"), "User",
                                          "input.userId", for_update=True)
        if row.id == admin.id and not input.active:
            raise validation("You cannot deactivate yourself; ask another admin.", "input.active")
        if row.id in admins and not input.active and len(admins) == 1:
            raise DomainError.one(ErrorCode.CONFLICT, "The office needs at least one active ADMIN.", "input.active")
        before = row.is_active
        row.is_active = input.active
        await record_change(ctx.session, "User", row.id, ChangeOp.UPDATED, {"is_active": input.active},
                            actor_id=admin.id)
        record_audit(ctx.session, actor_id=admin.id, action="set_active", entity_type="User", entity_id=row.id,
                     before={"is_active": before}, after={"is_active": input.active})
        await ctx.commit()
        return UserAccountPayload(user=UserType.from_model(row), errors=[])

    return await run_mutation(ctx, work, lambda errors: UserAccountPayload(user=None, errors=errors))


def forget_cached_user(ctx: Context, user_id: int) -> None:
    """This process at once; the others when the change row reaches them."""
    user_cache_of(ctx.state).forget(user_id)


async def set_password_by_email(session: AsyncSession, email: str, password: str) -> bool:
    """The CLI's ``almanac user password``; False when no user has that email."""
    user = await get_user_by_email(session, email)
    if user is None:
        return False
    user.password_hash = await hash_password_off_loop(password)
    await revoke_tokens(session, user, actor_id=None)
    record_audit(session, actor_id=None, action="reset_password", entity_type="User", entity_id=user.id)
    await session.commit()
    return True


async def set_active_by_email(session: AsyncSession, email: str, active: bool) -> bool:
    user = await get_user_by_email(session, email)
    if user is None:
        return False
    user.is_active = active
    # The change row reaches every server's user cache (server.viewer), so the tokens stop working there too.
    await record_change(session, "User", user.id, ChangeOp.UPDATED, {"is_active": active})
    record_audit(session, actor_id=None, action="set_active", entity_type="User", entity_id=user.id,
                 after={"is_active": active})
    await session.commit()
    return True
