"""Two real node processes over loopback witness each other: each cosigns the
other's checkpoints, and a forked Shanghai history is caught by the national node."""

import time
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path

import httpx
import pytest
from processes import free_port, ipfed, make_node, running
from sqlalchemy import delete

from ipfed.ledger.identity import Role
from ipfed.ledger.keystore import AuthorityDirectory
from ipfed.ledger.note import SignedNote
from ipfed.ledger.transactions import TxType, new_transaction
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeRole, NodeSettings, Peer
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.models import LogEntry, LogNode, StateEntry, StoredCheckpoint
from ipfed.nodes.ledger.service import latest_checkpoint, record

pytestmark = pytest.mark.integration


def pair(tmp_path: Path, sync_seconds: float = 0) -> tuple[NodeSettings, NodeSettings, str]:
    """A national node and the Shanghai node, each with an API key on the other."""
    authority = AuthorityDirectory.create(tmp_path / "ca")
    port = free_port()
    national = NodeSettings(
        node_id="national",
        role="national",
        region_code="100000",
        org_name="国家知识产权局",
        data_dir=tmp_path / "national",
        http_port=port,
        ledger_sync_seconds=sync_seconds,
    )
    make_node(national, authority)
    with transaction(make_session_factory(make_engine(national.db_url))) as db:
        _, key_on_national = create_api_key(db=db, org="上海市知识产权局", role=Role.REGIONAL)
    peer = Peer(
        node_id="national",
        role=NodeRole.NATIONAL,
        region_code="100000",
        api_url=national.base_url,
        exchange_endpoint="tcp://127.0.0.1:7100",
        api_key=key_on_national,
    )
    sh = NodeSettings(
        node_id="sh",
        role="regional",
        region_code="310000",
        org_name="上海市知识产权局",
        data_dir=tmp_path / "sh",
        http_port=free_port(),
        peers=[peer],
        ledger_sync_seconds=sync_seconds,
    )
    make_node(sh, authority)
    with transaction(make_session_factory(make_engine(sh.db_url))) as db:
        _, key_on_sh = create_api_key(db=db, org="国家知识产权局", role=Role.NATIONAL)
    sh_peer = Peer(
        node_id="sh",
        role=NodeRole.REGIONAL,
        region_code="310000",
        api_url=sh.base_url,
        exchange_endpoint="tcp://127.0.0.1:7101",
        api_key=key_on_sh,
    )
    national = national.model_copy(update={"peers": [sh_peer]})
    national.save()
    bundle = authority.bundle().to_json()
    for node in (national, sh):
        (node.identity_dir / "trust-bundle.json").write_text(bundle, encoding="utf-8")
    return national, sh, key_on_national


def test_national_node_witnesses_shanghai(tmp_path: Path) -> None:
    national, sh, _ = pair(tmp_path)
    with running(national, sh):
        # The national node's own log, cosigned by Shanghai: they witness each other.
        national_identity = node_identity(national)
        filing = new_transaction(
            TxType.FILING_RECEIVED,
            {"filing_id": "F1", "sha256": sha256(b"filing").hexdigest()},
            national_identity.key,
            national_identity.certificate,
            datetime.now(UTC),
        )
        national_sessions = make_session_factory(make_engine(national.db_url))
        with transaction(national_sessions) as db:
            record(
                db=db,
                origin=national.origin,
                bundle=national_identity.bundle,
                transactions=[filing],
            )
        witnessed = ipfed("ledger", "witness", "-d", str(national.data_dir))
        assert witnessed.returncode == 0, witnessed.stderr
        with transaction(national_sessions) as db:
            national_note = latest_checkpoint(db=db)
        assert national_note is not None
        roles = [o.role for o in national_note.verify(national_identity.bundle)]
        assert roles == [Role.NATIONAL, Role.REGIONAL]

        sessions = make_session_factory(make_engine(sh.db_url))
        identity = node_identity(sh)

        def add(count: int, tag: str) -> None:
            with transaction(sessions) as db:
                record(
                    db=db,
                    origin=sh.origin,
                    bundle=identity.bundle,
                    transactions=[
                        new_transaction(
                            TxType.EVIDENCE_CAPTURED,
                            {"sha256": sha256(f"{tag}{i}".encode()).hexdigest()},
                            identity.key,
                            identity.certificate,
                            datetime.now(UTC),
                        )
                        for i in range(count)
                    ],
                )

        add(5, "a")
        first = ipfed("ledger", "witness", "-d", str(sh.data_dir))
        assert first.returncode == 0, first.stderr
        add(3, "b")
        assert ipfed("ledger", "witness", "-d", str(sh.data_dir)).returncode == 0
        with transaction(sessions) as db:
            note = latest_checkpoint(db=db)
        assert note is not None
        assert [o.role for o in SignedNote.parse(str(note)).verify(identity.bundle)] == [
            Role.REGIONAL,
            Role.NATIONAL,
        ]

        # Shanghai rewrites its history: same first entries, then another story.
        with transaction(sessions) as db:
            for table in (LogEntry, LogNode, StateEntry, StoredCheckpoint):
                db.execute(delete(table))
        add(5, "a")
        add(4, "c")
        forked = ipfed("ledger", "witness", "-d", str(sh.data_dir))
        assert forked.returncode == 2 and "split_view" in forked.stderr

        with transaction(make_session_factory(make_engine(national.db_url))) as db:
            _, own_key = create_api_key(db=db, org="国家知识产权局", role=Role.NATIONAL)
        alarms = httpx.get(  # the national office reads its node's alarms
            f"{national.base_url}/alarms", headers={"X-API-Key": own_key}
        ).json()["items"]
        assert [(a["kind"], a["origin"]) for a in alarms] == [("split_view", "ipfed/310000/sh")]


def test_running_nodes_witness_on_their_own(tmp_path: Path) -> None:
    national, sh, _ = pair(tmp_path, sync_seconds=0.5)
    identity = node_identity(sh)
    sessions = make_session_factory(make_engine(sh.db_url))
    with transaction(sessions) as db:
        record(
            db=db,
            origin=sh.origin,
            bundle=identity.bundle,
            transactions=[
                new_transaction(
                    TxType.EVIDENCE_CAPTURED,
                    {"sha256": sha256(b"e").hexdigest()},
                    identity.key,
                    identity.certificate,
                    datetime.now(UTC),
                ),
            ],
        )
    with running(national, sh):
        deadline = time.monotonic() + 30
        roles: list[Role] = []
        while time.monotonic() < deadline and Role.NATIONAL not in roles:
            time.sleep(0.5)
            with transaction(sessions) as db:
                note = latest_checkpoint(db=db)
            roles = [o.role for o in note.verify(identity.bundle)] if note else []
        assert roles == [Role.REGIONAL, Role.NATIONAL]
        time.sleep(2)  # more rounds on an unchanged log add no signatures
        with transaction(sessions) as db:
            note = latest_checkpoint(db=db)
        assert note is not None and len(note.signatures) == 2
