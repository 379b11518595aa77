"""Trade-fair figures on this machine, printed, with a JSON object of them last.

On a SQLite node holding a register of generated trademarks in one Nice class:

- the pre-exhibition check of exhibits showing this office's unit codes (each verified,
  recorded as an EPCIS ``inspecting`` event on the ledger, looked at for clones);
- of exhibits showing another office's marks (verified against cached status lists);
- of unmarked exhibits, their names screened against the whole class; and the screen
  alone: the class's index built once, then names screened per second;
- post-exhibition tracking: online listings searched per second for the flagged exhibits.

    python bench/fairs_bench.py [--trademarks 100000] [--exhibits 500] [--listings 100000]
"""

import argparse
import json
import random
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ipfed.ledger.identity import CertificateAuthority, Organisation, Role, generate_key
from ipfed.ledger.keystore import write_certificate, write_private_key
from ipfed.ledger.trust import TrustBundle, key_id
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, new_ids, transaction
from ipfed.nodes.database.migrate import upgrade
from ipfed.nodes.detection.current import keep_screener
from ipfed.nodes.fairs import service, tracking
from ipfed.nodes.fairs.models import Fair
from ipfed.nodes.fairs.schemas import FairIn
from ipfed.nodes.fairs.screening import trademark_screen
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.marks.issuing import issue_mark, issue_units
from ipfed.nodes.marks.lookup import mark_url
from ipfed.nodes.marks.schemas import MarkIn
from ipfed.nodes.rights.models import Trademark
from ipfed.registry.credential import Claims, RightType, issue_token
from ipfed.registry.status_list import StatusPurpose, capacity, sign_status_list
from ipfed.sdk import Verifier

NICE = 30
HOLDER = ("上海冠生园食品有限公司", "91310000132200821H")
SELLER = ("义乌市副食批发商行", "92330782MA29C7TB03")
# Brand names of 2 to 4 of 1,000 Chinese characters, some with a Latin word.
HAN = [chr(c) for c in random.Random(1).sample(range(0x4E00, 0x9FA6), 1000)]


def brand(rng: random.Random) -> str:
    name = "".join(rng.choices(HAN, k=rng.randint(2, 4)))
    if rng.random() < 0.3:
        name += " " + "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=rng.randint(4, 8)))
    return name


def node(folder: Path) -> tuple[NodeSettings, Any, Any]:
    """A Shanghai node with its identity, in a federation with Zhejiang."""
    settings = NodeSettings(
        node_id="sh",
        role="regional",
        region_code="310000",
        org_name="上海市知识产权局",
        data_dir=folder,
        public_url="https://310000.ipfed.cn",
    )
    authority = CertificateAuthority.create()
    offices = []
    for name, region in (("上海市知识产权局", "310000"), ("浙江省知识产权局", "330000")):
        key = generate_key()
        offices.append(
            (key, authority.issue(Organisation(name, Role.REGIONAL, region), key.public_key()))
        )
    (sh_key, sh_cert), zhejiang = offices
    settings.identity_dir.mkdir()
    write_private_key(settings.identity_dir / "org.key", sh_key)
    write_certificate(settings.identity_dir / "org.pem", sh_cert)
    bundle = TrustBundle(authority.certificate, [sh_cert, zhejiang[1]])
    (settings.identity_dir / "trust-bundle.json").write_text(bundle.to_json(), encoding="utf-8")
    return settings, bundle, zhejiang


def register(
    db: Session,
    settings: NodeSettings,
    exhibits: list[dict[str, Any]],
    who: tuple[str, str],
    starts: date,
) -> float:
    """Register a fair of one exhibitor showing ``exhibits``: exhibits checked per second."""
    request = FairIn.model_validate(
        {
            "name": "bench fair",
            "venue": "国家会展中心",
            "region_code": "310000",
            "category": "食品",
            "starts_on": starts,
            "ends_on": starts + timedelta(days=2),
            "exhibitors": [{"name": who[0], "uscc": who[1], "booth": "A-1", "exhibits": exhibits}],
        }
    )
    began = time.perf_counter()
    service.register_fair(
        db=db,
        settings=settings,
        request=request,
        organizer="某展览公司",
        today=starts - timedelta(days=1),
    )
    db.flush()
    return len(exhibits) / (time.perf_counter() - began)


def trademarks(names: list[str], expiry: date) -> list[dict[str, Any]]:
    return [
        {
            "id": right_id,
            "kind": "trademark",
            "number": str(10_000_000 + n),
            "name": name,
            "holder": f"公司{n}",
            "status": "granted",
            "nice_class_mask": 1 << NICE,
            "expiry_date": expiry,
        }
        for n, (right_id, name) in enumerate(zip(new_ids(len(names)), names, strict=True))
    ]


def listings(rng: random.Random, count: int, now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "id": listing_id,
            "channel": "online",
            "source": "taobao",
            "title": f"{brand(rng)} 奶糖 500g",
            "seller": f"店铺{n % 5000}",
            "nice_class": NICE,
            "captured_at": now,
            "currency": "CNY",
            "image_urls": [],
        }
        for n, listing_id in enumerate(new_ids(count))
    ]


def other_office_marks(
    bundle: TrustBundle, zhejiang: tuple[Any, Any], settings: NodeSettings, count: int
) -> list[str]:
    """Zhejiang's marks for the seller, and its status lists in the node's cache."""
    key, certificate = zhejiang
    issuer = key_id(certificate)
    verifier = Verifier(bundle, cache_dir=settings.status_lists_dir)
    now = datetime.now(UTC)
    for purpose in StatusPurpose:
        document = sign_status_list(
            purpose=purpose,
            indexes=[],
            size=capacity(1),
            issuer=issuer,
            key=key,
            valid_from=now,
            valid_until=now + timedelta(hours=1),
        )
        verifier.load_status(document)
    today = now.date()
    claims = Claims(
        mark_id="",
        right_type=RightType.TRADEMARK,
        right_number="6729010",
        holder=SELLER[1],
        valid_from=today,
        valid_until=today + timedelta(days=300),
        status_index=0,
        nice_classes=frozenset({NICE}),
    )
    return [
        issue_token(replace(claims, mark_id=mark_id, status_index=n), key, issuer)
        for n, mark_id in enumerate(new_ids(count))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trademarks", type=int, default=100_000)
    parser.add_argument("--exhibits", type=int, default=500)
    parser.add_argument("--listings", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(7)
    today = datetime.now(UTC).date()
    with tempfile.TemporaryDirectory() as tmp:
        settings, bundle, zhejiang = node(Path(tmp))
        engine = make_engine(settings.db_url)
        upgrade(engine)
        sessions = make_session_factory(engine)
        keep_screener(sessions)  # as a running node keeps it between registrations
        names = [brand(rng) for _ in range(args.trademarks)] + ["大白兔"]
        with transaction(sessions) as db:
            db.execute(insert(Trademark), trademarks(names, today + timedelta(days=3650)))
        with transaction(sessions) as db:
            right = db.scalars(select(Trademark).where(Trademark.name == "大白兔")).one()
            request = MarkIn(right_id=right.id, holder_uscc=HOLDER[1])
            mark = issue_mark(db=db, settings=settings, request=request, today=today)
            _, units = issue_units(
                db=db,
                settings=settings,
                mark=mark,
                batch_number="B1",
                quantity=args.exhibits,
                by=HOLDER[0],
            )
            own = [
                {
                    "name": f"大白兔奶糖 {n}",
                    "nice_class": NICE,
                    "mark": mark_url(settings=settings, token=u.token),
                }
                for n, u in enumerate(units)
            ]
        foreign = [
            {"name": f"茶饮 {n}", "nice_class": NICE, "mark": token}
            for n, token in enumerate(other_office_marks(bundle, zhejiang, settings, args.exhibits))
        ]
        # Unmarked exhibits, every tenth named after a registered trademark.
        unmarked: list[dict[str, Any]] = [
            {"name": f"{rng.choice(names) if n % 10 == 0 else brand(rng)}·礼盒", "nice_class": NICE}
            for n in range(args.exhibits)
        ]
        starts, past = today + timedelta(days=30), today - timedelta(days=20)
        with transaction(sessions) as db:
            own_rate = register(db, settings, own, HOLDER, starts)
        with transaction(sessions) as db:
            foreign_rate = register(db, settings, foreign, SELLER, starts)
        with transaction(sessions) as db:
            screen_rate = register(db, settings, unmarked, SELLER, past)
            screen = trademark_screen(db=db, on=today)
            began = time.perf_counter()
            screen("", NICE, *SELLER)  # reads and indexes the class
            index_s = time.perf_counter() - began
            began = time.perf_counter()
            for exhibit in unmarked:
                screen(exhibit["name"], NICE, *SELLER)
            names_rate = len(unmarked) / (time.perf_counter() - began)
            fair = db.scalars(select(Fair).where(Fair.starts_on == past)).one()
            flagged = len(service.flagged_exhibits(db=db, fair_id=fair.id))
            db.execute(insert(Listing), listings(rng, args.listings, datetime.now(UTC)))
            began = time.perf_counter()
            report = tracking.track_online(db=db, fair=fair, today=today)
            tracking_rate = report.listings_searched / (time.perf_counter() - began)
            found = sum(len(t.matches) for t in report.exhibits)

    print(f"{args.trademarks:,} trademarks in class {NICE}, {args.exhibits:,} exhibits a fair")
    print(f"pre-exhibition check, this office's unit codes: {own_rate:,.0f} exhibits/s")
    print(f"pre-exhibition check, another office's marks: {foreign_rate:,.0f} exhibits/s")
    print(f"pre-exhibition check, names screened: {screen_rate:,.0f} exhibits/s, {flagged} flagged")
    print(f"the screen alone: class indexed in {index_s:.2f} s, then {names_rate:,.0f} names/s")
    print(f"tracking {flagged} flagged exhibits: {tracking_rate:,.0f} listings/s, {found:,} found")
    print(
        json.dumps(
            {
                "trademarks": args.trademarks,
                "exhibits": args.exhibits,
                "own_marks_exhibits_per_s": round(own_rate),
                "other_office_marks_exhibits_per_s": round(foreign_rate),
                "screened_exhibits_per_s": round(screen_rate),
                "screen_index_s": round(index_s, 3),
                "screened_names_per_s": round(names_rate),
                "flagged_exhibits": flagged,
                "tracking_listings_per_s": round(tracking_rate),
            }
        )
    )


if __name__ == "__main__":
    main()
