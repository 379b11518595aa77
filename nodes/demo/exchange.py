"""The demo's exchange flow: Zhejiang's office screens its listings with the
detection engine, confirms the lead whose seller traces to Shanghai, and its
node pushes it by itself; the lead reaches the Shanghai enforcement
authority's queue and the national record, and the authority's feedback
travels back to Zhejiang."""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from ipfed.exchange.directory import province_of
from ipfed.ledger.identity import Organisation, Role
from ipfed.ledger.keystore import AuthorityDirectory
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.errors import ConfigurationError

# The organisations that act on leads: they read their queues on their region's node.
ACTING = (
    Organisation("上海市市场监督管理局", Role.ENFORCEMENT, "310000"),
    Organisation("浙江省市场监督管理局", Role.ENFORCEMENT, "330000"),
    Organisation("中国（上海）知识产权保护中心", Role.ASSISTANCE_CENTRE, "310000"),
    Organisation("中国（浙江）知识产权保护中心", Role.ASSISTANCE_CENTRE, "330000"),
    Organisation("国家海外知识产权纠纷应对指导中心", Role.OVERSEAS_CENTRE, "100000"),
    Organisation("上海回力鞋业有限公司", Role.RIGHTS_HOLDER, "310000"),
)
WAIT_SECONDS = 60


def enrol(nodes: list[NodeSettings], ca_dir: Path) -> dict[str, str]:
    """Certificates for the acting organisations, the trust bundle that names them,
    and each one an API key on the node of its region."""
    authority = AuthorityDirectory(ca_dir)
    for organisation in ACTING:
        authority.issue(organisation)
    bundle = authority.bundle().to_json()
    keys = {}
    for settings in nodes:
        (settings.identity_dir / "trust-bundle.json").write_text(bundle, encoding="utf-8")
        sessions = make_session_factory(make_engine(settings.db_url))
        for organisation in ACTING:
            if organisation.region_code == settings.region_code:
                with transaction(sessions) as db:
                    _, keys[organisation.name] = create_api_key(
                        db=db, org=organisation.name, role=organisation.role
                    )
    return keys


# The classes of Zhejiang's key industries: knives, footwear, food.
KEY_CLASSES = [8, 25, 29, 30]


@dataclass(frozen=True)
class Found:
    lead_id: str
    listing: str  # the listing's number on its platform
    title: str
    right: str
    seller: str
    jurisdiction: str


def confirm_lead(settings: NodeSettings, office_key: str, console: Console) -> Found:
    """Screen the node's listings and confirm the lead whose seller is in another
    province; the node pushes it on its next round."""
    office = _client(settings, office_key)
    task = office.post("/detection/tasks", json={"nice_classes": KEY_CLASSES}).json()
    _wait(
        lambda: office.get(f"/detection/tasks/{task['id']}").json()["status"] in ("done", "failed"),
        "the end of the detection task",
    )
    leads = _items(office, "/detection/leads", limit="200")
    console.print(f"  zj: screening found {len(leads)} leads, each with anchored evidence")
    home = province_of(settings.region_code)
    for lead in leads:
        region = lead["region_code"]
        if region is None or province_of(region) == home:
            continue
        answer = office.post(
            f"/detection/leads/{lead['id']}/review",
            json={"decision": "confirm", "reason": "a look-alike of the mark, seller unlicensed"},
        )
        if answer.status_code != 200:
            raise ConfigurationError(f"review refused: {answer.text}", code="demo_exchange_failed")
        listing = office.get(f"/listings/{lead['listing_id']}").json()
        return Found(
            lead_id=lead["id"],
            listing=listing["external_id"] or listing["id"],
            title=listing["title"],
            right=lead["right_ref"],
            seller=listing["seller"],
            jurisdiction=region,
        )
    raise ConfigurationError("no cross-province lead in the demo listings", code="demo_no_lead")


def follow_lead(
    nodes: dict[str, NodeSettings], keys: dict[str, str], found: Found, console: Console
) -> None:
    """Watch the lead arrive, answer it as Shanghai's enforcement, and the answer return."""
    enforcement = "上海市市场监督管理局"
    console.print(
        f"  zj: lead {found.lead_id} confirmed: listing {found.listing} 「{found.title}」 "
        f"imitates trademark {found.right}; seller {found.seller} traced to {found.jurisdiction}",
        highlight=False,
    )
    sh = _client(nodes["sh"], keys[enforcement])
    national = _client(nodes["national"], keys["national"])
    zj = _client(nodes["zj"], keys["zj"])
    started = time.monotonic()
    _wait(lambda: _items(sh, "/exchange/inbox", type="lead.push"), "Shanghai's queue")
    console.print(f"  sh: in {enforcement}'s queue after {time.monotonic() - started:.1f} s")
    _wait(lambda: _items(national, "/exchange/inbox", type="lead.record"), "the national record")
    console.print(f"  national: on record after {time.monotonic() - started:.1f} s")
    answer = sh.post(
        f"/exchange/leads/{found.lead_id}/feedback",
        json={"outcome": "case_opened", "case_number": "沪市监案〔2026〕001号"},
    )
    if answer.status_code != 201:
        raise ConfigurationError(f"feedback refused: {answer.text}", code="demo_exchange_failed")
    thread = f"/exchange/threads/{found.lead_id}"
    _wait(lambda: zj.get(thread).json().get("received"), "the feedback in Zhejiang")
    console.print(
        f"  zj: feedback case_opened from {enforcement} after {time.monotonic() - started:.1f} s"
    )
    _wait(lambda: len(national.get(thread).json().get("received", [])) == 2, "the record")
    console.print("  national: the feedback is on the record too")
    console.print(
        f"  enforcement {enforcement} on sh: API key {keys[enforcement]}\n"
        f"  its queue:  curl -H 'X-API-Key: {keys[enforcement]}' "
        f"'{nodes['sh'].base_url}/exchange/inbox?type=lead.push'",
        soft_wrap=True,
        highlight=False,
    )


def _client(settings: NodeSettings, key: str) -> httpx.Client:
    return httpx.Client(base_url=settings.base_url, headers={"X-API-Key": key}, timeout=10)


def _items(client: httpx.Client, path: str, **params: str) -> list[Any]:
    answer = client.get(path, params=params)
    return list(answer.json().get("items", [])) if answer.status_code == 200 else []


def _wait(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise ConfigurationError(f"the lead did not reach {what}", code="demo_exchange_failed")
        time.sleep(0.2)
