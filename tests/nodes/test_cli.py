"""The ipfed command, run in-process. The CLI is a thin layer over the services
(tested on both backends), so these tests use each node's default SQLite file."""

import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ipfed.nodes.cli import COMMANDS, app, load_command
from ipfed.nodes.cli_support import errors_reported
from ipfed.nodes.database.migrate import head_revision
from ipfed.registry.credential import parse_token

SAMPLE = Path(__file__).resolve().parents[2] / "nodes" / "demo" / "sample"
runner = CliRunner()


def ipfed(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.fixture
def node(tmp_path: Path) -> Path:
    code, output = ipfed(
        "node",
        "init",
        "-d",
        tmp_path,
        "--node-id",
        "zj",
        "--role",
        "regional",
        "--region",
        "330000",
        "--org-name",
        "浙江省知识产权局",
    )
    assert code == 0, output
    assert "API key for 浙江省知识产权局: ipf_" in output
    return tmp_path


def test_init_writes_the_settings_and_refuses_to_overwrite(node: Path) -> None:
    assert 'region_code = "330000"' in (node / "node.toml").read_text(encoding="utf-8")
    assert (node / "node.db").exists()
    code, output = ipfed("node", "init", "-d", node)
    assert code == 2 and "[node_exists]" in output


def test_init_refuses_an_invalid_region(tmp_path: Path) -> None:
    code, output = ipfed(
        "node", "init", "-d", tmp_path, "--node-id", "x", "--role", "regional", "--region", "339999"
    )
    assert code == 2 and "GB/T 2260" in output
    assert not (tmp_path / "node.toml").exists()


def test_commands_need_an_initialised_node(tmp_path: Path) -> None:
    code, output = ipfed("db", "upgrade", "-d", tmp_path)
    assert code == 2 and "[no_node]" in output and "ipfed node init" in output


def test_db_upgrade_on_a_current_schema(node: Path) -> None:
    code, output = ipfed("db", "upgrade", "-d", node)
    head = head_revision()
    assert code == 0 and f"{head} -> {head}" in output


def test_import_reports_and_exit_codes(node: Path, tmp_path: Path) -> None:
    code, output = ipfed("import", "trademarks", SAMPLE / "trademarks.csv", "-d", node)
    assert code == 0 and "imported 6 of 6 trademarks rows" in output

    broken = tmp_path / "broken.csv"
    broken.write_text("number,name,nice_classes,holder\n9000001,某,99,某公司\n", encoding="utf-8")
    code, output = ipfed("import", "marks", broken, "-d", node)
    assert code == 1
    assert "invalid_nice_class" in output and "nothing imported" in output

    code, output = ipfed("import", "pets", broken, "-d", node)
    assert code == 2 and "[unknown_import_kind]" in output


def test_api_keys(node: Path) -> None:
    code, output = ipfed(
        "apikey", "create", "--org", "某电商平台", "--role", "platform", "-d", node
    )
    assert code == 0
    prefix = output.split("ipf_")[1][:8]
    code, output = ipfed("apikey", "revoke", f"ipf_{prefix}", "-d", node)
    assert code == 0 and "某电商平台" in output
    code, output = ipfed("apikey", "list", "-d", node)
    assert "platform" in output and "浙江省知识产权局" in output
    code, output = ipfed("apikey", "create", "--org", "x", "--role", "emperor", "-d", node)
    assert code == 2


def test_marks_from_the_command_line(node: Path, tmp_path: Path) -> None:
    ca = tmp_path / "national"
    identity = node / "identity"
    assert ipfed("ca", "init", "-d", ca)[0] == 0
    org = ("--org", "浙江省知识产权局", "--role", "regional", "--region", "330000")
    code, output = ipfed("ca", "issue", *org, "--out", identity, "-d", ca, "--url", "ftp://x")
    assert code == 2 and "[bad_node_url]" in output
    node_url = "http://127.0.0.1:9"  # the certified node: nothing listens there
    assert ipfed("ca", "issue", *org, "--out", identity, "-d", ca, "--url", node_url)[0] == 0
    assert ipfed("ca", "bundle", "--out", identity / "trust-bundle.json", "-d", ca)[0] == 0
    assert ipfed("import", "trademarks", SAMPLE / "trademarks.csv", "-d", node)[0] == 0
    issue = ("marks", "issue", "4410392", "-d", node, "--holder-uscc", "91310115MA1FL3QX0F")
    code, output = ipfed(*issue, "--classes", "9")
    assert code == 2 and "[out_of_scope]" in output
    code, output = ipfed(*issue, "--classes", "25", "--qr", tmp_path / "mark.svg")
    assert code == 0, output
    mark_id = output.split()[1]
    url = next(line for line in output.splitlines() if line.startswith("http"))
    assert (tmp_path / "mark.svg").read_bytes().startswith(b"<?xml")
    code, output = ipfed("marks", "status", mark_id, "suspended", "--reason", "抽查", "-d", node)
    assert code == 0 and "suspended" in output
    code, output = ipfed("marks", "status", mark_id, "cancelled", "--reason", "x", "-d", node)
    assert code == 2 and "[invalid_input] status" in output
    code, output = ipfed(
        "marks",
        "units",
        mark_id,
        "--batch",
        "B1",
        "--quantity",
        "5",
        "--out",
        tmp_path / "u.csv",
        "-d",
        node,
    )
    assert code == 2 and "[mark_not_active]" in output  # a suspended mark gets no new units
    bundle = identity / "trust-bundle.json"
    code, output = ipfed("marks", "verify", url, "--bundle", bundle, "--cache", tmp_path / "c")
    assert code == 1 and "[status_unavailable]" in output  # offline with no status list
    code, output = ipfed("marks", "verify", url, "--bundle", bundle, "--online")
    assert code == 1 and f"cannot fetch {node_url}/status-lists/" in output  # not the QR's host
    code, output = ipfed("marks", "verify", url[:-4] + "AAAA", "--bundle", bundle)
    assert code == 1 and "[bad_signature]" in output


def test_an_error_of_another_layer_is_one_line_with_its_code(tmp_path: Path) -> None:
    """A registry error escaping a command (here an invalid region code) is reported
    like the node's own: its code and message, no traceback, exit status 2."""
    out = tmp_path / "org"
    result = runner.invoke(
        app, ["ca", "issue", "--org", "x", "--role", "regional", "--region", "31", "--out", out]
    )
    assert result.exit_code == 2, result.output
    assert "[invalid_region_code] '31' is not a six-digit GB/T 2260 division code" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_errors_reported_prints_any_coded_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as stopped, errors_reported():
        parse_token("not a token")
    assert stopped.value.exit_code == 2
    assert "error [malformed_token] not an ipfed mark token" in capsys.readouterr().err


def test_help_lists_every_command_without_importing_one() -> None:
    """``ipfed --help`` comes from the root's table; each line is its command's own help."""
    code = (
        "import sys; from ipfed.nodes.cli import main; sys.argv = ['ipfed', '--help']\n"
        "try: main()\nexcept SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('ipfed.nodes.', 'sqlalchemy',"
        " 'fastapi', 'pandas', 'numpy', 'pydantic_settings'))))"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Screen listings against rights" in ran.stdout
    loaded = ran.stdout.strip().splitlines()[-1]
    assert loaded == "['ipfed.nodes.cli']", loaded
    for name, commands in COMMANDS.items():
        command = load_command(name)
        assert (command.help or "").split("\n\n")[0].strip() == commands.summary, name


def test_a_mistyped_command_gets_a_suggestion() -> None:
    code, output = ipfed("mark")
    assert code == 2 and "Did you mean 'marks'?" in output


def test_jobs_lists_dead_letters_and_queues_them_again(node: Path) -> None:
    from ipfed.nodes.cli_support import load, node_db
    from ipfed.nodes.jobs import service
    from ipfed.nodes.jobs.models import Job, JobState

    with node_db(load(node)) as db:
        job = service.enqueue(db=db, kind="detection.task", payload={"task_id": "T"})
        job.state, job.attempts, job.last_error = JobState.DEAD, 3, "JobFailed: no task T"
    code, output = ipfed("jobs", "list", "--state", "dead", "-d", node)
    assert code == 0 and job.id in output and "dead" in output, output
    code, output = ipfed("jobs", "retry", job.id, "-d", node)
    assert code == 0 and "queued again" in output, output
    with node_db(load(node)) as db:
        assert db.get_one(Job, job.id).state is JobState.QUEUED
    code, output = ipfed("jobs", "retry", job.id, "-d", node)
    assert code != 0 and "job_not_ended" in output, output
