"""What a running node does on its own: one round of work every N seconds, for ever."""

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


async def every(
    seconds: float,
    work: Callable[[], object],
    *,
    name: str,
    expected: tuple[type[Exception], ...] = (),
    logger: logging.Logger = log,
) -> None:
    """Run ``work`` in a thread every ``seconds`` until cancelled. A round that fails
    with an ``expected`` (transient) error is a warning, any other failure is logged
    with its traceback; either way the next round runs, as the loop must outlive any
    one round."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await asyncio.to_thread(work)
        except expected as exc:
            logger.warning("%s failed: %s", name, exc)
        except Exception:
            logger.exception("%s crashed", name)
