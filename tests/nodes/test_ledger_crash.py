"""kill -9 during batch appends: the log left behind is whole and verifies.

A real writer process appends batches of signed transactions to a node's
SQLite database in a loop and is killed with SIGKILL at a random moment.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ipfed.ledger.identity import CertificateAuthority, Organisation, Role, generate_key
from ipfed.ledger.keystore import write_certificate, write_private_key
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.database.migrate import upgrade
from ipfed.nodes.ledger.models import LogEntry
from ipfed.nodes.ledger.service import audit

pytestmark = pytest.mark.integration
ORIGIN = "ipfed/310000/sh"

WRITER = """
import sys
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from ipfed.ledger.keystore import read_certificate, read_private_key
from ipfed.ledger.trust import TrustBundle
from ipfed.ledger.transactions import TxType, new_transaction
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.ledger.service import node_log, record

folder = Path(sys.argv[1])
key, certificate = read_private_key(folder / "org.key"), read_certificate(folder / "org.pem")
bundle = TrustBundle.from_json((folder / "bundle.json").read_text())
sessions = make_session_factory(make_engine(f"sqlite:///{folder / 'node.db'}"))
with transaction(sessions) as db:
    n = node_log(db=db, origin="ORIGIN").size  # go on where the last writer stopped
while True:
    batch = []
    for _ in range(50):
        digest = sha256(str(n).encode()).hexdigest()
        payload = {"sha256": digest}
        now = datetime.now(UTC)
        batch.append(new_transaction(TxType.EVIDENCE_CAPTURED, payload, key, certificate, now))
        n += 1
    with transaction(sessions) as db:
        record(db=db, origin="ORIGIN", bundle=bundle, transactions=batch)
    print(n, flush=True)
""".replace("ORIGIN", ORIGIN)


def test_a_killed_writer_leaves_a_log_that_verifies(tmp_path: Path) -> None:
    authority = CertificateAuthority.create()
    key = generate_key()
    certificate = authority.issue(Organisation("sh", Role.REGIONAL, "310000"), key.public_key())
    write_private_key(tmp_path / "org.key", key)
    write_certificate(tmp_path / "org.pem", certificate)
    bundle = TrustBundle(authority.certificate, [certificate])
    (tmp_path / "bundle.json").write_text(bundle.to_json())
    engine = make_engine(f"sqlite:///{tmp_path / 'node.db'}")
    upgrade(engine)

    for round in range(3):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True
        )
        assert writer.stdout is not None
        written = int(writer.stdout.readline())  # at least one batch is in
        time.sleep(0.05 + 0.1 * round)  # then kill it somewhere inside a later batch
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        with transaction(make_session_factory(engine)) as db:
            size = db.scalar(select(func.count()).select_from(LogEntry)) or 0
            assert size >= written and size % 50 == 0  # whole batches only
            assert audit(db=db, origin=ORIGIN, bundle=bundle) is None
