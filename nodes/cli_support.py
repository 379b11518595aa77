"""What the ``ipfed`` commands share: the data-dir option, the node's settings and
database, output, progress bars and error reporting.

Imported by every domain's commands, so it imports only typer, rich and the standard
library at the top; settings and SQLAlchemy are loaded by the functions that need them.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Protocol

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ipfed.ledger.errors import CodedError

if TYPE_CHECKING:
    from rich.progress import Progress
    from sqlalchemy.orm import Session, sessionmaker

    from ipfed.nodes.config import NodeSettings

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DataDir = Annotated[
    Path,
    typer.Option("--data-dir", "-d", envvar="IPFED_DATA_DIR", help="the node's directory"),
]


@contextmanager
def errors_reported() -> Iterator[None]:
    """Print any error of ours, or a validation error, as one clear line instead of a
    traceback, and exit with status 2. The ``ipfed`` command runs every command in it."""
    from pydantic import ValidationError

    try:
        yield
    except CodedError as exc:
        err.print(f"[red]error[/red] {escape(f'[{exc.code}]')} {escape(exc.message)}")
        raise typer.Exit(2) from None
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            where = ".".join(str(p) for p in error["loc"])
            message = escape(f"[invalid_input] {where}: {error['msg']}")
            err.print(f"[red]error[/red] {message}")
        raise typer.Exit(2) from None


def load(data_dir: Path) -> "NodeSettings":
    """The settings of the node in ``data_dir``."""
    from ipfed.nodes.config import CONFIG_FILE, NodeSettings
    from ipfed.nodes.errors import ConfigurationError

    if not (data_dir / CONFIG_FILE).exists():
        raise ConfigurationError(
            f"no {CONFIG_FILE} in {data_dir}: run `ipfed node init` first", code="no_node"
        )
    return NodeSettings.load(data_dir)


def node_sessions(settings: "NodeSettings") -> "sessionmaker[Session]":
    from ipfed.nodes.database.core import make_engine, make_session_factory

    return make_session_factory(make_engine(settings.db_url))


@contextmanager
def node_db(settings: "NodeSettings") -> Iterator["Session"]:
    """A transaction on the node's database, committed when the command succeeds."""
    from ipfed.nodes.database.core import transaction

    with transaction(node_sessions(settings)) as db:
        yield db


def progress_bar(*, in_bytes: bool = False, time_left: bool = True) -> "Progress":
    """A transient bar on stderr: items (or bytes) done of the total, and the time left."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TimeRemainingColumn,
    )

    columns: list[str | ProgressColumn] = [
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn() if in_bytes else MofNCompleteColumn(),
    ]
    if time_left:
        columns.append(TimeRemainingColumn())
    return Progress(*columns, console=err, transient=True)


class RefusedRow(Protocol):
    """A row of an input file that was refused (an import's, a fair's)."""

    @property
    def line(self) -> int: ...
    @property
    def field(self) -> str | None: ...
    @property
    def code(self) -> str: ...
    @property
    def reason(self) -> str: ...


def show_rejections(rejections: Iterable[RefusedRow]) -> None:
    """The rows of an input file refused, with where and why."""
    table = Table("line", "field", "code", "reason", title="rejected rows")
    for r in rejections:
        table.add_row(str(r.line), r.field or "", r.code, r.reason)
    err.print(table)
