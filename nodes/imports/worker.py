"""Preparing an import's batches in a process of its own.

Reading and validating rows is most of an import's work, and pure Python: in
a second process it runs on another core while the node stores the batch
before. Prepared batches come back as columns over a pipe, which holds at
most one, so memory stays at a few batches whatever the file's size.
"""

import gc
import pickle
import signal
import subprocess
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Protocol

from ipfed.nodes.errors import IpfedError
from ipfed.nodes.imports.kinds import ImportKind, import_kind
from ipfed.nodes.imports.prepare import FileOptions, PreparedBatch, PreparedFile

# Starting the worker (a fresh interpreter importing the node's modules) takes
# about half a second: smaller files are prepared faster where they are stored.
WORKER_FROM_BYTES = 4 << 20


class ImportWorkerFailed(IpfedError):
    code = "import_worker_failed"
    status_code = 500


class BatchSource(Protocol):
    columns: list[str]

    def __iter__(self) -> Iterator[PreparedBatch]: ...


@contextmanager
def prepared_batches(
    kind: ImportKind, options: FileOptions, *, in_worker: bool | None = None
) -> Iterator[BatchSource]:
    """The file's prepared batches, from a worker process if ``in_worker`` (by
    default, when the file is large enough to gain from one)."""
    if in_worker is None:
        in_worker = options.path.stat().st_size >= WORKER_FROM_BYTES
    if not in_worker:
        yield PreparedFile(kind, options)
        return
    # A fresh interpreter, not multiprocessing's spawn: that one re-runs the
    # caller's main script, which a script without a __main__ guard cannot take.
    process = subprocess.Popen(
        [sys.executable, "-c", f"from {__name__} import serve; serve()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdin and process.stdout
    try:
        with process.stdin as job:
            pickle.dump((kind.name, options), job)
        yield _FromWorker(process)
    finally:
        process.kill()  # gone already unless the import stopped early
        process.wait()
        process.stdout.close()


@dataclass(frozen=True)
class _End:
    columns: list[str]


@dataclass(frozen=True)
class _Failed:
    error: BaseException
    trace: str


class _FromWorker:
    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self.columns: list[str] = []

    def __iter__(self) -> Iterator[PreparedBatch]:
        assert self._process.stdout
        while True:
            try:
                message = pickle.load(self._process.stdout)
            except (EOFError, pickle.UnpicklingError):  # no message, or part of one
                raise ImportWorkerFailed(
                    "the process preparing the file stopped before its end "
                    f"(exit code {self._process.wait()})"
                ) from None
            if isinstance(message, _End):
                self.columns = message.columns
                return
            if isinstance(message, _Failed):
                if not isinstance(message.error, IpfedError):
                    message.error.add_note(f"in the import worker:\n{message.trace}")
                raise message.error
            yield message


def _prepare(kind_name: str, options: FileOptions, out: IO[bytes]) -> None:
    """The worker: prepares every batch of the file and sends it on."""
    try:
        batches = PreparedFile(import_kind(kind_name), options)
        for batch in batches:
            _send(batch, out)
        _send(_End(batches.columns), out)
    except Exception as exc:
        _send(_Failed(_picklable(exc), traceback.format_exc()), out)


def _send(message: object, out: IO[bytes]) -> None:
    pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def _picklable(error: Exception) -> BaseException:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return ImportWorkerFailed(f"{type(error).__name__}: {error}")
    return error


def serve() -> None:
    """The worker process's main: the job comes on stdin, messages go to stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the importing process's to handle
    gc.disable()  # rows make no reference cycles; collecting would only rescan the batches
    messages = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not land among the messages
    kind_name, options = pickle.load(sys.stdin.buffer)
    _prepare(kind_name, options, messages)
