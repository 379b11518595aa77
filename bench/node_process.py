"""A node process for the benches that measure one from outside: started, and
returned once it answers."""

import subprocess
import sys
import time

import httpx

from ipfed.nodes.config import NodeSettings


def start(settings: NodeSettings) -> subprocess.Popen[bytes]:
    """``ipfed node run`` for the node, its log in node.log."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ipfed.nodes", "node", "run", "-d", str(settings.data_dir)],
        stdout=subprocess.DEVNULL,
        stderr=(settings.data_dir / "node.log").open("wb"),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{settings.base_url}/health").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{settings.node_id} did not start; see {settings.data_dir / 'node.log'}")
