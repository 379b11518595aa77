"""A running node takes a new trust bundle without a restart: once the federation
revokes Zhejiang's office and the new bundle is in Shanghai's identity folder,
Shanghai's node refuses Zhejiang's next envelope. A bundle caught half written
on the way changes nothing."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from processes import ipfed
from sqlalchemy import select
from ulid import ULID

from ipfed.exchange.envelope import seal
from ipfed.exchange.messages import Lead, LeadKind, LeadPush
from ipfed.ledger.identity import Organisation, Role
from ipfed.nodes.database.core import transaction
from ipfed.nodes.exchange.models import InboxEnvelope, InboxState
from ipfed.nodes.exchange.service import Outgoing, queue

pytestmark = pytest.mark.integration

ZJ = Organisation("浙江省知识产权局", Role.REGIONAL, "330000")
SH_ENFORCEMENT = Organisation("上海市市场监督管理局", Role.ENFORCEMENT, "310000")


def lead() -> LeadPush:
    return LeadPush(
        lead=Lead(
            lead_id=str(ULID()),
            kind=LeadKind.TRADEMARK,
            right_id="4410392",
            score=Decimal("0.9"),
            reasons=["回カ imitates 回力"],
            seller="上海黄浦鞋业贸易有限公司",
            jurisdiction="310104",
            evidence_sha256="9f" * 32,
        )
    )


def test_a_running_node_refuses_a_newly_revoked_sender_after_the_bundle_is_replaced(
    federation_of: Any, tmp_path: Path
) -> None:
    fed = federation_of("sh", "zj")
    zj, sh = fed.nodes["zj"], fed.nodes["sh"]
    key, certificate = fed.keys[ZJ.name]

    def sent_from_zhejiang() -> str:
        now = datetime.now(UTC)
        envelope = seal(
            lead(),
            recipients=[SH_ENFORCEMENT],
            key=key,
            certificate=certificate,
            sender=ZJ,
            now=now,
        )
        with transaction(zj.sessions) as db:
            queue(db=db, outgoing=[Outgoing(envelope, "lead", ("sh",))], now=now)
        return envelope.id

    def outcome(envelope_id: str) -> tuple[InboxState, str | None]:
        def received() -> bool:
            with transaction(sh.sessions) as db:
                found = db.scalar(
                    select(InboxEnvelope.id).where(InboxEnvelope.envelope_id == envelope_id)
                )
            return found is not None

        fed.wait_for(received, f"envelope {envelope_id} in Shanghai's inbox")
        with transaction(sh.sessions) as db:
            row = db.execute(
                select(InboxEnvelope.state, InboxEnvelope.code).where(
                    InboxEnvelope.envelope_id == envelope_id
                )
            ).one()
        return row.state, row.code

    fed.start()
    assert outcome(sent_from_zhejiang()) == (InboxState.ACCEPTED, None)

    revoked = ipfed("ca", "revoke", f"{certificate.serial_number:x}", "-d", str(tmp_path))
    assert revoked.returncode == 0, revoked.stderr
    new_bundle = tmp_path / "trust-bundle.json"
    written = ipfed("ca", "bundle", "--out", str(new_bundle), "-d", str(tmp_path))
    assert written.returncode == 0, written.stderr
    text = new_bundle.read_text(encoding="utf-8")
    in_use = sh.settings.identity_dir / "trust-bundle.json"

    in_use.write_text(text[: len(text) // 2], encoding="utf-8")  # caught half written
    assert outcome(sent_from_zhejiang()) == (InboxState.ACCEPTED, None)

    in_use.write_text(text, encoding="utf-8")
    assert outcome(sent_from_zhejiang()) == (InboxState.REFUSED, "revoked_sender")
    assert sh.process is not None and sh.process.poll() is None  # no restart
    log = (sh.settings.data_dir / "node.log").read_text(encoding="utf-8")
    assert "the new trust bundle is not used" in log
