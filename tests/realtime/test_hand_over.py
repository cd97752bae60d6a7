"""A subscription served by its group outlives its Strawberry operation: the operation's task,
extensions and execution context end once the member is live, the subscription does not
(server/transport_ws.py). Completing it, or closing the socket, is what ends it."""
from __future__ import annotations

import asyncio
import json

from sqlalchemy.ext.asyncio import AsyncEngine

from server.subscription_limit import active_subscriptions
from tests.realtime.conftest import Committed, LiveServer, registered, subscribe, wait_subscribed
from tests.realtime.test_groups import TASK_TITLES, commit_task_change


def operation_tasks() -> int:
    """Strawberry's per-operation tasks (``run_operation``) still running in this loop."""
    return sum(1 for task in asyncio.all_tasks() if "run_operation" in repr(task.get_coro()))


async def wait_for(condition: object, what: str) -> None:
    for _ in range(400):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.025)
    raise AssertionError(f"timed out waiting until {what}")


async def test_a_handed_over_subscription_keeps_delivering_until_completed(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    # given two subscribers of one group
    owner, first_user, second_user = [await committed.user() for _ in range(3)]
    running = operation_tasks()  # other tests' subscriptions on this server (calendarChanged waits in its task)
    before = registered(live_server)
    first = await subscribe(live_server.ws_url, first_user, TASK_TITLES)
    await wait_subscribed(live_server, before)
    before = registered(live_server)
    second = await subscribe(live_server.ws_url, second_user, TASK_TITLES)
    await wait_subscribed(live_server, before)
    state = live_server.app.state.almanac
    # then once they are live, no Strawberry operation task runs for them, and each still counts
    # against its user's subscription limit
    await wait_for(lambda: operation_tasks() <= running, "their operation tasks ended")
    assert (active_subscriptions(state)[first_user.id], active_subscriptions(state)[second_user.id]) == (1, 1)
    # when a task changes, both receive it (and nothing said "complete" before)
    await commit_task_change(committed, "after hand-over", owner.id)
    assert (await first.data())["taskChanged"]["task"] == {"title": "after hand-over"}
    assert (await second.data())["taskChanged"]["task"] == {"title": "after hand-over"}
    # when the first completes its subscription
    await first.ws.send(json.dumps({"id": "1", "type": "complete"}))
    await wait_for(lambda: first_user.id not in active_subscriptions(state), "the first user's count was released")
    members = {m.viewer.user_id for m in live_server.realtime.fanout.members()}
    assert first_user.id not in members and second_user.id in members
    # then only the second receives the next change, and the first may subscribe again with the same id
    await commit_task_change(committed, "after complete", owner.id)
    assert (await second.data())["taskChanged"]["task"] == {"title": "after complete"}
    await first.nothing_within(0.5)
    before = registered(live_server)
    await first.ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": TASK_TITLES}}))
    await wait_subscribed(live_server, before)
    await commit_task_change(committed, "resubscribed", owner.id)
    assert (await first.data())["taskChanged"]["task"] == {"title": "resubscribed"}
    # when the sockets close, the members leave and the counts are released
    await first.close()
    await second.close()
    await wait_for(lambda: not ({first_user.id, second_user.id} & {m.viewer.user_id for m in
                                                                   live_server.realtime.fanout.members()}),
                   "the members left")
    await wait_for(lambda: not ({first_user.id, second_user.id} & set(active_subscriptions(state))),
                   "the counts were released")


CALENDAR = """subscription { calendarChanged(start: "2031-03-01T00:00:00Z", end: "2031-04-01T00:00:00Z") {
  entries { id } removedEntryIds } }"""


async def test_a_calendar_subscription_is_handed_over_and_completing_it_frees_its_window(
    live_server: LiveServer, committed: Committed
) -> None:
    # given a calendarChanged subscriber of a window nobody else watches
    user = await committed.user()
    hub = live_server.realtime.calendar
    running = operation_tasks()
    before = registered(live_server)
    sub = await subscribe(live_server.ws_url, user, CALENDAR)
    await wait_subscribed(live_server, before)
    window = next(key for key in hub.windows if key.start.year == 2031 and key.start.month == 3)
    # then once it is live no Strawberry operation task runs for it, and the window is held
    await wait_for(lambda: operation_tasks() <= running, "its operation task ended")
    assert hub.windows[window].members == 1
    # when it completes, the window is released with the member
    await sub.ws.send(json.dumps({"id": "1", "type": "complete"}))
    await wait_for(lambda: window not in hub.windows, "the window was released")
    assert user.id not in {m.viewer.user_id for m in live_server.realtime.fanout.members()}
    await sub.close()
