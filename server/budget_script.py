"""All of one operation's limits in one Redis round trip.

An operation used to make four or five calls to Redis through the ``limits`` library (the
request count, the time budget, the cost spent and what is left, the time charged after),
each one round trip with its share of redis-py's CPU: a cheap operation at 50 clients ran at
less than half the rate it ran with the limits off (issue 12). Here one Lua script takes a
list of steps and runs them in order, over the same keys and with the same arithmetic as
limits' own scripts (a moving window for counts, a sliding window counter for budgets), so a
window written by either is read the same by both (``RequestRateLimiter.remaining``, a
rolling deploy). A step refused stops the checks after it, as the calls did.

Time charges (known only after execution) are not sent on their own: they wait in the process
and go first in its next script, or after ``FLUSH_DELAY`` when no operation comes. Within one
process the next operation always sees them; another process sees them at most
``FLUSH_DELAY`` later (the time budget was already checked before and charged after, so
concurrent operations all passed its check).

Operations that start in the same turn of the event loop go out together, in one script: at
50 clients a round trip carries several operations' limits (their steps in groups, one per
operation: a refusal stops only its own group's checks). Within one script a budget's window is
read once (the operations of one caller share it), and the command is packed by hiredis: the
limits cost Redis about two thirds of the script time they took, and this process ~30 us less per
operation (``bench/limits_cpu.py``).

Without Redis (no ``REDIS_URL``: tests) the steps go one by one to the limiters' memory
storage, as before. When Redis fails, every step is allowed (and logged): an outage of the
limiter should not take the API down with it; the time charges its script carried wait for the
next one (at most ``MAX_PENDING`` identities' worth).
"""
from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import hiredis
import structlog
from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from server import cpu_meter
from server.rate_windows import (
    moving_window_resets_in,
    retry_after,
    sliding_window_remaining,
    sliding_window_resets_in,
)

if TYPE_CHECKING:
    from server.rate_limit import RequestRateLimiter

log = structlog.get_logger(__name__)

BUDGETS_KEY = "budgets"
FLUSH_DELAY = 0.05  # seconds a time charge may wait for the next operation's script
MAX_PENDING = 10_000  # identities whose time charges may wait (beyond: dropped, logged)
RETRY_CHARGES = 64  # waiting charges a script carries while Redis could not be reached
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)  # kept for later; other failures: dropped
MAX_KEYS = 10_000  # steps whose keys are kept (then forgotten all at once)

SCRIPT = """
local now = tonumber(ARGV[1])
local steps = tonumber(ARGV[2])
local k, a = 1, 3
local out = {}
local refused = false
local group = nil

-- limits' sliding window counter: the current count rotates into the previous one's key when less
-- than one window is left of its life (it lives two). Read once per script (several operations of
-- one caller share it), and kept up to date by take: {previous count, its ttl, current count, its
-- ttl (-2: no key)}, ttls in ms (the previous one's read only when it counts something).
local windows = {}

local function window(prev, cur, expiry)
  local w = windows[cur]
  if w then return w end
  local ttl = redis.call('pttl', cur)
  if ttl > 0 and ttl < expiry then
    redis.call('rename', cur, prev)
    redis.call('set', cur, 0, 'PX', ttl + expiry)
    w = {tonumber(redis.call('get', prev)) or 0, ttl, 0, ttl + expiry}
  else
    local counts = redis.call('mget', prev, cur)
    local previous = tonumber(counts[1]) or 0
    w = {previous, previous > 0 and redis.call('pttl', prev) or 0, tonumber(counts[2]) or 0, ttl}
  end
  windows[cur] = w
  return w
end

local function used(w, expiry)
  local ttl = w[2]
  if ttl < 0 then ttl = 0 end
  return math.floor(w[1] * ttl / expiry) + w[3]
end

local function take(cur, limit, expiry, amount, w)
  if amount > limit or used(w, expiry) + amount > limit then return false end
  if w[4] ~= -2 then
    redis.call('incrby', cur, amount)
  else
    redis.call('set', cur, amount, 'PX', expiry * 2)
    w[4] = expiry * 2
  end
  w[3] = w[3] + amount
  return true
end

for i = 1, steps do
  local kind, limit, expiry, amount = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  if ARGV[a + 4] ~= group then
    group = ARGV[a + 4]
    refused = false
  end
  a = a + 5
  if kind == 'M' then
    local key = KEYS[k]
    k = k + 1
    if refused then
      out[i] = {-1}
    else
      local entry = amount <= limit and redis.call('lindex', key, limit - amount)
      if amount > limit or (entry and tonumber(entry) >= now - expiry) then
        refused = true
        out[i] = {0, entry or ARGV[1]}
      else
        local length = 0
        for _ = 1, amount do length = redis.call('lpush', key, now) end
        if length > limit then redis.call('ltrim', key, 0, limit - 1) end
        redis.call('expire', key, expiry)
        out[i] = {1}
      end
    end
  else
    local prev, cur, ms = KEYS[k], KEYS[k + 1], expiry * 1000
    k = k + 2
    if kind == 'C' then
      local w = window(prev, cur, ms)
      if not take(cur, limit, ms, amount, w) then
        local left = limit - used(w, ms)
        if left > 0 then take(cur, limit, ms, left, w) end
      end
      out[i] = {1}
    elseif refused then
      out[i] = {-1}
    else
      local w = window(prev, cur, ms)
      local ok = 1
      if kind == 'T' then
        if limit - used(w, ms) <= 0 then ok = 0 end
      elseif amount > 0 and not take(cur, limit, ms, amount, w) then
        ok = 0
      end
      out[i] = {ok, w[1], w[2], w[3], w[4]}
      if ok == 0 then refused = true end
    end
  end
end
return out
"""


class Kind(StrEnum):
    HIT = "M"  # count one in a moving window; refused when it is full
    SPENT = "T"  # refused when nothing is left of a budget (takes nothing)
    SPEND = "S"  # take ``amount`` from a budget (0: only read what is left); refused when it does not fit
    CHARGE = "C"  # take ``amount``, or all that is left when it does not fit; never refused


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs ~0.5 us more, and steps are made per operation
class Step:
    role: str  # what the caller calls it ("request", "time", ...): outcomes come back under it
    kind: Kind
    limiter: RequestRateLimiter
    identity: str
    amount: int = 1


@dataclass(frozen=True, slots=True)
class Outcome:
    allowed: bool = True
    retry_after_seconds: int = 0
    remaining: int = 0  # what is left of a SPEND's budget after it


Outcomes = dict[str, Outcome | None]  # by role; None: not run, a step before it was refused


class Budgets:
    """One app's script runner and its waiting time charges (``budgets_for``)."""

    def __init__(self, redis: Redis | None) -> None:
        self.script: AsyncScript | None = redis.register_script(SCRIPT) if redis is not None else None
        self.pending: dict[tuple[int, str], Step] = {}
        self.unreachable = False  # the last script failed to reach Redis
        self.timer: asyncio.TimerHandle | None = None
        self.flushes: set[asyncio.Task[Any]] = set()
        self.queue: list[Queued] = []
        self.keys: dict[tuple[int, str, Kind], tuple[list[str], tuple[str, int, int]]] = {}  # _keys_of

    async def run(self, steps: Sequence[Step]) -> Outcomes:
        """The steps' outcomes, after the waiting charges (sent first in the same script)."""
        charges = self._take_charges()
        every = [*charges, *steps]
        if not every:
            return {}
        if self.script is not None and every[0].limiter.key_prefix is not None:
            try:
                outcomes = await self._run_script(every)
                self.unreachable = False
            except (RedisError, OSError) as error:
                log.warning("rate_limit.storage_unavailable", error=str(error))
                if isinstance(error, UNREACHABLE):
                    self.unreachable = True
                    self._keep(charges)
                else:  # Redis answered and refused: sent again, they would fail every later script too
                    log.warning("rate_limit.time_charges_dropped", charges=len(charges))
                outcomes = [Outcome(remaining=step.limiter.item.amount) for step in every]
        else:
            outcomes = await _run_in_memory(every)
        return {step.role: outcome for step, outcome in zip(every[len(charges):], outcomes[len(charges):],
                                                            strict=True)}

    def defer(self, charge: Step) -> None:
        """A CHARGE sent with the next script (or after FLUSH_DELAY): no round trip of its own."""
        self._add(charge)
        if self.timer is None:
            self.timer = asyncio.get_running_loop().call_later(FLUSH_DELAY, self._flush)

    def _add(self, charge: Step) -> None:
        key = (id(charge.limiter), charge.identity)
        waiting = self.pending.get(key)
        if waiting is not None:
            self.pending[key] = Step(waiting.role, waiting.kind, waiting.limiter, waiting.identity,
                                     waiting.amount + charge.amount)
        elif len(self.pending) < MAX_PENDING:
            self.pending[key] = charge
        else:
            log.warning("rate_limit.time_charge_dropped", identity=charge.identity, milliseconds=charge.amount)

    def _take_charges(self) -> list[Step]:
        """The waiting charges for the next script: all of them, or, while Redis could not be reached,
        a few (up to RETRY_CHARGES): each operation carried every kept charge and built its keys for
        a script that would fail, milliseconds of CPU per operation with many callers waiting."""
        if not self.unreachable or len(self.pending) <= RETRY_CHARGES:
            charges = list(self.pending.values())
            self.pending.clear()
            return charges
        keys = list(itertools.islice(self.pending, RETRY_CHARGES))
        return [self.pending.pop(key) for key in keys]

    def _keep(self, charges: list[Step]) -> None:
        """Charges whose script failed wait for the next one (no timer: while Redis is down, retrying
        every FLUSH_DELAY would only add failed connections). A reply lost after the script ran
        charges them twice: more time than was used, never less."""
        for charge in charges:
            self._add(charge)

    async def aclose(self) -> None:
        """At shutdown: the waiting time charges sent now, and every send in flight finished.

        Left alone, a charge's timer or send outlived the app: it was lost, or its task was
        destroyed with the event loop while it waited on a closed Redis connection.
        """
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.pending:
            await self.run(())
        while self.flushes:
            await asyncio.gather(*self.flushes, return_exceptions=True)

    @property
    def remote(self) -> bool:
        return self.script is not None

    def _flush(self) -> None:
        self.timer = None
        if self.pending:
            # for no operation (the timer was set in the context of the first charge's, long over)
            self._track(cpu_meter.task_for((), self.run(())))

    async def _run_script(self, steps: list[Step]) -> list[Outcome | None]:
        keys: list[str] = []
        args: list[Any] = []
        for step in steps:
            step_keys, constants = self._keys_of(step)
            keys += step_keys
            args += [*constants, step.amount]
        replies: list[list[Any]] = await self._send(keys, args)
        return [_outcome(step, reply) for step, reply in zip(steps, replies, strict=True)]

    def _keys_of(self, step: Step) -> tuple[list[str], tuple[str, int, int]]:
        """A step's keys, and its kind, limit and window: the same for every operation of one caller."""
        found = self.keys.get((id(step.limiter), step.identity, step.kind))
        if found is not None:
            return found
        prefix, key = step.limiter.key_prefix, step.limiter.item.key_for(step.identity)
        # limits' keys: the moving window's, and the sliding window's previous and current
        keys = [f"{prefix}:{key}"] if step.kind is Kind.HIT else [f"{prefix}:{{{key}}}/-1", f"{prefix}:{{{key}}}"]
        found = keys, (step.kind.value, step.limiter.item.amount, step.limiter.item.get_expiry())
        if len(self.keys) >= MAX_KEYS:
            self.keys.clear()
        self.keys[(id(step.limiter), step.identity, step.kind)] = found  # limiters live as long as the app
        return found

    def _send(self, keys: list[str], args: list[Any]) -> asyncio.Future[Any]:
        """The replies to one operation's steps, sent with the others queued in this turn of the loop."""
        loop = asyncio.get_running_loop()
        reply = loop.create_future()
        self.queue.append(Queued(keys, args, reply, cpu_meter.current()))
        if len(self.queue) == 1:
            loop.call_soon(self._send_queued)
        return reply

    def _send_queued(self) -> None:
        batch, self.queue = self.queue, []
        self._track(cpu_meter.task_for([queued.meter for queued in batch], self._send_batch(batch)))

    def _track(self, task: asyncio.Task[Any]) -> None:
        """A send ``aclose`` waits for."""
        self.flushes.add(task)
        task.add_done_callback(self.flushes.discard)

    async def _send_batch(self, batch: list[Queued]) -> None:
        assert self.script is not None
        keys: list[str] = []
        args: list[Any] = [repr(time.time()), sum(len(queued.args) // 4 for queued in batch)]
        for group, queued in enumerate(batch):
            keys += queued.keys
            for start in range(0, len(queued.args), 4):
                args += [*queued.args[start:start + 4], group]
        try:
            replies: list[Any] = await self._evaluate(keys, args)
        except Exception as error:  # each waiting operation gets it, as it would have from its own call
            for queued in batch:
                if not queued.reply.done():
                    queued.reply.set_exception(error)
            return
        except BaseException:
            for queued in batch:
                queued.reply.cancel()
            raise
        start = 0
        for queued in batch:
            steps = len(queued.args) // 4
            if not queued.reply.done():  # done: its operation went away (cancelled)
                queued.reply.set_result(replies[start:start + steps])
            start += steps


    async def _evaluate(self, keys: list[str], args: list[Any]) -> Any:
        """The script's reply, its command packed by hiredis: redis-py's asyncio client packs in Python,
        ~35 us of CPU per operation's keys and arguments (hiredis: ~6). Sent on a connection of the
        client's pool as ``execute_command`` would (the connection drops itself when a read fails)."""
        assert self.script is not None
        pool = self.script.registered_client.connection_pool
        connection = await pool.get_connection()
        try:
            await connection.send_packed_command(
                hiredis.pack_command(("EVALSHA", self.script.sha, len(keys), *keys, *args)))
            return await connection.read_response()
        except NoScriptError:
            pass  # Redis lost its scripts (a restart, SCRIPT FLUSH): the script object loads it again
        finally:
            await pool.release(connection)
        return await self.script(keys=keys, args=args)


@dataclass(slots=True)
class Queued:
    keys: list[str]
    args: list[Any]  # four per step: kind, limit, expiry, amount
    reply: asyncio.Future[Any]
    meter: cpu_meter.Meter | None  # the operation's: its share of the batch's loop time


ALLOWED = Outcome()


def _outcome(step: Step, reply: list[Any]) -> Outcome | None:
    status: int = reply[0]  # the script's integers come back as ints
    kind = step.kind
    if status < 0:
        return None
    if kind is Kind.CHARGE or (status and kind is not Kind.SPEND):
        return ALLOWED  # what is left is read for a SPEND only (the cost headers)
    item = step.limiter.item
    if kind is Kind.HIT:
        oldest = float(reply[1])  # a timestamp, in bytes
        return Outcome(allowed=False, retry_after_seconds=retry_after(moving_window_resets_in(oldest, item.get_expiry())))
    previous, previous_ttl, current, current_ttl = reply[1], reply[2], reply[3], reply[4]
    previous_in, current_in = max(0, previous_ttl) / 1000, max(0, current_ttl) / 1000  # pttl: milliseconds
    expiry = item.get_expiry()
    remaining = sliding_window_remaining(item.amount, expiry, previous, previous_in, current)
    if status:
        return Outcome(remaining=remaining)
    resets_in = sliding_window_resets_in(expiry, previous, previous_in, current, current_in)
    return Outcome(allowed=False, retry_after_seconds=retry_after(resets_in), remaining=remaining)


async def _run_in_memory(steps: list[Step]) -> list[Outcome | None]:
    """The steps one by one through the ``limits`` strategies (what the operation did before)."""
    outcomes: list[Outcome | None] = []
    refused = False
    for step in steps:
        if refused and step.kind is not Kind.CHARGE:
            outcomes.append(None)
            continue
        outcome = await _one_in_memory(step)
        refused = refused or not outcome.allowed
        outcomes.append(outcome)
    return outcomes


async def _one_in_memory(step: Step) -> Outcome:
    limiter, identity = step.limiter, step.identity
    if step.kind is Kind.HIT:
        verdict = await limiter.hit(identity)
        return Outcome(verdict.allowed, verdict.retry_after_seconds)
    if step.kind is Kind.SPENT:
        if await limiter.remaining(identity) > 0:
            return Outcome()
        return Outcome(False, max(1, (await limiter.peek(identity)).retry_after_seconds))
    if step.kind is Kind.SPEND:
        spent = await limiter.spend(identity, step.amount) if step.amount > 0 else None
        remaining = await limiter.remaining(identity)
        if spent is None or spent.allowed:
            return Outcome(remaining=remaining)
        return Outcome(False, spent.retry_after_seconds, remaining)
    if not (await limiter.spend(identity, max(1, step.amount))).allowed:
        remaining = await limiter.remaining(identity)
        if remaining > 0:
            await limiter.spend(identity, remaining)
    return Outcome()


def budgets_for(state: Any) -> Budgets:
    """The app's ``Budgets`` on ``state.extras`` (``server.app.AppState``), created on first use."""
    budgets: Budgets | None = state.extras.get(BUDGETS_KEY)
    if budgets is None:
        redis: Redis | None = None
        if state.settings.redis_url:
            redis = state.redis if state.redis is not None else Redis.from_url(state.settings.redis_url)
        budgets = state.extras[BUDGETS_KEY] = Budgets(redis)
    return budgets
