"""``ipfed demo``: a national node and two regional nodes on loopback."""

from pathlib import Path
from typing import Annotated

import typer

from ipfed.nodes.cli_support import out


def demo(
    data_dir: Annotated[Path, typer.Option("--data-dir", "-d")] = Path("ipfed-demo"),
    base_port: Annotated[
        int, typer.Option(help="HTTP ports base to base+2; exchange ports base+100 to base+102")
    ] = 8700,
    datasets: Annotated[
        Path | None, typer.Option(help="development data (default: ../shared/datasets if present)")
    ] = None,
) -> None:
    """Start a national node and two regional nodes on loopback; Ctrl-C stops them."""
    from ipfed.nodes.demo.federation import run_demo

    run_demo(data_dir=data_dir, base_port=base_port, datasets=datasets, console=out)
