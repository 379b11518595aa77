"""Real node processes for the multi-process tests: loopback ports, node folders
with their office's identity, the ``ipfed`` command, and nodes started and stopped."""

import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from cryptography import x509

from ipfed.ledger.identity import Organisation, PrivateKey, Role
from ipfed.ledger.keystore import AuthorityDirectory, write_certificate, write_private_key
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine
from ipfed.nodes.database.migrate import upgrade

_given: set[int] = set()


def free_port() -> int:
    """A free loopback port below the kernel's ephemeral range: a port from that range
    can be taken by any outgoing connection between choosing it and a node binding it."""
    ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for port in random.sample(range(10_000, ephemeral), 100):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        if port not in _given:
            _given.add(port)
            return port
    raise RuntimeError("no free loopback port below the ephemeral range")


def ipfed(*args: str) -> subprocess.CompletedProcess[str]:
    """The ``ipfed`` command in a process of its own (wide, so tables do not wrap)."""
    return subprocess.run(
        [sys.executable, "-m", "ipfed.nodes", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )


def make_node(
    settings: NodeSettings, authority: AuthorityDirectory
) -> tuple[PrivateKey, x509.Certificate]:
    """The node's folder: its node.toml, a migrated database and its office's identity."""
    settings.identity_dir.mkdir(parents=True)
    settings.save()
    upgrade(make_engine(settings.db_url))
    organisation = Organisation(settings.org_name, Role(settings.role.value), settings.region_code)
    key, certificate = authority.issue(organisation)
    write_private_key(settings.identity_dir / "org.key", key)
    write_certificate(settings.identity_dir / "org.pem", certificate)
    return key, certificate


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def start(settings: NodeSettings) -> subprocess.Popen[bytes]:
    """``ipfed node run`` for the node, its log in node.log; returns once it answers."""
    log = settings.data_dir / "node.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "ipfed.nodes", "node", "run", "-d", str(settings.data_dir)],
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"{settings.node_id} exited:\n{log.read_text()[-3000:]}")
        try:
            return httpx.get(f"{settings.base_url}/health").status_code == 200
        except httpx.TransportError:
            return False

    wait_for(healthy, f"{settings.node_id} to start", timeout=60)  # a loaded machine is slow
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def running(*nodes: NodeSettings) -> Iterator[None]:
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for node in nodes:
            processes.append(start(node))
        yield
    finally:
        for process in processes:
            stop(process)
