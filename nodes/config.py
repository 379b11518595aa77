"""Node configuration: defaults < ``node.toml`` < ``IPFED_*`` environment < explicit values."""

import logging
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ipfed.nodes.secrets import (
    SECRETS_FILE,
    peer_api_keys,
    peer_key_variable,
    secrets_toml,
    write_owner_only,
)
from ipfed.registry.identifiers import NATIONAL_REGION, RegionCode

log = logging.getLogger(__name__)

CONFIG_FILE = "node.toml"
NodeId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
HttpUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s/]+")]
ZmqEndpoint = Annotated[str, StringConstraints(pattern=r"^(tcp|ipc)://\S+$")]
# The ledger backends a node can run on today; Hyperledger Fabric is yet to come.
LEDGER_BACKENDS = ("embedded",)


class NodeRole(StrEnum):
    NATIONAL = "national"
    REGIONAL = "regional"


class Peer(BaseModel):
    """Another node of the federation this node talks to."""

    node_id: NodeId
    role: NodeRole
    region_code: RegionCode
    api_url: HttpUrl
    exchange_endpoint: ZmqEndpoint
    # This node's key on the peer's API: from secrets.toml or the environment, not node.toml.
    api_key: str | None = None


class NodeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IPFED_", extra="forbid")

    node_id: NodeId
    role: NodeRole
    region_code: RegionCode
    org_name: str = ""
    data_dir: Path = Path("ipfed-data")
    database_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    # Where the public reaches this node (mark QR codes point here); default: the API address.
    public_url: HttpUrl | None = None
    # Where peers deliver envelopes to this node; a node without one exchanges nothing
    # (`ipfed node init` sets it).
    exchange_endpoint: ZmqEndpoint | None = None
    ledger_backend: Literal["embedded"] = "embedded"
    # How often a running node has its checkpoint witnessed and follows its peers (0: never).
    ledger_sync_seconds: float = Field(default=60, ge=0)
    # How often a running node brings its marks in line with their rights (0: never).
    marks_follow_seconds: float = Field(default=300, ge=0)
    # How often a running node pushes newly confirmed leads over the exchange (0: never).
    leads_push_seconds: float = Field(default=10, ge=0)
    # How often a running node sends undelivered filings again and logs reminders (0: never).
    filings_round_seconds: float = Field(default=600, ge=0)
    # Personal data is kept no longer than needed (PIPL art. 19), then its fields are
    # erased (nodes/privacy). In days:
    # - listings behind a lead, with their evidence: 3 years after the last lead on them
    #   was found or decided, the limitation period of claims for infringement (Civil Code
    #   art. 188), longer than that of administrative penalties (2 years, art. 36);
    retention_lead_days: int = Field(default=3 * 365, ge=1)
    # - listings that raised no lead: a year, to compile the year's statistics and filings;
    retention_listing_days: int = Field(default=365, ge=1)
    # - scans' places, coordinates and sellers: 180 days; clone alerts compare sightings
    #   minutes or hours apart, and an alert is looked into well within that.
    retention_scan_days: int = Field(default=180, ge=1)
    # How often a running node erases what is past its retention (0: never).
    privacy_round_seconds: float = Field(default=3600, ge=0)
    # How often the job runner looks for due jobs when idle; 0 starts no worker.
    jobs_poll_seconds: float = Field(default=0.5, ge=0)
    # The exchange: envelopes per batch, how long to wait for a batch's acks, the longest
    # pause between retries of a link that is down, and between looks for work on a link
    # idle for a second or more.
    exchange_batch_size: int = Field(default=256, ge=1, le=10_000)
    exchange_timeout_seconds: float = Field(default=5, gt=0)
    exchange_retry_max_seconds: float = Field(default=30, gt=0)
    exchange_poll_seconds: float = Field(default=0.25, gt=0)
    # Failed API keys (401s) that one address, or one key from any address, may send
    # within the window before its requests presenting a key are answered 429.
    auth_failure_limit: int = Field(default=10, ge=1)
    auth_failure_window_seconds: float = Field(default=60, gt=0)
    # People's console sessions end after this long idle, and this long after sign-in.
    session_idle_minutes: float = Field(default=30, gt=0)
    session_lifetime_hours: float = Field(default=12, gt=0)
    # An account is locked for a while after this many failed sign-ins in a row; one
    # address may fail this many sign-ins (of any accounts) within the window.
    sign_in_failure_limit: int = Field(default=5, ge=1)
    sign_in_lockout_minutes: float = Field(default=15, gt=0)
    sign_in_address_limit: int = Field(default=20, ge=1)
    sign_in_address_window_seconds: float = Field(default=600, gt=0)
    # People of the offices (national and regional roles) must enrol a TOTP second factor.
    require_totp_for_offices: bool = False
    peers: list[Peer] = []

    @field_validator("ledger_backend", mode="before")
    @classmethod
    def _implemented_backend(cls, value: object) -> object:
        if value not in LEDGER_BACKENDS:
            raise ValueError(
                f"ledger backend {value!r} is not implemented; "
                f"a node runs on: {', '.join(LEDGER_BACKENDS)}"
            )
        return value

    @model_validator(mode="after")
    def _role_matches_region(self) -> Self:
        if (self.role is NodeRole.NATIONAL) != (self.region_code == NATIONAL_REGION):
            raise ValueError(
                f"the national node has region code {NATIONAL_REGION}, and only it does"
            )
        return self

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'node.db').resolve()}"

    @property
    def origin(self) -> str:
        """The name of this node's log in its checkpoints."""
        return f"ipfed/{self.region_code}/{self.node_id}"

    @property
    def identity_dir(self) -> Path:
        """The node's key (org.key), certificate (org.pem) and trust-bundle.json."""
        return self.data_dir / "identity"

    @property
    def status_lists_dir(self) -> Path:
        """Other offices' mark status lists, cached to check the marks they issued."""
        return self.data_dir / "status-lists"

    @property
    def base_url(self) -> str:
        return f"http://{self.http_host}:{self.http_port}"

    @property
    def public_base_url(self) -> str:
        return str(self.public_url).rstrip("/") if self.public_url else self.base_url

    @classmethod
    def load(cls, data_dir: Path, **overrides: Any) -> "NodeSettings":
        """Settings of the node whose files live in ``data_dir``."""
        toml_file = data_dir / CONFIG_FILE

        class FromFile(cls):  # type: ignore[valid-type,misc]
            @classmethod
            def settings_customise_sources(
                cls,
                settings_cls: type[BaseSettings],
                init_settings: PydanticBaseSettingsSource,
                env_settings: PydanticBaseSettingsSource,
                dotenv_settings: PydanticBaseSettingsSource,
                file_secret_settings: PydanticBaseSettingsSource,
            ) -> tuple[PydanticBaseSettingsSource, ...]:
                return (
                    init_settings,
                    env_settings,
                    TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
                )

        loaded = FromFile(**{"data_dir": data_dir, **overrides})
        settings = cls.model_validate(loaded.model_dump())
        _warn_of_keys_in_clear(toml_file)
        keys = peer_api_keys(data_dir, (peer.node_id for peer in settings.peers))
        for peer in settings.peers:
            peer.api_key = keys.get(peer.node_id, peer.api_key)
        return settings

    def to_toml(self) -> str:
        """The settings as a ``node.toml`` file (data_dir is implied by its location);
        the peers' API keys go to ``secrets.toml`` (:meth:`save`)."""
        lines = []
        data = self.model_dump(mode="json", exclude={"data_dir", "peers"}, exclude_none=True)
        for key, value in data.items():
            lines.append(f"{key} = {_toml_value(value)}")
        for peer in self.peers:
            lines.append("\n[[peers]]")
            fields = peer.model_dump(mode="json", exclude={"api_key"}, exclude_none=True)
            lines += [f"{k} = {_toml_value(v)}" for k, v in fields.items()]
        return "\n".join(lines) + "\n"

    def save(self) -> None:
        """Write ``node.toml`` into data_dir and, when peers have API keys, ``secrets.toml``
        beside it; both owner-only."""
        write_owner_only(self.data_dir / CONFIG_FILE, self.to_toml())
        keys = {p.node_id: p.api_key for p in self.peers if p.api_key}
        if keys:
            write_owner_only(self.data_dir / SECRETS_FILE, secrets_toml(keys))


def _warn_of_keys_in_clear(toml_file: Path) -> None:
    # node.toml of earlier versions held the peers' API keys: they still load, with a
    # warning, as the file is not rewritten behind its owner's back.
    try:
        peers = tomllib.loads(toml_file.read_text(encoding="utf-8")).get("peers", [])
    except (OSError, tomllib.TOMLDecodeError):
        return
    for peer in peers:
        if isinstance(peer, dict) and "api_key" in peer:
            node_id = peer.get("node_id", "?")
            log.warning(
                "%s holds the API key of peer %s in clear: move it to %s (owner-only) "
                "or to the environment variable %s",
                toml_file,
                node_id,
                SECRETS_FILE,
                peer_key_variable(str(node_id)),
            )


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
