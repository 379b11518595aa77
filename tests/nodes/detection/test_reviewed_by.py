"""A lead's review names the person who decided: stored and shown in the node; the
ledger's lead record carries only their pseudonym."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.canonical import parse_canonical
from ipfed.ledger.identity import Role
from ipfed.nodes.accounts.person import Person
from ipfed.nodes.accounts.service import add_account
from ipfed.nodes.app import create_app
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.detection import service
from ipfed.nodes.detection.models import Decision, Lead, Review
from ipfed.nodes.detection.schemas import ReviewOut
from ipfed.nodes.ledger.embedded import EmbeddedLedger
from ipfed.nodes.ledger.models import LogEntry


def test_a_confirmation_names_its_person_and_the_ledger_only_their_pseudonym(
    db: Session,
    leads: dict[str, Lead],
    ledger: EmbeddedLedger,
    engine: Engine,
    sessions: sessionmaker[Session],
    settings: NodeSettings,
) -> None:
    account, _ = add_account(
        db=db, username="wu.hao", name="吴昊", org="上海市知识产权局", role=Role.REGIONAL
    )
    person = Person(account.id, account.username, account.name, account.pseudonym)
    confirmed, rejected = list(leads.values())[:2]
    service.review_lead(
        db=db, lead_id=confirmed.id, reviewer="上海市知识产权局", decision=Decision.CONFIRM,
        reason="与注册商标近似", ledger=ledger, person=person,
    )  # fmt: skip
    service.review_lead(
        db=db, lead_id=rejected.id, reviewer="上海市知识产权局", decision=Decision.REJECT,
        reason="授权经销", ledger=ledger,
    )  # fmt: skip

    reviews = {r.lead_id: r for r in db.scalars(select(Review))}
    assert reviews[confirmed.id].person_id == account.id
    assert ReviewOut.model_validate(reviews[confirmed.id]).person == "吴昊"
    assert reviews[rejected.id].person_id is None  # a machine's decision names nobody
    assert ReviewOut.model_validate(reviews[rejected.id]).person is None

    assert confirmed.ledger_position is not None
    entry = db.scalars(select(LogEntry).where(LogEntry.position == confirmed.ledger_position)).one()
    payload = parse_canonical(entry.data)["payload"]
    assert payload["lead_id"] == confirmed.id and payload["person"] == account.pseudonym
    for secret in ("吴昊".encode(), b"wu.hao", account.id.encode()):
        assert secret not in entry.data

    # Over the API, the name is for the node's own office; another office sees the decision.
    _, own = create_api_key(db=db, org=settings.org_name, role=Role.REGIONAL)
    _, other = create_api_key(db=db, org="浙江省知识产权局", role=Role.REGIONAL)
    db.commit()
    app = create_app(settings, engine)
    app.state.sessions = sessions
    with TestClient(app) as client:
        path = f"/detection/leads/{confirmed.id}/reviews"
        for key, shown in ((own, "吴昊"), (other, None)):
            (review,) = client.get(path, headers={"X-API-Key": key}).json()["items"]
            assert (review["decision"], review["person"]) == ("confirm", shown)
