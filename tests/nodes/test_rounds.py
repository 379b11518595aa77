"""The background rounds: one piece of work every N seconds, outliving any one failure."""

import asyncio
import logging
import threading
from collections.abc import Callable

import pytest

from ipfed.nodes.rounds import every
from ipfed.nodes.rounds import log as rounds_log


class Transient(Exception):
    pass


def run_rounds(
    work: Callable[[], None],
    rounds: int,
    expected: tuple[type[Exception], ...] = (),
    logger: logging.Logger = rounds_log,
) -> list[str]:
    """Run ``every`` until ``work`` was called ``rounds`` times; the threads it ran in."""
    threads: list[str] = []
    done = asyncio.Event()

    async def main() -> None:
        loop = asyncio.get_running_loop()

        def counted() -> None:
            threads.append(threading.current_thread().name)
            try:
                work()
            finally:
                if len(threads) == rounds:
                    loop.call_soon_threadsafe(done.set)

        rounds_forever = every(0.001, counted, name="test round", expected=expected, logger=logger)
        task = asyncio.create_task(rounds_forever)
        await asyncio.wait_for(done.wait(), timeout=10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    return threads


def test_every_round_runs_in_a_worker_thread() -> None:
    threads = run_rounds(lambda: None, 3)
    assert len(threads) == 3
    assert threading.main_thread().name not in threads


def test_a_failing_round_is_logged_and_the_next_one_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    failures = iter([Transient("peer down"), ValueError("bug"), None])

    def work() -> None:
        if failure := next(failures):
            raise failure

    logger = logging.getLogger("ipfed.test.rounds")
    with caplog.at_level(logging.WARNING, logger="ipfed.test.rounds"):
        run_rounds(work, 3, expected=(Transient,), logger=logger)
    [warning, crash] = [r for r in caplog.records if r.name == "ipfed.test.rounds"]
    assert (warning.levelno, warning.getMessage()) == (
        logging.WARNING,
        "test round failed: peer down",
    )
    assert warning.exc_info is None
    assert (crash.levelno, crash.getMessage()) == (logging.ERROR, "test round crashed")
    assert crash.exc_info is not None and isinstance(crash.exc_info[1], ValueError)
