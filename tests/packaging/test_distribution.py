"""The distribution maps the top-level folders onto ipfed.* and ships everything."""

import importlib.util
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOP = ("ledger", "exchange", "registry", "nodes", "sdk")
BASE = ("ledger", "registry", "sdk")  # what `pip install ipfed` must import


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


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("ipfed-*.whl")
    return built


@pytest.mark.integration
def test_the_wheel_holds_every_package_and_data_file(wheel: Path) -> None:
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


@pytest.mark.integration
def test_the_base_install_imports_every_module_of_ledger_registry_and_sdk(
    wheel: Path, tmp_path: Path
) -> None:
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel],
        check=True,
        capture_output=True,
    )
    modules = sorted(
        f"ipfed.{path.relative_to(REPO).with_suffix('').as_posix().replace('/', '.')}".removesuffix(
            ".__init__"
        )
        for top in BASE
        for path in (REPO / top).rglob("*.py")
        if "__pycache__" not in path.parts
    )
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    imported = subprocess.run(
        [python, "-c", code, *modules], cwd=tmp_path, capture_output=True, text=True
    )
    assert imported.returncode == 0, imported.stderr
    assert "ipfed.registry.qr" in modules and "ipfed.sdk.verify" in modules
