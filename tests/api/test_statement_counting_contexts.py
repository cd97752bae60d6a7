"""A statement counter entered in one context and left in another (a subscription's operation
hook finalised by the event loop at shutdown) must not raise: it used to log
``Task exception was never retrieved ... was created in a different Context`` on every
``--workers`` shutdown with open subscriptions."""
from __future__ import annotations

import contextvars

from db import statements


def test_a_counter_left_in_another_context_stops_counting_there_without_raising() -> None:
    outer = statements.counting()
    counter = outer.__enter__()
    assert statements.current() is counter

    def leave_elsewhere() -> None:
        assert statements.current() is counter  # the copy sees what was active when it was made
        outer.__exit__(None, None, None)
        assert statements.current() is None

    contextvars.copy_context().run(leave_elsewhere)
    assert statements.current() is counter  # the entering context is untouched, and still leaves normally
    outer.__exit__(None, None, None)
    assert statements.current() is None


def test_a_fresh_connection_s_type_look_up_is_counted_apart_from_the_work_s_own_statements() -> None:
    """Fan-out and catch-up costs compare ``own`` statements: whichever execution happened to get a
    new pool connection also paid its one-time type look-up (test_groups saw 8 against 7)."""
    with statements.counting() as counter:
        statements.count(statements.DATA)
        statements.count(statements.INTROSPECTION, 2)  # with JIT on: the look-up and the setting
        statements.count(statements.TRANSACTION)
    assert (counter.count, counter.introspection, counter.own) == (3, 1, 2)
