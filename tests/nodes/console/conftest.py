from collections.abc import Iterator

import pytest
from console import Clock, app_client
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ipfed.nodes.config import NodeSettings


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(
    engine: Engine, sessions: sessionmaker[Session], settings: NodeSettings, clock: Clock
) -> Iterator[TestClient]:
    """The Shanghai node's app, reached over https (its public URL is https, so its
    cookies are Secure and a client sends them back over https only)."""
    yield from app_client(settings, engine, sessions, clock)
