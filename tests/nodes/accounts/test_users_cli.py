"""``ipfed users``, run in-process against a node's default SQLite file."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ipfed.nodes.accounts.service import sign_in
from ipfed.nodes.cli import app
from ipfed.nodes.cli_support import load, node_db
from ipfed.nodes.database.core import utcnow
from ipfed.nodes.errors import Unauthenticated

runner = CliRunner()


def ipfed(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.fixture
def node(tmp_path: Path) -> Path:
    code, output = ipfed(
        "node", "init", "-d", tmp_path, "--node-id", "zj", "--role", "regional",
        "--region", "330000", "--org-name", "浙江省知识产权局",
    )  # fmt: skip
    assert code == 0, output
    return tmp_path


def signs_in(node: Path, username: str, password: str) -> bool:
    settings = load(node)
    try:
        with node_db(settings) as db:
            sign_in(
                db=db, settings=settings, username=username, password=password, code=None,
                now=utcnow(),
            )  # fmt: skip
    except Unauthenticated:
        return False
    return True


def test_add_list_disable_and_reset(node: Path) -> None:
    code, output = ipfed(
        "users", "add", "zhao.lei", "--name", "赵磊", "--role", "regional", "-d", node
    )
    assert code == 0, output
    password = output.split("password ")[1].split(" ")[0]
    assert "/console" in output
    assert signs_in(node, "zhao.lei", password)

    code, output = ipfed(
        "users", "add", "inspector1", "--name", "钱敏", "--role", "fair",
        "--org", "中国国际进口博览局", "-d", node,
    )  # fmt: skip
    assert code == 0, output
    code, output = ipfed("users", "add", "zhao.lei", "--name", "x", "--role", "fair", "-d", node)
    assert code == 2 and "username_taken" in output

    code, output = ipfed("users", "list", "-d", node)
    assert "zhao.lei" in output and "inspector1" in output and "active" in output

    code, output = ipfed("users", "reset", "zhao.lei", "-d", node)
    assert code == 0
    new_password = output.split("new password ")[1].split(" ")[0]
    assert not signs_in(node, "zhao.lei", password)
    assert signs_in(node, "zhao.lei", new_password)

    assert ipfed("users", "disable", "zhao.lei", "-d", node)[0] == 0
    assert not signs_in(node, "zhao.lei", new_password)
    assert "disabled" in ipfed("users", "list", "-d", node)[1]
    code, output = ipfed("users", "disable", "nobody", "-d", node)
    assert code == 2 and "account_not_found" in output
