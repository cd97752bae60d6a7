"""The per-request context every resolver receives as ``info.context``."""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.websockets import WebSocket

from dataloaders.registry import Loaders
from db.enums import Role
from db.models import User
from db.policies import Viewer
from db.session import SerializedSession
from schema.core.errors import DomainError, ErrorCode
from server.settings import Settings


class ChangeNotifier(Protocol):
    """Told after a commit that the change log has new rows to publish."""

    def wake(self) -> None: ...


@dataclass(slots=True, weakref_slot=True)
class Context:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    notifier: ChangeNotifier
    user: User | None = None
    request: Request | WebSocket | None = None
    state: Any = None  # server.app.AppState: redis, broker, job queue...
    api_key: Any = None  # server.api_keys.ApiKeyPrincipal when a partner system calls
    response: Any = None
    _session: AsyncSession | None = None
    loaders: Loaders = field(init=False)
    # Set for a query operation (schema.core.extensions.mark_read_only): its session then needs no transaction.
    read_sessionmaker: async_sessionmaker[AsyncSession] | None = None
    read_only: bool = False

    def __post_init__(self) -> None:
        self.loaders = loaders_for(self)

    @property
    def viewer(self) -> Viewer:
        """Who reads: what every access policy (``db.policies``) is asked about."""
        return Viewer.of(self.user, team_ids=self.api_key.team_ids if self.api_key is not None else None)

    @property
    def session(self) -> AsyncSession:
        """One session per operation, opened on first use, closed when the operation ends (server.operation)."""
        if self._session is None:
            reads = self.read_sessionmaker if self.read_only else None
            self._session = SerializedSession(**(reads or self.sessionmaker).kw)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def commit(self) -> None:
        """Commit the operation's work and wake the change-log relay."""
        await self.session.commit()
        self.notifier.wake()

    # -- permission helpers -------------------------------------------------
    def require_user(self) -> User:
        if self.user is None:
            raise DomainError.one(ErrorCode.PERMISSION_DENIED, "Sign in first.")
        return self.user

    def require_writer(self) -> User:
        """Any signed-in user but a VIEWER (who is read-only)."""
        user = self.require_user()
        if user.role == Role.VIEWER:
            raise DomainError.one(ErrorCode.PERMISSION_DENIED, "Viewers have read-only access.")
        return user

    def require_role(self, *roles: Role) -> User:
        user = self.require_user()
        if user.role not in roles:
            names = ", ".join(r.value for r in roles)
            raise DomainError.one(ErrorCode.PERMISSION_DENIED, f"Only {names} may do this.")
        return user

    def require_manager(self) -> User:
        return self.require_role(Role.MANAGER, Role.ADMIN)


def loaders_for(context: Context) -> Loaders:
    """The context's loaders, reaching it through a weak proxy.

    Loaders that held the context would close a reference cycle, and every object a request
    hangs on its context (request, response, headers, rows) would wait for the garbage
    collector instead of being freed when the request ends: ~37 objects per ``{ __typename }``
    and a young collection every ~1,000 requests (issue 12, tests/speed/test_cyclic_garbage.py).
    A loader used after its request ended raises ``ReferenceError``.
    """
    proxy = weakref.proxy(context)
    return Loaders(lambda: proxy.session, lambda: proxy.viewer)
