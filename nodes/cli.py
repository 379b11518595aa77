"""The ``ipfed`` command: each domain's commands, imported only when they run.

Every domain keeps its commands next to it (``nodes/marks/cli.py``, ...) and they share
``nodes/cli_support.py``. This module only assembles them: ``ipfed --help`` lists them
from the table below without importing any domain, so the command answers at once;
``ipfed marks issue ...`` imports the marks commands alone.
"""

import importlib
import os
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

import typer
from typer._click import Command, Context, HelpFormatter  # typer's own copy of click
from typer._click.exceptions import UsageError
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Commands:
    """A command, or a group of them, that ``ipfed`` imports when it is called."""

    target: str
    """``module:attribute``, a ``typer.Typer`` (a group) or a function (one command)."""
    summary: str
    """Its line in ``ipfed --help``: the first line of its help (a test holds them equal)."""


COMMANDS = {
    "import": Commands(
        "ipfed.nodes.imports.cli:import_command",
        "Import a CSV or JSONL file: every row is validated; by default all or nothing.",
    ),
    "demo": Commands(
        "ipfed.nodes.demo.cli:demo",
        "Start a national node and two regional nodes on loopback; Ctrl-C stops them.",
    ),
    "screen": Commands(
        "ipfed.detection.cli:screen",
        "Screen listings against rights: one output row per lead.",
    ),
    "node": Commands("ipfed.nodes.node_cli:app", "Create and run a node."),
    "db": Commands("ipfed.nodes.database.cli:app", "The node's database."),
    "ca": Commands("ipfed.nodes.ca_cli:app", "The federation's certificate authority."),
    "apikey": Commands(
        "ipfed.nodes.auth.cli:app", "API keys of the organisations that use this node."
    ),
    "users": Commands(
        "ipfed.nodes.accounts.cli:app", "People's accounts for the node's web console."
    ),
    "ledger": Commands("ipfed.nodes.ledger.cli:app", "The tamper-evident log and its proofs."),
    "exchange": Commands(
        "ipfed.nodes.exchange.cli:app",
        "Messages to and from other nodes: inbox, outbox, dead letters, links.",
    ),
    "fairs": Commands(
        "ipfed.nodes.fairs.cli:app",
        "Trade fairs: exhibitors and their marked exhibits, checked.",
    ),
    "marks": Commands("ipfed.nodes.marks.cli:app", "Electronic IP marks: issue, print, verify."),
    "filings": Commands(
        "ipfed.nodes.filings.cli:app",
        "Plans, summaries and monthly reports to the national office.",
    ),
    "evidence": Commands("ipfed.nodes.detection.cli:evidence_app", "Evidence bundles of leads."),
    "review": Commands(
        "ipfed.nodes.detection.cli:review_app", "The review queue of suspected leads."
    ),
    "detect": Commands(
        "ipfed.nodes.detection.cli:detect_app", "Detection tasks, the stream, monitoring."
    ),
    "jobs": Commands("ipfed.nodes.jobs.cli:app", "Work the node runs on its own, and what failed."),
    "privacy": Commands(
        "ipfed.nodes.privacy.cli:app",
        "Personal data: erasure on a decided request, retention, what was erased.",
    ),
}


def load_command(name: str) -> Command:
    """The click command of ``ipfed NAME``, its module imported now."""
    module, _, attribute = COMMANDS[name].target.partition(":")
    target = getattr(importlib.import_module(module), attribute)
    if isinstance(target, typer.Typer):
        command: Command = typer.main.get_group(target)
    else:
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class Ipfed(TyperGroup):
    """The root group: loads a domain's commands when they are called, and reports any
    error of ours as one line with its code (see ``cli_support.errors_reported``)."""

    listing = False

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in COMMANDS:
            return None
        if self.listing and cmd_name not in self.commands:
            # Listed in the root's help: its summary is enough, its module stays unloaded.
            return TyperCommand(name=cmd_name, help=COMMANDS[cmd_name].summary)
        if cmd_name not in self.commands:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands[cmd_name]

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            # Typer suggests among the commands loaded so far: suggest among them all.
            matches = get_close_matches(args[0], COMMANDS) if args else []
            if matches and "Did you mean" not in exc.message:
                suggestions = ", ".join(f"{m!r}" for m in matches)
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {suggestions}?"
            raise

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False

    def invoke(self, ctx: Context) -> Any:
        from ipfed.nodes.cli_support import errors_reported

        with errors_reported():
            return super().invoke(ctx)


app = typer.Typer(cls=Ipfed, no_args_is_help=True, pretty_exceptions_show_locals=False)


@app.callback()
def ipfed() -> None:
    """ipfed: federated IP-protection node."""


def main() -> None:
    os.umask(0o077)  # every file and folder a node or command creates is its owner's
    app()
