"""``ipfed ca``: the federation's certificate authority, held by the national node."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipfed.ledger.identity import Role
from ipfed.nodes.cli_support import DataDir, out

if TYPE_CHECKING:
    from ipfed.ledger.identity import Algorithm
    from ipfed.ledger.keystore import AuthorityDirectory

app = typer.Typer(help="The federation's certificate authority.", no_args_is_help=True)


def authority(data_dir: Path) -> "AuthorityDirectory":
    from ipfed.ledger.keystore import AuthorityDirectory
    from ipfed.nodes.secrets import key_passphrase

    return AuthorityDirectory(data_dir / "ca", key_passphrase())


def _algorithm(name: str) -> "Algorithm":
    from ipfed.nodes.errors import ConfigurationError

    if name not in ("ecdsa-p256", "ed25519"):
        raise ConfigurationError(f"unknown key algorithm {name!r}", code="bad_algorithm")
    return name  # type: ignore[return-value]


def _node_url(url: str | None) -> str | None:
    from ipfed.nodes.errors import ConfigurationError

    if url is not None and not url.startswith(("https://", "http://")):
        raise ConfigurationError(f"{url!r} is not an http(s) URL", code="bad_node_url")
    return url


@app.command("init")
def ca_init(
    data_dir: DataDir = Path("ipfed-data"),
    algorithm: Annotated[str, typer.Option(help="ecdsa-p256 or ed25519")] = "ecdsa-p256",
) -> None:
    """Create the federation root CA (held by the national node)."""
    from ipfed.ledger.keystore import AuthorityDirectory
    from ipfed.nodes.secrets import key_passphrase, owner_only

    with owner_only():
        ca = AuthorityDirectory.create(data_dir / "ca", _algorithm(algorithm), key_passphrase())
    out.print(f"federation root CA created in {ca.path}")


@app.command("issue")
def ca_issue(
    org: Annotated[str, typer.Option(help="the organisation's name")],
    role: Annotated[Role, typer.Option()],
    region: Annotated[str, typer.Option(help="GB/T 2260 region code")],
    out_dir: Annotated[Path, typer.Option("--out", help="where its key and certificate go")],
    data_dir: DataDir = Path("ipfed-data"),
    algorithm: Annotated[str, typer.Option(help="ecdsa-p256 or ed25519")] = "ecdsa-p256",
    url: Annotated[
        str | None,
        typer.Option(help="the organisation's node URL, where platforms fetch its status lists"),
    ] = None,
) -> None:
    """Issue a key pair and certificate that carry the organisation's role and region
    (and its node's public URL, the only place its mark status is fetched from)."""
    from ipfed.ledger.identity import Organisation
    from ipfed.ledger.keystore import write_certificate, write_private_key
    from ipfed.nodes.secrets import key_passphrase, owner_only
    from ipfed.registry.identifiers import parse_region_code

    region = parse_region_code(region)  # an invalid code is reported with its own
    key, certificate = authority(data_dir).issue(
        Organisation(org, Role(role), region), _algorithm(algorithm), node_url=_node_url(url)
    )
    with owner_only():
        out_dir.mkdir(parents=True, exist_ok=True)
        write_private_key(out_dir / "org.key", key, key_passphrase())
        write_certificate(out_dir / "org.pem", certificate)
    out.print(f"issued {certificate.serial_number:x} to {org} ({role}, {region}) in {out_dir}")


@app.command("revoke")
def ca_revoke(serial: str, data_dir: DataDir = Path("ipfed-data")) -> None:
    """Revoke a certificate by its serial number (hex)."""
    from ipfed.nodes.errors import ConfigurationError

    try:
        number = int(serial, 16)
    except ValueError:
        raise ConfigurationError(
            f"{serial!r} is not a hex serial number", code="bad_serial"
        ) from None
    authority(data_dir).revoke(number)
    out.print(f"revoked {number:x}; publish a new trust bundle")


@app.command("bundle")
def ca_bundle(
    out_file: Annotated[Path, typer.Option("--out", help="the trust-bundle file to write")],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Write the trust bundle platforms load: root, certificates and revocations."""
    bundle = authority(data_dir).bundle()
    out_file.write_text(bundle.to_json(), encoding="utf-8")
    out.print(f"trust bundle with {len(bundle.by_key_id)} certificates written to {out_file}")
