"""Ledger figures on this machine, printed, with a JSON object of them last.

- transactions appended per second into the node's SQLite ledger with every
  signature verified and the contract applied (target >= 5,000 tx/s);
- stored bytes per transaction (entries, subtree hashes, state);
- inclusion-proof generation from a 1,000,000-entry stored log (target <= 1 ms);
- proof verifications per second (target >= 50,000/s).

    python bench/ledger_bench.py [--transactions 20000] [--entries 1000000]
"""

import argparse
import json
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path

from ipfed.ledger.identity import CertificateAuthority, Organisation, Role, generate_key
from ipfed.ledger.log import TransparencyLog
from ipfed.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from ipfed.ledger.transactions import TxType, new_transaction
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.database.migrate import upgrade
from ipfed.nodes.ledger.service import record
from ipfed.nodes.ledger.store import SqlLogStore

ORIGIN = "ipfed/310000/sh"


def append_rate(folder: Path, count: int) -> tuple[float, float]:
    authority = CertificateAuthority.create()
    key = generate_key()
    certificate = authority.issue(Organisation("sh", Role.REGIONAL, "310000"), key.public_key())
    bundle = TrustBundle(authority.certificate, [certificate])
    now = datetime.now(UTC)
    transactions = [
        new_transaction(
            TxType.EVIDENCE_CAPTURED,
            {"sha256": sha256(str(i).encode()).hexdigest()},
            key,
            certificate,
            now,
        )
        for i in range(count)
    ]
    path = folder / "append.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    empty = path.stat().st_size
    sessions = make_session_factory(engine)
    started = time.perf_counter()
    for first in range(0, count, 1000):
        with transaction(sessions) as db:
            record(
                db=db, origin=ORIGIN, bundle=bundle, transactions=transactions[first : first + 1000]
            )
    rate = count / (time.perf_counter() - started)
    engine.dispose()
    with sqlite3.connect(path, isolation_level=None) as raw:  # fold the WAL in, compact
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.execute("VACUUM")
    return rate, (path.stat().st_size - empty) / count


def proof_times(folder: Path, entries: int, samples: int) -> tuple[float, float, float]:
    engine = make_engine(f"sqlite:///{folder / 'proofs.db'}")
    upgrade(engine)
    sessions = make_session_factory(engine)
    for first in range(0, entries, 50_000):
        with transaction(sessions) as db:
            log = TransparencyLog(SqlLogStore(db), ORIGIN)
            log.append([i.to_bytes(8, "big") for i in range(first, min(first + 50_000, entries))])
    rng = random.Random(1)
    with transaction(sessions) as db:
        log = TransparencyLog(SqlLogStore(db), ORIGIN)
        root = log.root()
        indexes = [rng.randrange(entries) for _ in range(samples)]
        started = time.perf_counter()
        proofs = [log.inclusion_proof(i, entries) for i in indexes]
        proof_ms = (time.perf_counter() - started) / samples * 1000
        olds = [rng.randrange(1, entries) for _ in range(samples // 4)]
        pairs = [(old, log.root(old), log.consistency_proof(old, entries)) for old in olds]
    started = time.perf_counter()
    for index, proof in zip(indexes, proofs, strict=True):
        verify_inclusion(index, entries, leaf_hash(index.to_bytes(8, "big")), proof, root)
    inclusion_per_s = samples / (time.perf_counter() - started)
    started = time.perf_counter()
    for old, old_root, proof in pairs:
        verify_consistency(old, entries, old_root, root, proof)
    consistency_per_s = len(pairs) / (time.perf_counter() - started)
    return proof_ms, inclusion_per_s, consistency_per_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=20_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rate, per_tx = append_rate(Path(tmp), args.transactions)
        print(f"append with signatures verified: {rate:,.0f} tx/s, {per_tx:,.0f} bytes/tx stored")
        proof_ms, inclusion, consistency = proof_times(Path(tmp), args.entries, args.samples)
    print(f"inclusion proof from a {args.entries:,}-entry stored log: {proof_ms:.3f} ms")
    print(f"verifications: {inclusion:,.0f} inclusion/s, {consistency:,.0f} consistency/s")
    print(
        json.dumps(
            {
                "append_tx_per_s": round(rate),
                "stored_bytes_per_tx": round(per_tx),
                "log_entries": args.entries,
                "inclusion_proof_ms": round(proof_ms, 3),
                "inclusion_verifications_per_s": round(inclusion),
                "consistency_verifications_per_s": round(consistency),
            }
        )
    )


if __name__ == "__main__":
    main()
