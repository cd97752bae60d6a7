"""Who may read anything of the calendar beyond the office, kept up to date by change-log position.

A reconnect storm asks at each broker position (``server/calendar_hub.py``). Scanning the rows
the office may not read and their audiences costs as much as those rows; so one scan is kept
and brought up to date from the changes since it (``personal_readers_since``: one statement,
whatever the tables hold). The set only grows in between (a reader who lost access costs just
their own read), so it is scanned again every ``RESCAN_SECONDS``, or once the changes since
would be as many as a scan reads.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from db.queries import calendar_source
from db.queries.calendar_source import PersonalReaders, personal_readers, personal_readers_since

RESCAN_SECONDS = 600.0


class BeyondOfficeReaders:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.known: PersonalReaders | None = None
        self.scanned_at = 0.0
        self.scans = 0

    async def at(self, session: AsyncSession, position: int) -> frozenset[int] | None:
        """The user ids (None: nobody can be ruled out) with every change up to ``position`` in."""
        known = self.known
        if (known is None or position - known.position > calendar_source.READERS_MAX_ROWS
                or self.clock() - self.scanned_at > RESCAN_SECONDS):
            self.scans += 1
            self.scanned_at = self.clock()
            found = await personal_readers(session)
        else:
            found = await personal_readers_since(session, known)
        if self.known is None or found.position >= self.known.position:
            self.known = found
        return found.user_ids
