"""Failed sign-in limits that slow a guesser without letting anyone lock the real user out.

Two budgets count FAILED attempts only:
- per account and client address (``ALMANAC_LOGIN_RATE_LIMIT``): a guesser at one address
  gets a few tries a minute at one account, while the account's owner, signing in from
  anywhere else, is never refused because of it; a success clears the count;
- per client address (``ALMANAC_LOGIN_IP_RATE_LIMIT``), whatever the account: one address
  cannot spray guesses over many accounts.
A refusal is decided before the password is checked, so a refused guess costs no argon2 work.
Every sign-in in a request counts (aliases do not multiply the budget).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.rate_limit import (
    RequestRateLimiter,
    client_address,
    login_ip_limiter_for,
    login_limiter_for,
)


@dataclass(slots=True)
class LoginGuard:
    per_account: RequestRateLimiter | None
    per_address: RequestRateLimiter | None
    address: str

    @classmethod
    def for_context(cls, ctx: Any) -> LoginGuard:
        state = getattr(ctx, "state", None)
        if state is None:
            return cls(None, None, client_address(ctx))
        return cls(login_limiter_for(state), login_ip_limiter_for(state), client_address(ctx))

    def _account_key(self, account: str) -> str:
        return f"login:{account}|{self.address}"

    def _address_key(self) -> str:
        return f"login-ip:{self.address}"

    async def refusal(self, account: str) -> str | None:
        """Why this attempt is refused (a message with the wait), or None to go ahead."""
        for limiter, key in ((self.per_account, self._account_key(account)), (self.per_address, self._address_key())):
            if limiter is None:
                continue
            verdict = await limiter.peek(key)
            if not verdict.allowed:
                return f"Too many failed sign-ins; try again in {verdict.retry_after_seconds} s."
        return None

    async def failed(self, account: str) -> None:
        if self.per_account is not None:
            await self.per_account.hit(self._account_key(account))
        if self.per_address is not None:
            await self.per_address.hit(self._address_key())

    async def succeeded(self, account: str) -> None:
        if self.per_account is not None:
            await self.per_account.clear(self._account_key(account))
