"""The application's writer thread: calls in order, errors handed back, cancellation, stop."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Iterator

import pytest

from lapor_core.errors import ValidationError
from lapor_core.web._writer import Writer


@pytest.fixture
def writer() -> Iterator[Writer]:
    """A writer, stopped at the end of the test."""
    made = Writer("lapor-write-test")
    yield made
    made.stop()


def test_calls_run_in_one_thread_in_order_and_their_results_come_back(writer: Writer) -> None:
    ran: list[tuple[int, str]] = []

    def call(n: int) -> int:
        ran.append((n, threading.current_thread().name))
        return n * 10

    async def main() -> list[int]:
        return list(
            await asyncio.gather(*(writer.run(functools.partial(call, n)) for n in range(5)))
        )

    assert [0, 10, 20, 30, 40] == asyncio.run(main())
    assert [0, 1, 2, 3, 4] == [n for n, _ in ran]
    assert {"lapor-write-test"} == {name for _, name in ran}


def test_an_error_is_raised_where_the_call_was_awaited(writer: Writer) -> None:
    refusal = ValidationError("refused")

    def refuse() -> None:
        raise refusal

    async def main() -> int:
        with pytest.raises(ValidationError) as caught:
            await writer.run(refuse)
        assert caught.value is refusal
        return await writer.run(lambda: 7)  # the thread goes on after an error

    assert 7 == asyncio.run(main())


def test_a_cancelled_wait_does_not_stop_the_call(writer: Writer) -> None:
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(5)
        finished.set()
        return "stored"

    async def main() -> None:
        task = asyncio.ensure_future(writer.run(slow))
        await asyncio.to_thread(started.wait, 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()
        # the next call runs after the cancelled one has finished
        assert "next" == await writer.run(lambda: "next" if finished.is_set() else "early")

    asyncio.run(main())
    assert finished.is_set()


def test_stop_waits_for_the_calls_handed_over_and_a_later_run_restarts(writer: Writer) -> None:
    done: list[int] = []

    async def hand_over() -> None:
        for n in range(3):
            writer.run(functools.partial(done.append, n))  # not awaited: stop() waits for them
        await asyncio.sleep(0)

    asyncio.run(hand_over())
    writer.stop()
    assert [0, 1, 2] == done
    writer.stop()  # stopping a stopped writer does nothing

    async def again() -> int:
        return await writer.run(lambda: len(done))

    assert 3 == asyncio.run(again())


def test_the_outcome_of_a_call_whose_loop_closed_is_dropped(writer: Writer) -> None:
    release, finished = threading.Event(), threading.Event()

    def slow() -> int:
        release.wait(5)
        finished.set()
        return 1

    async def leave() -> None:
        writer.run(slow)  # the loop ends before the call does

    asyncio.run(leave())
    release.set()
    writer.stop()  # no error from the closed loop reaches the writer's thread
    assert finished.is_set()

    async def still_working() -> int:
        # a writer thread killed by the closed loop would leave this waiting: fail instead
        return await asyncio.wait_for(writer.run(lambda: 2), timeout=5)

    assert 2 == asyncio.run(still_working())
