"""The distribution maps the top-level folders onto ipfed.* and ships everything,
and each install imports what it promises: the base install the library packages,
``ipfed[detect]`` the screening engine and ``ipfed screen``."""

import importlib.util
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOP = ("ledger", "exchange", "registry", "detection", "nodes", "sdk")
BASE = ("ledger", "registry", "sdk")  # what `pip install ipfed` must import
NODE = {"sqlalchemy", "fastapi", "httpx", "pandas", "zmq", "alembic", "uvicorn"}


def modules_of(*tops: str) -> list[str]:
    return sorted(
        "ipfed." + ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for top in tops
        for path in (REPO / top).rglob("*.py")
        if "__pycache__" not in path.parts
    )


def fresh_environment(path: Path, *requirements: str) -> Path:
    """A new virtual environment with only ``requirements`` installed; its python."""
    venv.create(path, with_pip=True)
    python = path / "bin" / "python"
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *requirements], check=True, capture_output=True)
    return python


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


def test_the_detection_engine_imports_without_the_node() -> None:
    code = (
        "import sys, importlib\n"
        f"for name in {modules_of('detection')!r}: importlib.import_module(name)\n"
        f"loaded = {NODE!r} & {{m.split('.')[0] for m in sys.modules}}\n"
        "loaded |= {m for m in sys.modules if m.startswith('ipfed.nodes')}\n"
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
    assert "ipfed/detection/data/glyphs.tsv.gz" in names
    assert not any(n.startswith(("ledger/", "nodes/", "tests/", "bench/")) for n in names)


@pytest.mark.integration
def test_the_base_install_imports_every_module_of_ledger_registry_and_sdk(
    wheel: Path, tmp_path: Path
) -> None:
    python = fresh_environment(tmp_path / "venv", str(wheel))
    modules = modules_of(*BASE)
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    imported = subprocess.run(
        [python, "-c", code, *modules], cwd=tmp_path, capture_output=True, text=True
    )
    assert imported.returncode == 0, imported.stderr
    assert "ipfed.registry.qr" in modules and "ipfed.sdk.verify" in modules


@pytest.mark.integration
def test_ipfed_screen_runs_with_only_the_detect_extra(wheel: Path, tmp_path: Path) -> None:
    """A fresh environment with ``ipfed[detect]`` (and no node dependency) screens."""
    python = fresh_environment(tmp_path / "venv", f"{wheel}[detect]")
    rights = tmp_path / "rights"
    rights.mkdir()
    (rights / "marks.csv").write_text(
        "mark_id,name,nice_classes,holder\nT1,大白兔,30,上海冠生园食品有限公司\n", encoding="utf-8"
    )
    listings = tmp_path / "listings.csv"
    listings.write_text(
        "listing_id,title,nice_class,seller\nL1,大白兎 奶糖,30,某商行\nL2,桂花糕,30,某商行\n",
        encoding="utf-8",
    )
    out = tmp_path / "leads.csv"
    command = ["screen", "--rights", str(rights), "--listings", str(listings), "--out", str(out)]
    subprocess.run([python.parent / "ipfed", *command], check=True, cwd=tmp_path)
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("L1,trademark,T1,")
    installed = subprocess.run(
        [python, "-m", "pip", "list", "--format=freeze"], check=True, capture_output=True, text=True
    ).stdout.lower()
    assert not any(f"{name}==" in installed for name in NODE)
