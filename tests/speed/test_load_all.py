"""``load_all`` runs a loader's batch function itself: same values, batches and errors as ``load_many``."""
from __future__ import annotations

import asyncio

import pytest
from strawberry.dataloader import DataLoader

from schema.core.relations import NOT_LOADED, load_all, peek


def counting_loader() -> tuple[DataLoader[int, str], list[list[int]]]:
    batches: list[list[int]] = []

    async def load(keys: list[int]) -> list[str]:
        batches.append(list(keys))
        await asyncio.sleep(0)
        return [f"v{key}" for key in keys]

    return DataLoader(load_fn=load), batches


async def test_one_batch_for_the_keys_not_loaded_yet_in_order() -> None:
    loader, batches = counting_loader()
    assert await loader.load(2) == "v2"
    assert await load_all(loader, [3, None, 2, 1, 3]) == ["v3", "v2", "v1"]
    assert batches == [[2], [3, 1]]
    assert peek(loader, 1) == "v1" and peek(loader, 9) is NOT_LOADED
    assert await load_all(loader, [1, 2, 3]) == ["v1", "v2", "v3"] and len(batches) == 2


async def test_a_concurrent_load_waits_for_the_running_batch() -> None:
    loader, batches = counting_loader()
    running = asyncio.create_task(load_all(loader, [1, 2]))
    await asyncio.sleep(0)  # load_all is inside its batch function now
    assert await loader.load(2) == "v2"
    assert await running == ["v1", "v2"]
    assert batches == [[1, 2]]
    pending = loader.load(3)  # and a key already pending in a DataLoader batch is not fetched twice
    assert await load_all(loader, [3, 4]) == ["v3", "v4"] and await pending == "v3"
    assert sorted(batches) == [[1, 2], [3], [4]]


async def test_a_failed_batch_raises_and_its_keys_keep_the_error() -> None:
    async def fail(keys: list[int]) -> list[str]:
        raise RuntimeError("database down")

    loader: DataLoader[int, str] = DataLoader(load_fn=fail)
    with pytest.raises(RuntimeError):
        await load_all(loader, [1])
    with pytest.raises(RuntimeError):
        await loader.load(1)
