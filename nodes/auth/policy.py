"""Who may call what: the node's one authorization policy.

``ROUTES`` names, for every route of the API (method and path template), the
audience that may call it. :func:`~ipfed.nodes.auth.dependencies.authorize` looks
each request's route up here before anything else runs; a route missing from the
table is refused to everyone, so a new route stays closed until it is declared.

An audience admits callers by role and, for the node's own office, by
organisation: a national or regional key of another organisation is an office of
the federation, never this node's office. Which row a caller may see within a
route (its own fair, its own inbox, the marks it holds) is decided by the named
checks at the end of this module, which the services call.

The CLI is the node's operator at its own files: every CLI action speaks for the
node's own office and needs no entry here.
"""

from dataclasses import dataclass

from ipfed.ledger.identity import OFFICES, Role

EVERYONE = frozenset(Role)
OFFICES_AND_ENFORCEMENT = OFFICES | {Role.ENFORCEMENT}


@dataclass(frozen=True)
class Audience:
    """Callers admitted to a route: those with one of ``roles``; with
    ``own_organisation``, only keys of the organisation that runs the node."""

    name: str
    roles: frozenset[Role]
    own_organisation: bool = False
    needs_key: bool = True
    code: str = "forbidden"  # the error code a refused caller gets

    def admits(self, *, org: str, role: Role, node_org: str) -> bool:
        return role in self.roles and (not self.own_organisation or org == node_org)


PUBLIC = Audience("the public (no key)", EVERYONE, needs_key=False)
ANY_MEMBER = Audience("any key", EVERYONE)
OWN_OFFICE = Audience(
    "the node's own office", OFFICES, own_organisation=True, code="not_this_office"
)
# The same rule, with the code marks have always answered.
ISSUING_OFFICE = Audience("the issuing office", OFFICES, own_organisation=True, code="not_issuer")
FEDERATION_OFFICES = Audience("offices of the federation", OFFICES)
REGIONAL_OFFICES = Audience("regional offices", frozenset({Role.REGIONAL}))
REGULATORS = Audience("offices and enforcement", OFFICES_AND_ENFORCEMENT)
FAIR_ORGANIZERS = Audience("fair organizers", frozenset({Role.FAIR}))
FAIRS_AND_REGULATORS = Audience("fair organizers and regulators", REGULATORS.roles | {Role.FAIR})
HOLDERS = Audience("offices and rights holders", OFFICES | {Role.RIGHTS_HOLDER})
SCANNERS = Audience(
    "who scans marks", REGULATORS.roles | {Role.PLATFORM, Role.FAIR, Role.RIGHTS_HOLDER}
)
LAUNCHERS = Audience(
    "who launches detection",
    OFFICES | {Role.ENFORCEMENT, Role.RIGHTS_HOLDER, Role.ASSISTANCE_CENTRE},
)
# Who acts on the leads pushed to it and reports back.
ACTING = Audience(
    "who handles leads", OFFICES | {Role.ENFORCEMENT, Role.ASSISTANCE_CENTRE, Role.RIGHTS_HOLDER}
)

# Who reads the leads routed to it: those who act on them, and the overseas centres that
# cross-border alerts about a lead reach.
RECEIVERS = Audience("who receives leads", ACTING.roles | {Role.OVERSEAS_CENTRE})
# The national office at its own node: people of the national role of the node's own
# organisation (the pages tell a node that is not the national node from one that is).
NATIONAL_OFFICE = Audience(
    "the national office",
    frozenset({Role.NATIONAL}),
    own_organisation=True,
    code="not_national_office",
)

Route = tuple[str, str]  # (method, path template)

ROUTES: dict[Route, Audience] = {
    # the node
    ("GET", "/health"): PUBLIC,
    ("GET", "/version"): ANY_MEMBER,
    ("GET", "/whoami"): ANY_MEMBER,
    # the registers: public information
    ("GET", "/patents"): ANY_MEMBER,
    ("GET", "/patents/{number}"): ANY_MEMBER,
    ("GET", "/trademarks"): ANY_MEMBER,
    ("GET", "/trademarks/{number}"): ANY_MEMBER,
    ("GET", "/geographical-indications"): ANY_MEMBER,
    ("GET", "/geographical-indications/{number}"): ANY_MEMBER,
    ("GET", "/licences"): ANY_MEMBER,
    ("GET", "/adjudications"): ANY_MEMBER,
    ("GET", "/key-products"): ANY_MEMBER,
    # personal data: regulators only
    ("GET", "/participants"): REGULATORS,
    ("GET", "/participants/{participant_id}"): REGULATORS,
    ("GET", "/listings"): REGULATORS,
    ("GET", "/listings/{listing_id}"): REGULATORS,
    # the ledger and witnessing
    ("GET", "/ledger/checkpoint"): ANY_MEMBER,
    ("GET", "/ledger/entries/{position}"): ANY_MEMBER,
    ("GET", "/ledger/consistency"): ANY_MEMBER,
    ("POST", "/witness/add-checkpoint"): FEDERATION_OFFICES,  # peers ask this node to cosign
    ("GET", "/witness/logs"): ANY_MEMBER,
    ("GET", "/alarms"): OWN_OFFICE,
    # marks
    ("GET", "/status-lists/{purpose}"): PUBLIC,
    ("GET", "/marks/{mark_id}/status"): PUBLIC,
    ("GET", "/v/{token}"): PUBLIC,
    ("POST", "/marks"): ISSUING_OFFICE,
    ("GET", "/marks"): FEDERATION_OFFICES,
    ("GET", "/marks/alerts"): REGULATORS,
    ("GET", "/marks/suspect-reports"): OWN_OFFICE,  # reported from the verification page
    ("GET", "/marks/suspect-reports/{report_id}/photo"): OWN_OFFICE,
    ("GET", "/marks/{mark_id}"): ANY_MEMBER,
    ("POST", "/marks/{mark_id}/status"): ISSUING_OFFICE,
    ("POST", "/marks/{mark_id}/units"): HOLDERS,  # row: sees_as_holder
    ("GET", "/marks/{mark_id}/qr.{fmt}"): ANY_MEMBER,
    ("GET", "/marks/{mark_id}/events"): ANY_MEMBER,  # row: sees_scan_places
    ("POST", "/marks/scans"): SCANNERS,
    # detection and review
    ("POST", "/detection/tasks"): LAUNCHERS,
    ("GET", "/detection/tasks/{task_id}"): LAUNCHERS,  # row: the requester, or the office
    ("GET", "/detection/leads"): REGULATORS,
    ("GET", "/detection/queue"): REGULATORS,
    ("GET", "/detection/leads/{lead_id}"): REGULATORS,
    ("POST", "/detection/leads/{lead_id}/review"): OWN_OFFICE,
    ("GET", "/detection/leads/{lead_id}/reviews"): REGULATORS,
    ("GET", "/detection/leads/{lead_id}/evidence"): REGULATORS,
    ("GET", "/detection/leads/{lead_id}/trace"): REGULATORS,
    ("GET", "/detection/leads/{lead_id}/push"): OWN_OFFICE,
    ("GET", "/detection/confirmed"): OWN_OFFICE,
    ("GET", "/detection/precision"): REGULATORS,
    ("POST", "/detection/screen"): OWN_OFFICE,
    ("GET", "/detection/monitoring"): REGULATORS,
    ("POST", "/detection/monitoring"): OWN_OFFICE,
    # the exchange
    ("GET", "/exchange/link-key"): PUBLIC,
    ("POST", "/exchange/messages"): OWN_OFFICE,
    ("GET", "/exchange/inbox"): ANY_MEMBER,  # row: inbox_of
    ("GET", "/exchange/inbox/{inbox_id}"): ANY_MEMBER,  # row: inbox_of
    ("GET", "/exchange/outbox"): OWN_OFFICE,
    ("GET", "/exchange/dead-letters"): OWN_OFFICE,
    ("POST", "/exchange/outbox/{envelope_id}/retry"): OWN_OFFICE,
    ("POST", "/exchange/outbox/{envelope_id}/give-up"): OWN_OFFICE,
    ("GET", "/exchange/links"): OWN_OFFICE,
    ("GET", "/exchange/threads/{subject}"): ANY_MEMBER,  # row: inbox_of
    ("POST", "/exchange/leads/{lead_id}/feedback"): ACTING,  # row: inbox_of
    # fairs: row checks in fairs.service (the organizer, or regulators)
    ("POST", "/fairs"): FAIR_ORGANIZERS,
    ("GET", "/fairs"): FAIRS_AND_REGULATORS,
    ("GET", "/fairs/infringements"): FAIRS_AND_REGULATORS,
    ("GET", "/fairs/{fair_id}"): FAIRS_AND_REGULATORS,
    ("POST", "/fairs/{fair_id}/exhibitors"): FAIR_ORGANIZERS,
    ("POST", "/fairs/{fair_id}/exhibits/{exhibit_id}/scans"): FAIRS_AND_REGULATORS,
    ("GET", "/fairs/{fair_id}/leads"): FAIRS_AND_REGULATORS,
    ("GET", "/fairs/{fair_id}/tracking"): FAIRS_AND_REGULATORS,
    # personal data: erasure on a request the node's office decided, and its record
    ("POST", "/privacy/erasures"): OWN_OFFICE,
    ("GET", "/privacy/erasures"): OWN_OFFICE,
    # filings: the office's own; at the national node, what the regions file
    ("GET", "/filings/calendar"): OWN_OFFICE,
    ("GET", "/filings/reminders"): OWN_OFFICE,
    ("POST", "/filings"): OWN_OFFICE,
    ("GET", "/filings"): OWN_OFFICE,
    ("GET", "/filings/receipts"): OWN_OFFICE,
    ("GET", "/filings/report"): OWN_OFFICE,
    ("POST", "/filings/received"): REGIONAL_OFFICES,
    ("GET", "/filings/{filing_id}"): OWN_OFFICE,
    ("PATCH", "/filings/{filing_id}"): OWN_OFFICE,
    ("GET", "/filings/{filing_id}/preview"): OWN_OFFICE,
    ("POST", "/filings/{filing_id}/submit"): OWN_OFFICE,
    ("POST", "/filings/{filing_id}/correction"): OWN_OFFICE,
    ("GET", "/filings/{filing_id}/receipt"): OWN_OFFICE,
    # people's accounts
    ("GET", "/access-log"): OWN_OFFICE,
}

# The web console: HTML pages and forms, left out of the OpenAPI document but held to
# the same policy. A caller is a person signed in (or an API key); the pages of a
# public audience are the sign-in page and the way there.
CONSOLE: dict[Route, Audience] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/console/sign-in"): PUBLIC,
    ("POST", "/console/sign-in"): PUBLIC,
    ("POST", "/console/sign-out"): ANY_MEMBER,
    ("GET", "/console"): ANY_MEMBER,
    ("GET", "/console/two-factor"): ANY_MEMBER,
    ("POST", "/console/two-factor"): ANY_MEMBER,
    ("GET", "/console/people"): OWN_OFFICE,
    ("POST", "/console/people"): OWN_OFFICE,
    ("POST", "/console/people/{username}/disable"): OWN_OFFICE,
    ("POST", "/console/people/{username}/reset"): OWN_OFFICE,
    ("GET", "/console/access-log"): OWN_OFFICE,
    # the office's work queue and its leads
    ("GET", "/console/queue"): OWN_OFFICE,
    ("POST", "/console/queue/claim"): OWN_OFFICE,
    ("POST", "/console/queue/assign"): OWN_OFFICE,
    ("POST", "/console/queue/decide"): OWN_OFFICE,
    ("GET", "/console/leads/{lead_id}"): OWN_OFFICE,
    ("POST", "/console/leads/{lead_id}/review"): OWN_OFFICE,
    # the office's marks
    ("GET", "/console/marks"): OWN_OFFICE,
    ("POST", "/console/marks"): OWN_OFFICE,
    ("GET", "/console/marks/{mark_id}"): OWN_OFFICE,
    ("POST", "/console/marks/{mark_id}/status"): OWN_OFFICE,
    ("POST", "/console/marks/{mark_id}/units"): OWN_OFFICE,
    ("GET", "/console/marks/{mark_id}/labels.{fmt}"): OWN_OFFICE,
    ("GET", "/console/marks/{mark_id}/batches/{batch_id}/labels.{fmt}"): OWN_OFFICE,
    ("POST", "/v/{token}/report"): PUBLIC,  # a suspected fake, from the verification page
    # fairs: the organizer's pages (row checks in fairs.service, as for the API)
    ("GET", "/console/fairs"): FAIRS_AND_REGULATORS,
    ("POST", "/console/fairs"): FAIR_ORGANIZERS,
    ("GET", "/console/fairs/{fair_id}"): FAIRS_AND_REGULATORS,
    ("POST", "/console/fairs/{fair_id}/exhibits"): FAIR_ORGANIZERS,
    ("POST", "/console/fairs/{fair_id}/exhibits/{exhibit_id}/flags/{index}"): FAIR_ORGANIZERS,
    # fairs: the inspector's phone page (who may send patrol scans)
    ("GET", "/console/patrol"): FAIRS_AND_REGULATORS,
    ("GET", "/console/patrol/{fair_id}"): FAIRS_AND_REGULATORS,
    ("POST", "/console/patrol/read"): FAIRS_AND_REGULATORS,  # a live camera's frame
    ("POST", "/console/patrol/{fair_id}/exhibits/{exhibit_id}/scan"): FAIRS_AND_REGULATORS,
    ("POST", "/console/patrol/{fair_id}/exhibits/{exhibit_id}/flag"): FAIRS_AND_REGULATORS,
    # the leads routed to an organisation, and the outcome it reports (row: inbox_of)
    ("GET", "/console/received"): RECEIVERS,
    ("GET", "/console/received/{lead_id}"): RECEIVERS,
    ("POST", "/console/received/{lead_id}/outcome"): ACTING,
    # detection launched for one's rights, and followed (row: the requester, or the office)
    ("GET", "/console/detection"): LAUNCHERS,
    ("POST", "/console/detection"): LAUNCHERS,
    ("GET", "/console/detection/{task_id}"): LAUNCHERS,
    # the national office: leads received from the regions, filings, the ledger's health
    ("GET", "/console/national/leads"): NATIONAL_OFFICE,
    ("GET", "/console/national/leads.png"): NATIONAL_OFFICE,
    ("GET", "/console/national/filings"): NATIONAL_OFFICE,
    ("GET", "/console/national/filings/{filing_id}"): NATIONAL_OFFICE,
    ("GET", "/console/national/report"): NATIONAL_OFFICE,
    ("GET", "/console/national/report/{chart}.png"): NATIONAL_OFFICE,
    ("GET", "/console/national/ledger"): NATIONAL_OFFICE,
    # the office's registers: browsed, searched and fed with files (participants are
    # personal data: the own office only, though the API lets regulators read them)
    ("GET", "/console/registers"): OWN_OFFICE,
    ("GET", "/console/registers/{register}"): OWN_OFFICE,
    ("POST", "/console/registers/upload"): OWN_OFFICE,
    # a mark checked by pasting, a photo or the camera (a platform's page; who scans marks)
    ("GET", "/console/check"): SCANNERS,
    ("POST", "/console/check"): SCANNERS,
    ("POST", "/console/check/read"): SCANNERS,  # a live camera's frame
}

# What a person whose node requires a second factor may do before enrolling one.
DURING_ENROLMENT = frozenset(
    {
        ("GET", "/console/two-factor"),
        ("POST", "/console/two-factor"),
        ("POST", "/console/sign-out"),
    }
)

# Refused to everyone: a route nobody declared.
UNDECLARED = Audience(
    "nobody (the route is not in the policy)", frozenset(), code="undeclared_route"
)


# The API's documentation pages, which the OpenAPI document they show does not list.
DOCUMENTATION: dict[Route, Audience] = {
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
}


def audience_of(method: str, path: str) -> Audience:
    route = (method, path)
    return ROUTES.get(route) or CONSOLE.get(route) or DOCUMENTATION.get(route, UNDECLARED)


def is_console(method: str, path: str) -> bool:
    return (method, path) in CONSOLE


# --- rows within a route -------------------------------------------------------


def is_own_office(*, org: str, role: Role, node_org: str) -> bool:
    return OWN_OFFICE.admits(org=org, role=role, node_org=node_org)


def inbox_of(*, org: str, role: Role, node_org: str) -> str | None:
    """Whose envelopes a caller reads: the node's own office reads the node's whole
    inbox (None); everyone else, other offices included, only what is addressed to it."""
    return None if is_own_office(org=org, role=role, node_org=node_org) else org


def sees_scan_places(*, org: str, role: Role, node_org: str, holders: set[str]) -> bool:
    """Who scanned a mark where is the office's and the mark's holder's (or licensee's)."""
    return is_own_office(org=org, role=role, node_org=node_org) or org in holders
