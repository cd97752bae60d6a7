"""The login mutation (open to unauthenticated callers).

Constant work for every attempt: an unknown or deactivated account is verified against a
dummy argon2 hash, so the answer time does not tell whether an email exists. Failed
attempts are limited by ``server.login_guard.LoginGuard``.
"""
from __future__ import annotations

import strawberry

from db.queries.user import get_user_by_email
from schema.core.errors import ErrorCode, UserError
from schema.user.types import UserType
from server.auth import issue_token, verify_password_off_loop
from server.login_guard import LoginGuard

MAX_EMAIL_LENGTH = 254  # RFC 5321's longest forward path
MAX_PASSWORD_LENGTH = 1024


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.type
class LoginPayload:
    token: str | None
    user: UserType | None
    errors: list[UserError]


def _denied(code: ErrorCode, message: str) -> LoginPayload:
    return LoginPayload(token=None, user=None, errors=[UserError(code=code, field=None, message=message)])


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="Exchange email and password for a bearer token (JWT).")
    async def login(self, info: strawberry.Info, input: LoginInput) -> LoginPayload:
        ctx = info.context
        email = input.email.strip().lower()[:MAX_EMAIL_LENGTH]
        guard = LoginGuard.for_context(ctx)
        refusal = await guard.refusal(email)
        if refusal is not None:
            return _denied(ErrorCode.RATE_LIMITED, refusal)
        user = None
        if len(input.email) <= MAX_EMAIL_LENGTH and "\x00" not in input.email:
            user = await get_user_by_email(ctx.session, input.email)
        password_hash = user.password_hash if user is not None and user.is_active else None
        verified = await verify_password_off_loop(password_hash, input.password[:MAX_PASSWORD_LENGTH])
        if user is None or not verified:
            await guard.failed(email)
            return _denied(ErrorCode.INVALID_CREDENTIALS, "Wrong email or password.")
        await guard.succeeded(email)
        token = issue_token(user.id, ctx.settings.secret_key, ttl_minutes=ctx.settings.token_ttl_minutes,
                            token_version=user.token_version)
        # The caller proved who they are: the answer is read as them (db.policies.user lets
        # a user read their own email), like every request that carries the token.
        ctx.user = user
        return LoginPayload(token=token, user=UserType.from_model(user), errors=[])
