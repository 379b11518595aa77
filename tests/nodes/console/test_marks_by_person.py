"""A person signed in to the console issues and suspends a mark through the API with
their session: each event names them, and the ledger carries their pseudonym only."""

from collections.abc import Iterator

import pytest
from console import Clock, app_client, csrf_of, sign_in
from fastapi.testclient import TestClient
from rights import warrior
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.identity import Role
from ipfed.nodes.accounts.service import add_account
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.marks.models import MarkEvent

PASSWORD = "correct horse battery"


@pytest.fixture
def office_client(
    engine: Engine, sessions: sessionmaker[Session], office: NodeSettings, clock: Clock
) -> Iterator[TestClient]:
    yield from app_client(
        office.model_copy(update={"ledger_sync_seconds": 0}), engine, sessions, clock
    )


def ledger_entries(client: TestClient, key: str) -> list[dict]:
    entries, position = [], 0
    while (
        answer := client.get(f"/ledger/entries/{position}", headers={"X-API-Key": key})
    ).status_code == 200:
        entries.append(answer.json()["transaction"])
        position += 1
    return entries


def test_mark_decisions_name_the_person_and_the_ledger_their_pseudonym(
    office_client: TestClient, db: Session, office: NodeSettings
) -> None:
    client = office_client
    right = warrior()
    db.add(right)
    account, _ = add_account(
        db=db, username="he.ping", name="何平", org=office.org_name, role=Role.REGIONAL,
        password=PASSWORD,
    )  # fmt: skip
    _, key = create_api_key(db=db, org=office.org_name, role=Role.REGIONAL)
    db.commit()
    sign_in(client, "he.ping", PASSWORD)
    token = csrf_of(client.get("/console"))
    body = {"right_id": right.id, "holder_uscc": "91310115MA1FL3QX0F"}
    issued = client.post("/marks", json=body, headers={"X-CSRF-Token": token})
    assert issued.status_code == 201, issued.text
    mark_id = issued.json()["id"]
    change = {"status": "suspended", "reason": "涉嫌假冒"}
    suspended = client.post(
        f"/marks/{mark_id}/status", json=change, headers={"X-CSRF-Token": token}
    )
    assert suspended.status_code == 200, suspended.text
    by_key = client.post("/marks", json=body, headers={"X-API-Key": key})  # a machine
    assert by_key.status_code == 201

    events = db.scalars(select(MarkEvent).where(MarkEvent.mark_id == mark_id)).all()
    assert [e.person_id for e in events] == [account.id, account.id]
    machine = db.scalars(select(MarkEvent).where(MarkEvent.mark_id == by_key.json()["id"])).all()
    assert [e.person_id for e in machine] == [None]

    entries = ledger_entries(client, key)
    decisions = {
        (tx["type"], tx["payload"]["mark_id"]): tx["payload"]
        for tx in entries
        if tx["type"] in ("mark.issued", "mark.status")
    }
    assert decisions[("mark.issued", mark_id)]["person"] == account.pseudonym
    assert decisions[("mark.status", mark_id)]["person"] == account.pseudonym
    assert "person" not in decisions[("mark.issued", by_key.json()["id"])]
    text = str(entries)
    assert "何平" not in text and "he.ping" not in text and account.id not in text
