"""``ipfed demo`` end to end: three real node processes on loopback."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.identity import Role
from ipfed.ledger.note import SignedNote
from ipfed.ledger.trust import TrustBundle

pytestmark = pytest.mark.integration


def free_base_port() -> int:
    for base in range(21000, 29000, 10):
        try:
            for port in [*range(base, base + 3), *range(base + 100, base + 103)]:  # HTTP, exchange
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no free ports")


def test_demo_starts_three_nodes_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    base = free_base_port()
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ipfed.nodes",
            "demo",
            "-d",
            str(tmp_path / "demo"),
            "--base-port",
            str(base),
        ],
        cwd=Path(__file__).resolve().parents[2],  # so that ../shared/datasets is found
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert demo.stdout is not None
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = demo.stdout.readline()
        assert line, "".join(lines)
        lines.append(line)
        if "press Ctrl-C" in line:
            break
    output = "".join(lines)
    nodes = re.findall(
        r"^\s+(\w+)\s+(national|regional)\s+(\d{6})\s+(http://\S+)\s+API key (ipf_\S+)$",
        output,
        re.M,
    )
    try:
        assert [(n[0], n[2]) for n in nodes] == [
            ("national", "100000"),
            ("sh", "310000"),
            ("zj", "330000"),
        ], output
        people = re.findall(
            r"console (http://\S+)/console  user (\S+)  password (\S+)$", output, re.M
        )
        assert [url for url, _, _ in people] == [n[3] for n in nodes], output
        for url, username, password in people:  # each office has a person who signs in
            with httpx.Client(base_url=url) as browser:
                form = browser.get("/console/sign-in").text
                token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]  # type: ignore[index]
                signed = browser.post(
                    "/console/sign-in",
                    data={"csrf_token": token, "username": username, "password": password},
                )
                assert signed.status_code == 303 and signed.headers["location"] == "/console"
                assert "审核员" in browser.get("/console").text
        for _node_id, role, region, url, key in nodes:
            assert httpx.get(f"{url}/health").json()["region_code"] == region
            assert httpx.get(f"{url}/whoami", headers={"X-API-Key": key}).json()["role"] == role
            assert httpx.get(f"{url}/trademarks").status_code == 401
        zj_url, zj_key = nodes[2][3], nodes[2][4]
        listings = httpx.get(
            f"{zj_url}/listings", params={"limit": 500}, headers={"X-API-Key": zj_key}
        ).json()
        assert len(listings["items"]) == 75  # the built-in sample and the trademark listings
        coke = httpx.get(
            f"{zj_url}/trademarks", params={"q": "可口"}, headers={"X-API-Key": zj_key}
        ).json()
        assert [t["number"] for t in coke["items"]] == ["D01"]

        # Zhejiang anchored its listings and the national node cosigned its checkpoint.
        checkpoint = httpx.get(f"{zj_url}/ledger/checkpoint", headers={"X-API-Key": zj_key})
        bundle_file = tmp_path / "demo" / "zj" / "identity" / "trust-bundle.json"
        bundle = TrustBundle.from_json(bundle_file.read_text(encoding="utf-8"))
        signers = SignedNote.parse(checkpoint.text).verify(bundle)
        assert [s.role for s in signers] == [Role.REGIONAL, Role.NATIONAL]

        # Shanghai issued marks with QR codes; a platform verified them online, and saw
        # the suspension of one after the office made it.
        issued = int(re.search(r"sh: (\d+) electronic IP marks issued", output)[1])  # type: ignore[index]
        assert issued == 5  # two patents, two trademarks, the one indication
        assert output.count("platform verified mark") == issued, output
        assert "platform answer [suspended]" in output
        assert len(list((tmp_path / "demo" / "sh" / "marks").glob("*.png"))) == issued
        # Zhejiang's log: its listings, the evidence of each lead screening found,
        # and the record of the lead it confirmed.
        found = httpx.get(
            f"{zj_url}/detection/leads", params={"limit": 200}, headers={"X-API-Key": zj_key}
        ).json()["items"]
        assert [lead["status"] for lead in found].count("confirmed") == 1
        size = Checkpoint.parse(SignedNote.parse(checkpoint.text).text).size
        assert size == 75 + len(found) + 1

        # The lead reached Shanghai's enforcement queue and the national record,
        # and the enforcement authority's feedback came back to Zhejiang.
        [(enforcement, enforcement_key)] = re.findall(
            r"enforcement (\S+) on sh: API key (ipf_\S+)$", output, re.M
        )
        sh_url, national_url, national_key = nodes[1][3], nodes[0][3], nodes[0][4]
        queue = httpx.get(
            f"{sh_url}/exchange/inbox",
            params={"type": "lead.push"},
            headers={"X-API-Key": enforcement_key},
        ).json()["items"]
        [pushed] = queue
        lead = pushed["envelope"]["body"]["lead"]
        assert (lead["seller"], lead["jurisdiction"]) == ("上海黄浦鞋业贸易有限公司", "310104")
        assert pushed["envelope"]["recipients"] == [enforcement]
        record = httpx.get(
            f"{national_url}/exchange/threads/{lead['lead_id']}",
            headers={"X-API-Key": national_key},
        ).json()
        assert [r["type"] for r in record["received"]] == ["lead.record", "lead.feedback"]
        thread = httpx.get(
            f"{zj_url}/exchange/threads/{lead['lead_id']}", headers={"X-API-Key": zj_key}
        ).json()
        [feedback] = thread["received"]
        assert feedback["envelope"]["body"]["outcome"] == "case_opened"

        # A fair was registered at Shanghai: the marked exhibit cleared, the look-alike
        # flagged, and its organizer reads the lead.
        fair = re.search(r"sh: fair (\w+) registered .*: 2 exhibits checked, 1 flagged; "
                         r"the organizer's API key (ipf_\S+)", output)  # fmt: skip
        assert fair is not None, output
        sh_url = nodes[1][3]
        leads = httpx.get(f"{sh_url}/fairs/{fair[1]}/leads", headers={"X-API-Key": fair[2]})
        (lead,) = leads.json()["items"]
        assert lead["exhibit"]["name"] == "大·白·兔 特价装"
        assert lead["exhibit"]["flags"][0]["evidence"]["right_number"] == "1587423"

        # Both regional offices filed this month's report; the national node holds both
        # and ends the demo with its consolidated report.
        assert "sh: " in output and output.count("monthly report filed") == 2, output
        assert "2 of 31 provinces filed, 29 not yet" in output
        national_url, national_key = nodes[0][3], nodes[0][4]
        received = httpx.get(f"{national_url}/filings", headers={"X-API-Key": national_key}).json()
        assert sorted(f["region_code"] for f in received["items"]) == ["310000", "330000"]
        (page,) = (tmp_path / "demo" / "national" / "reports").glob("*.html")
        assert page.read_text(encoding="utf-8").count("<svg") == 4
    finally:
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=30)
    assert demo.returncode == 0, rest
    assert "all nodes stopped" in rest
    for _, _, _, url, _ in nodes:
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{url}/health", timeout=1)
