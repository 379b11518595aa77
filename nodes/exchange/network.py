"""The federation as this node's exchange sees it: its own organisation and keys,
the directory of organisations, and which node serves which organisation.

An organisation is served by the node of the narrowest region that contains
its own (a province's node serves that province's enforcement authority,
assistance centre and rights holders); national organisations, and those of a
region without a node, by the national node.
"""

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509

from ipfed.exchange.directory import NATIONAL_REGION, Directory, covering
from ipfed.exchange.errors import Unroutable
from ipfed.ledger.identity import Organisation, PrivateKey, Role, organisation_of
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.config import NodeRole, NodeSettings, Peer
from ipfed.nodes.identity import NodeIdentity


@dataclass(frozen=True)
class Network:
    node_id: str
    organisation: Organisation
    key: PrivateKey
    certificate: x509.Certificate
    bundle: TrustBundle
    directory: Directory
    peers: dict[str, Peer]
    node_of_region: dict[str, str]
    national_node: str | None

    @classmethod
    def of(
        cls, settings: NodeSettings, identity: NodeIdentity, at: datetime | None = None
    ) -> "Network":
        nodes = {settings.region_code: settings.node_id}
        nodes.update({p.region_code: p.node_id for p in settings.peers})
        national = nodes.get(NATIONAL_REGION)
        return cls(
            node_id=settings.node_id,
            organisation=organisation_of(identity.certificate),
            key=identity.key,
            certificate=identity.certificate,
            bundle=identity.bundle,
            directory=Directory.from_bundle(identity.bundle, at),
            peers={p.node_id: p for p in settings.peers},
            node_of_region=nodes,
            national_node=national,
        )

    def node_serving(self, organisation: Organisation) -> str:
        if organisation.region_code != NATIONAL_REGION:
            for code in covering(organisation.region_code):
                if code in self.node_of_region:
                    return self.node_of_region[code]
        if self.national_node is None:
            raise Unroutable(
                f"no node serves {organisation.name} ({organisation.region_code}): "
                "add its node, or the national node, to the peers"
            )
        return self.national_node

    def serves(self, organisation: Organisation) -> bool:
        try:
            return self.node_serving(organisation) == self.node_id
        except Unroutable:
            return False

    def office_of(self, node_id: str) -> Organisation | None:
        """The organisation that runs node ``node_id``: the office of its region."""
        if node_id == self.node_id:
            return self.organisation
        peer = self.peers.get(node_id)
        if peer is None:
            return None
        role = Role.NATIONAL if peer.role is NodeRole.NATIONAL else Role.REGIONAL
        offices = self.directory.with_role(role)
        return next((o for o in offices if o.region_code == peer.region_code), None)
