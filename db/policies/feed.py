"""Share-link feeds and shell exports: what a calendar file shows to whoever holds it.

A share-link feed is an anonymous URL meant to be handed out, so it shows in full only
what every signed-in user of the office may read (``OFFICE``). Anything else its owner
reads (another user's PRIVATE event the owner is invited to, a booking made for one)
appears as busy time (``CLASS:PRIVATE``, SUMMARY "Busy", no description, location,
attendees or source id) or, if the link says so, not at all. The owner's own PRIVATE
events appear in full only when the link's ``private_events`` is ``OWN_DETAILS``.

``almanac ics export`` (a file written by an operator) shows the office-wide view too.
"""
from __future__ import annotations

import enum

from db.enums import FeedPrivacy
from db.policies.viewer import Viewer

# Signed in, but nobody in particular: no row is owned by, assigned to or shared with id -1,
# and no role grants it anything. It reads exactly what every member of the office reads.
OFFICE = Viewer(user_id=-1, role=None)


class Shown(enum.Enum):
    FULL = "FULL"
    BUSY = "BUSY"
    NONE = "NONE"


def shown_in_feed(*, office_readable: bool, owners_own: bool, privacy: FeedPrivacy) -> Shown:
    """How a feed shows an entry its owner may read.

    ``office_readable``: every signed-in user may read it; ``owners_own``: a PRIVATE
    event owned by the link's owner.
    """
    if office_readable:
        return Shown.FULL
    if privacy is FeedPrivacy.HIDDEN:
        return Shown.NONE
    if owners_own and privacy is FeedPrivacy.OWN_DETAILS:
        return Shown.FULL
    return Shown.BUSY
