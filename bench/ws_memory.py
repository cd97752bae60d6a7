"""Where an idle websocket subscriber's memory goes: tracemalloc per 1,000 connections.

Runs the server in THIS process (uvicorn as ``almanac serve`` configures it, on a
scratch database and real Redis) and its clients in a worker process
(bench/light_client.py), so every traced allocation is the server's. Prints the
process's RSS growth per connection, then the traced growth per connection
grouped by source line (and by file), largest first.

    .venv/bin/python bench/ws_memory.py --subscribers 1000 --top 30 [--frames 12] [--loop asyncio]
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import tracemalloc
import uuid
from pathlib import Path

import psutil
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.realtime_scale import REDIS_URL, SECRET, TASK_QUERY, Bench, bench_env  # noqa: E402
from bench.scratch import free_port  # noqa: E402


async def hold(bench: Bench, subscribers: int) -> asyncio.subprocess.Process:
    """A worker process holding ``subscribers`` idle subscriptions (until ``release``)."""
    worker = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bench" / "light_client.py"),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write((json.dumps({"port": bench.ports[0], "tokens": [bench.token(i) for i in range(subscribers)],
                                    "query": TASK_QUERY, "variables": [{}] * subscribers}) + "\n").encode())
    await worker.stdin.drain()
    ready = await asyncio.wait_for(worker.stdout.readline(), timeout=600)
    assert ready.strip() == b"ready", ready
    return worker


async def release(worker: asyncio.subprocess.Process) -> None:
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(b'{"committed": {}, "wait": 0}\n')
    await worker.stdin.drain()
    await worker.stdout.readline()
    await worker.wait()


async def settle() -> None:
    """Until the server's tasks stop changing for 2 s (subscriptions set up or torn down), at most 120 s."""
    stable, last = 0, -1
    for _ in range(240):
        await asyncio.sleep(0.5)
        count = len(asyncio.all_tasks())
        stable = stable + 1 if count == last else 0
        last = count
        if stable >= 4:
            break
    gc.collect()


async def measure(subscribers: int, top: int, frames: int) -> None:
    async with bench_env(users=50, processes=0) as bench:
        os.environ.update({"DATABASE_URL": bench.url, "REDIS_URL": REDIS_URL, "ALMANAC_SECRET_KEY": SECRET,
                           "ALMANAC_REDIS_NAMESPACE": f"almanac-mem-{uuid.uuid4().hex[:6]}",
                           "ALMANAC_LOG_LEVEL": "WARNING", "ALMANAC_RATE_LIMIT": "off"})
        from server.app import create_app
        from server.settings import Settings
        from server.ws_protocol import SERVER_WS_OPTIONS

        settings = Settings()
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_config=None, log_level="warning",
            proxy_headers=False, ws_max_size=settings.max_body_bytes, **SERVER_WS_OPTIONS))
        serving = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110 (uvicorn offers no event)
            await asyncio.sleep(0.1)
        bench.ports.append(port)
        process = psutil.Process()
        await release(await hold(bench, 50))  # warm caches (parsed documents, users) before measuring
        await settle()
        rss = process.memory_info().rss
        worker = await hold(bench, subscribers)
        await settle()
        print(f"RSS: {(process.memory_info().rss - rss) / subscribers / 1024:.1f} KiB per connection "
              f"({subscribers} idle subscribers, server in the bench process, untraced)")
        await release(worker)
        await settle()
        tracemalloc.start(frames)
        before = tracemalloc.take_snapshot()
        worker = await hold(bench, subscribers)
        await settle()
        after = tracemalloc.take_snapshot()
        running = sum(1 for task in asyncio.all_tasks() if "run_operation" in repr(task.get_coro()))
        print(f"Strawberry operation tasks still running: {running} (handed-over subscriptions have none)")
        tracemalloc.stop()
        await release(worker)
        stats = after.compare_to(before, "lineno")
        total = sum(s.size_diff for s in stats)
        print(f"traced: {total / subscribers / 1024:.1f} KiB per connection; by line (bytes per connection, "
              f"blocks per connection):")
        for stat in stats[:top]:
            frame = stat.traceback[0]
            name = frame.filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
            print(f"{stat.size_diff / subscribers:9.0f} B {stat.count_diff / subscribers:6.1f}  {name}:{frame.lineno}")
        if frames > 1:
            print("largest by allocation site, with its callers:")
            for stat in after.compare_to(before, "traceback")[:top]:
                print(f"{stat.size_diff / subscribers:9.0f} B {stat.count_diff / subscribers:6.1f}")
                for frame in stat.traceback:
                    name = frame.filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
                    print(f"              {name}:{frame.lineno}")
        by_file: dict[str, int] = {}
        for stat in stats:
            name = stat.traceback[0].filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
            by_file[name] = by_file.get(name, 0) + stat.size_diff
        print("by file:")
        for name, size in sorted(by_file.items(), key=lambda item: -item[1])[:top]:
            print(f"{size / subscribers:9.0f} B  {name}")
        server.should_exit = True
        await serving


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--frames", type=int, default=1, help="callers kept per allocation (>1: print them)")
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop",
                        help="uvloop: what `almanac serve` runs (uvicorn picks it when installed)")
    args = parser.parse_args()
    if not 1 <= args.subscribers <= 10000:
        parser.error("--subscribers 1..10000")
    if args.loop == "uvloop":
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.run(asyncio.wait_for(measure(args.subscribers, args.top, args.frames), timeout=900))


if __name__ == "__main__":
    main()
