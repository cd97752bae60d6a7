"""Whole answers of heavy read fields (a calendar month, a board), reused while nothing changed.

Under a mixed load (issue 12) a calendar month (~10,000 entries, 2.5 MB of JSON) and a
board of 1,000 cards are the CPU that sets everyone's p99, and the same viewer asks for the
same window again and again. A field resolved through ``cached_answer`` keeps its completed
answer as JSON bytes, keyed by

- the viewer (user id, role, team scope): nobody is ever answered from another viewer's
  entry, so access policy is applied exactly as on a fresh read, by the read that filled it;
- the field's selection as written (field nodes with arguments and aliases, the fragments
  they use) and the values of the variables it uses;

and stamped with the data version (``server.feed_cache.data_version``: the change log's
highest position and its unnumbered rows, exact under concurrent commits; the same version the
``.ics`` feed's ETag uses). The writes that record no change row (a password, a time zone,
calendar preferences, share links, a webhook retry) reach no plain field a kept answer holds
(``User.timezone`` has a resolver of its own, so a selection with it is never kept). The version is read before the field's own reads, so an answer is
never older than its stamp; a different version is a miss and the new answer replaces the
old one. Only query operations over HTTP without an API key use it (a mutation's reads are
inside its own transaction; an API key's module scope is not part of the viewer); selections
with directives (@include, @skip, @defer ...) and answers with errors are never kept.

Bounded by bytes (least recently used dropped first). A hit answers ``orjson.Fragment``: the
view's JSON encoder copies the bytes without building a Python object per value.
"""
from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import orjson
import strawberry
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    Node,
    SelectionSetNode,
    VariableNode,
    Visitor,
    get_named_type,
    is_leaf_type,
    print_ast,
    visit,
)

from schema.core.fast_fields import (
    TYPENAME,
    Completed,
    CompleteThenStore,
    FieldPlan,
    LinkPlan,
    plans_for,
)
from server.feed_cache import data_version
from server.socket_context import SocketContext

MAX_ANSWERS = 10_000  # entries, whatever their size: tiny answers under many variables stay bounded too
FOLLOWER_WAIT_SECONDS = 5.0  # a follower computes by itself if the first reader takes longer


class AnswerCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._answers: OrderedDict[Hashable, tuple[str, bytes]] = OrderedDict()
        self._held = 0
        self._pending: dict[tuple[Hashable, str], asyncio.Future[bytes | None]] = {}
        self.hits = 0
        self.misses = 0
        self.followed = 0  # misses answered by another reader's computation

    def get(self, key: Hashable, version: str) -> bytes | None:
        found = self._answers.get(key)
        if found is None or found[0] != version:
            self.misses += 1
            return None
        self._answers.move_to_end(key)
        self.hits += 1
        return found[1]

    def put(self, key: Hashable, version: str, body: bytes) -> None:
        previous = self._answers.pop(key, None)
        if previous is not None:
            self._held -= len(previous[1])
        if len(body) > self.max_bytes:
            return
        self._answers[key] = (version, body)
        self._held += len(body)
        while self._held > self.max_bytes or len(self._answers) > MAX_ANSWERS:
            _, (_, dropped) = self._answers.popitem(last=False)
            self._held -= len(dropped)

    async def follow(self, key: Hashable, version: str) -> bytes | None:
        """The answer another reader is computing now, once it is done (None: none is, or it failed)."""
        pending = self._pending.get((key, version))
        if pending is None:
            return None
        self.followed += 1
        try:
            async with asyncio.timeout(FOLLOWER_WAIT_SECONDS):
                return await asyncio.shield(pending)
        except TimeoutError:
            return None

    def lead(self, key: Hashable, version: str) -> Callable[[Any], None]:
        """Announce that this reader computes the answer; call the result with it completed (None: failed).

        If the calling task ends first (its operation failed or was cancelled somewhere the
        result was never called, e.g. a completion that never started), the followers are let
        go then, not after ``FOLLOWER_WAIT_SECONDS``, and the pending entry is dropped.
        """
        pending: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        self._pending.setdefault((key, version), pending)

        def done(completed: Any) -> None:
            if pending.done():
                return
            body = None if completed is None else orjson.dumps(completed)
            if body is not None:
                self.put(key, version, body)
            if self._pending.get((key, version)) is pending:
                del self._pending[(key, version)]
            pending.set_result(body)

        task = asyncio.current_task()
        if task is not None:
            task.add_done_callback(lambda _: done(None))
        return done

    @property
    def held_bytes(self) -> int:
        return self._held

    def __len__(self) -> int:
        return len(self._answers)


ANSWER_CACHE_KEY = "answer_cache"  # AppState.extras


def answer_cache_of(state: Any, max_bytes: int) -> AnswerCache | None:
    """The app's answer cache (made on first use), or None when ``ALMANAC_ANSWER_CACHE_BYTES`` is 0."""
    extras: dict[str, Any] | None = getattr(state, "extras", None)
    if max_bytes <= 0 or extras is None:
        return None
    cache: AnswerCache | None = extras.get(ANSWER_CACHE_KEY)
    if cache is None:
        cache = extras[ANSWER_CACHE_KEY] = AnswerCache(max_bytes)
    return cache


def selection_key(info: GraphQLResolveInfo[Any]) -> str | None:
    """The field's selection as text (with the fragments it spreads) and the variables, when every
    field below is plain data; None otherwise.

    Plain: a leaf read straight from an attribute (``fast_fields.FieldPlan``), or an object reached
    by attribute or by a ``Link`` (a policy-filtered relation) whose own selection is plain. A field
    with a resolver of its own may compute from the clock (``isOverdue``) or from more than the
    data version covers, and abstract types, directives and unknown fragments are not followed:
    such selections are never kept.
    """
    return_type = get_named_type(info.return_type)
    if not isinstance(return_type, GraphQLObjectType):
        return None
    spreads: list[str] = []
    for node in info.field_nodes:
        if node.directives or node.selection_set is None:
            return None
        if not _plain(info, return_type, node.selection_set, spreads):
            return None
    nodes: list[Node] = [*info.field_nodes, *(info.fragments[name] for name in sorted(set(spreads)))]
    parts = [print_ast(node) for node in nodes]
    used = _variables_in(nodes)
    given: Any = info.variable_values  # a dict at run time, whatever graphql-core's annotation says
    values = {name: value for name, value in getattr(given, "coerced", given).items() if name in used}
    variables = orjson.dumps(values, option=orjson.OPT_SORT_KEYS, default=repr)
    return "\n".join(parts) + "\n" + variables.decode()


class _VariableNames(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.names.add(node.name.value)


def _variables_in(nodes: list[Node]) -> set[str]:
    """The variables the selection uses: a variable of another field (a task page's ``$first``, a
    client's request id) would otherwise make a new key, a miss and a new entry on every request."""
    visitor = _VariableNames()
    for node in nodes:
        visit(node, visitor)
    return visitor.names


def _plain(info: GraphQLResolveInfo[Any], parent: GraphQLObjectType, selection_set: SelectionSetNode,
           spreads: list[str]) -> bool:
    plans = plans_for(parent)
    for selection in selection_set.selections:
        if selection.directives:
            return False
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if name == TYPENAME:
                continue
            field = parent.fields.get(name)
            if field is None:
                return False
            plan = plans.get(name)
            named = get_named_type(field.type)
            if is_leaf_type(named):
                if not isinstance(plan, FieldPlan):
                    return False
                continue
            by_attribute = getattr(field.resolve, "_is_default", False) and not field.args
            if (not isinstance(named, GraphQLObjectType) or selection.selection_set is None
                    or not (by_attribute or isinstance(plan, LinkPlan))):
                return False
            if not _plain(info, named, selection.selection_set, spreads):
                return False
            continue
        if isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments.get(selection.name.value)
            if fragment is None or fragment.type_condition.name.value != parent.name:
                return False
            if selection.name.value in spreads:
                continue
            spreads.append(selection.name.value)
            inner = fragment.selection_set
        elif isinstance(selection, InlineFragmentNode):
            if selection.type_condition is not None and selection.type_condition.name.value != parent.name:
                return False
            inner = selection.selection_set
        else:
            return False
        if not _plain(info, parent, inner, spreads):
            return False
    return True


async def cached_answer(info: strawberry.Info[Any, Any], compute: Callable[[], Awaitable[Any]], *,
                        keep: bool = True) -> Any:
    """``compute()``'s value, or the answer kept for this viewer, selection and data version.

    Readers arriving while the same answer is being computed wait for it (up to
    ``FOLLOWER_WAIT_SECONDS``) instead of computing it again: after a start or a change, ten
    clients of one calendar cost one calendar. ``keep=False``: arguments make the answer depend
    on the clock (a board of overdue tasks).
    """
    ctx = info.context
    raw = info._raw_info
    cache = answer_cache_of(ctx.state, ctx.settings.answer_cache_bytes)
    if not keep or cache is None or not _eligible(ctx):
        return await compute()
    selection = selection_key(raw)
    if selection is None:
        return await compute()
    version = await data_version(ctx.session)  # before the field's reads: the answer is never older than this
    # A digest, not the text: a long query with a tiny answer would otherwise hold kilobytes of key per entry.
    key = (raw.parent_type.name, raw.field_name, ctx.viewer, hashlib.sha256(selection.encode()).digest())
    body = cache.get(key, version)
    if body is None:
        body = await cache.follow(key, version)
    if body is not None:
        return Completed(orjson.Fragment(body))
    done = cache.lead(key, version)
    try:
        value = await compute()
    except BaseException:
        done(None)
        raise
    return CompleteThenStore(value, done)


def _eligible(ctx: Any) -> bool:
    """Query operations over HTTP by a signed-in user, without an API key."""
    return (getattr(ctx, "read_only", False) and getattr(ctx, "api_key", None) is None
            and getattr(ctx, "user", None) is not None and not isinstance(ctx, SocketContext))
