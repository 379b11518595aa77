"""The API docs work offline: every script, style and icon comes from the node."""

import re

import pytest
from fastapi.testclient import TestClient

from ipfed.nodes.app import create_app
from ipfed.nodes.config import NodeSettings


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_name_no_outside_host_and_their_assets_are_served(
    settings: NodeSettings, page: str
) -> None:
    client = TestClient(create_app(settings))
    response = client.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "://" not in response.text  # no CDN, no outside host of any kind
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert len(assets) >= 2, assets  # the script, and the icon or the styles
    for asset in assets:
        assert asset.startswith("/"), asset
        served = client.get(asset)
        assert served.status_code == 200 and len(served.content) > 1000, asset
    if page == "/docs":
        assert '"validatorUrl": null' in response.text  # the badge would call swagger.io
    assert client.get("/openapi.json").status_code == 200


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_may_load_no_image_from_another_host(settings: NodeSettings, page: str) -> None:
    """ReDoc's sidebar asks a CDN for its logo: the page's policy forbids it."""
    policy = TestClient(create_app(settings)).get(page).headers["content-security-policy"]
    assert "img-src 'self' data:" in policy
