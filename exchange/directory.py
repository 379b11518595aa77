"""The organisations of the federation, as its trust bundle vouches for them,
and who has jurisdiction where."""

from collections.abc import Iterable
from datetime import datetime

from ipfed.ledger.identity import Organisation, Role, UntrustedIdentity
from ipfed.ledger.trust import TrustBundle

NATIONAL_REGION = "100000"


def province_of(region_code: str) -> str:
    return region_code[:2] + "0000"


def covering(region_code: str) -> list[str]:
    """The region and the regions that contain it, the narrowest first."""
    codes = [region_code, region_code[:4] + "00", province_of(region_code)]
    return list(dict.fromkeys(codes))


class Directory:
    def __init__(self, organisations: Iterable[Organisation]) -> None:
        self.organisations = sorted(
            set(organisations), key=lambda o: (o.role, o.region_code, o.name)
        )
        self._by_name = {o.name: o for o in self.organisations}

    @classmethod
    def from_bundle(cls, bundle: TrustBundle, at: datetime | None = None) -> "Directory":
        """Every organisation with a valid, unrevoked certificate in ``bundle``."""
        found = []
        for certificate in bundle.by_key_id.values():
            try:
                found.append(bundle.organisation(certificate, at))
            except UntrustedIdentity:
                continue
        return cls(found)

    def named(self, name: str) -> Organisation | None:
        return self._by_name.get(name)

    def with_role(self, *roles: Role) -> list[Organisation]:
        return [o for o in self.organisations if o.role in roles]

    def national(self, role: Role = Role.NATIONAL) -> Organisation | None:
        """The organisation of ``role`` at the national level."""
        return next((o for o in self.with_role(role) if o.region_code == NATIONAL_REGION), None)

    def with_jurisdiction(self, role: Role, region_code: str) -> Organisation | None:
        """The organisation of ``role`` whose region is the narrowest containing ``region_code``."""
        for code in covering(region_code):
            for organisation in self.with_role(role):
                if organisation.region_code == code:
                    return organisation
        return None
