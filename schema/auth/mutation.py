"""The login mutation (open to unauthenticated callers)."""
from __future__ import annotations

import strawberry

from db.queries.user import get_user_by_email
from schema.core.errors import ErrorCode, UserError
from schema.user.types import UserType
from server.auth import issue_token, verify_password
from server.rate_limit import login_limiter_for


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.type
class LoginPayload:
    token: str | None
    user: UserType | None
    errors: list[UserError]


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="Exchange email and password for a bearer token (JWT).")
    async def login(self, info: strawberry.Info, input: LoginInput) -> LoginPayload:
        ctx = info.context
        limiter = login_limiter_for(ctx.state) if ctx.state is not None else None
        if limiter is not None:
            verdict = await limiter.hit(f"login:{input.email.strip().lower()[:254]}")
            if not verdict.allowed:
                message = f"Too many sign-in attempts; try again in {verdict.retry_after_seconds} s."
                return LoginPayload(token=None, user=None,
                                    errors=[UserError(code=ErrorCode.RATE_LIMITED, field=None, message=message)])
        user = None
        if len(input.email) <= 254 and len(input.password) <= 1024 and "\x00" not in input.email:
            user = await get_user_by_email(ctx.session, input.email)
        if user is None or not user.is_active or not verify_password(user.password_hash, input.password):
            error = UserError(code=ErrorCode.INVALID_CREDENTIALS, field=None, message="Wrong email or password.")
            return LoginPayload(token=None, user=None, errors=[error])
        token = issue_token(user.id, ctx.settings.secret_key, ttl_minutes=ctx.settings.token_ttl_minutes)
        # The caller proved who they are: the answer is read as them (db.policies.user lets
        # a user read their own email), like every request that carries the token.
        ctx.user = user
        return LoginPayload(token=token, user=UserType.from_model(user), errors=[])
