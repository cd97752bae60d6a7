"""HTTP load with ``hey`` (Debian package ``hey``), read back from its per-request CSV.

Only 200 answers count as served: ``served_per_second`` is 200s over the run's length, so
a server that fails fast does not look fast. Percentiles are computed here over every
answered request (hey's own summary percentiles are wrong for small runs). Transport
errors (refused, timed out) are not in hey's CSV: its timeout is set to 120 s, so a
request slower than that is missing rather than counted.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Load:
    seconds: float
    statuses: dict[int, int]
    latencies: list[float]  # seconds, sorted

    @property
    def served(self) -> int:
        return self.statuses.get(200, 0)

    @property
    def served_per_second(self) -> float:
        return self.served / self.seconds if self.seconds else 0.0

    @property
    def failed(self) -> int:
        return sum(n for code, n in self.statuses.items() if code != 200)

    def ms(self, percentile: int) -> float:
        """Nearest-rank percentile in milliseconds (nan without answers)."""
        if not self.latencies:
            return float("nan")
        rank = max(1, -(-percentile * len(self.latencies) // 100))
        return self.latencies[rank - 1] * 1000


def parse_csv(text: str, seconds: float | None) -> Load:
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    last = 0.0
    for line in text.splitlines()[1:]:
        fields = line.split(",")
        if len(fields) < 8:
            continue
        latency, status, offset = float(fields[0]), int(fields[6]), float(fields[7])
        statuses[status] = statuses.get(status, 0) + 1
        latencies.append(latency)
        last = max(last, offset + latency)
    latencies.sort()
    return Load(seconds=seconds or last, statuses=statuses, latencies=latencies)


def require_hey() -> str:
    path = shutil.which("hey")
    if path is None:
        raise SystemExit("hey is not installed: apt-get install hey")
    return path


def hey_command(url: str, body: str, *, concurrency: int, seconds: float | None = None,
                requests: int | None = None, token: str | None = None) -> list[str]:
    """A hey invocation writing CSV; hey's Go client offers gzip as a browser does."""
    args = [require_hey(), "-c", str(concurrency), "-m", "POST", "-T", "application/json", "-t", "120", "-o", "csv"]
    args += ["-z", f"{seconds}s"] if seconds is not None else ["-n", str(requests or concurrency)]
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        handle.write(body)
    return [*args, "-D", handle.name, url]


def _seconds(command: list[str]) -> float | None:
    return float(command[command.index("-z") + 1].rstrip("s")) if "-z" in command else None


def run_hey(url: str, body: str, *, concurrency: int, seconds: float | None = None,
            requests: int | None = None, token: str | None = None) -> Load:
    return run_together([hey_command(url, body, concurrency=concurrency, seconds=seconds, requests=requests,
                                     token=token)])[0]


def run_together(commands: list[list[str]], *, every: float = 0, tick: Callable[[], None] | None = None) -> list[Load]:
    """Several hey runs at once (a mixed load), each read back on its own; ``tick()`` every ``every`` s meanwhile."""
    with tempfile.TemporaryDirectory() as folder:
        outputs = [open(os.path.join(folder, f"{n}.csv"), "w+") for n in range(len(commands))]  # noqa: SIM115
        processes = [subprocess.Popen(c, stdout=out, stderr=subprocess.DEVNULL, text=True)
                     for c, out in zip(commands, outputs, strict=True)]
        while any(p.poll() is None for p in processes):
            time.sleep(every or 0.2)
            if tick is not None and every:
                tick()
        loads = []
        for out, command in zip(outputs, commands, strict=True):
            out.seek(0)
            loads.append(parse_csv(out.read(), _seconds(command)))
            out.close()
    for command in commands:
        os.unlink(command[command.index("-D") + 1])
    return loads
