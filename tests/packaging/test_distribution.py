"""The distribution maps the top-level folders onto ipfed.* and ships everything."""

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOP = ("ledger", "exchange", "registry", "nodes", "sdk")


@pytest.mark.parametrize("name", TOP)
def test_bare_folder_names_are_not_importable(name: str) -> None:
    # If they were, ipfed.x and x would load twice and SQLAlchemy would see
    # every table twice.
    assert importlib.util.find_spec(name) is None
    assert importlib.util.find_spec(f"ipfed.{name}") is not None


def test_the_sdk_imports_without_node_dependencies() -> None:
    code = (
        "import sys, ipfed.sdk, ipfed.registry.identifiers\n"
        "heavy = {'sqlalchemy', 'fastapi', 'pandas', 'zmq', 'alembic', 'uvicorn'}\n"
        "loaded = heavy & {m.split('.')[0] for m in sys.modules}\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd="/")


@pytest.mark.integration
def test_the_wheel_holds_every_package_and_data_file(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("ipfed-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"ipfed/{init.relative_to(REPO).as_posix()}"
        for top in TOP
        for init in (REPO / top).rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert expected and expected <= names, expected - names
    assert {f"ipfed/{top}/py.typed" for top in TOP} <= names
    assert "ipfed/nodes/database/migrations/versions/0001_basic_databases.py" in names
    assert "ipfed/nodes/database/migrations/script.py.mako" in names
    assert "ipfed/nodes/demo/sample/trademarks.csv" in names
    assert not any(n.startswith(("ledger/", "nodes/", "tests/", "bench/")) for n in names)
