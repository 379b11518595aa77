import pytest
from personal_data import World, build_world
from sqlalchemy.orm import Session

from ipfed.nodes.config import NodeSettings


@pytest.fixture
def world(db: Session, office: NodeSettings, sample_data: None) -> World:
    return build_world(db, office)
