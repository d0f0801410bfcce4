"""The auth probe's facts model: what ``AuthProbe.run`` returns in both modes (prose: docs/facts/auth.md).

``docs/facts/auth.schema.json`` is generated from :class:`AuthFacts` (``scripts/facts-schemas``).
``mode: "profile"`` (``[targets.options.auth]``) and ``mode: "black-box"`` share this shape; fields
marked "black-box" or "profile" appear in that mode only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from scanner.probes.base import SubStatus
from scanner.probes.facts import FactsModel, ProbeFacts, SubCheck

FACTS_VERSION = "1"
"""Bumped when a field is removed or changes meaning (adding a field keeps the version)."""


class Settings(FactsModel):
    length_tolerance: float | None = Field(default=None, description="profile")
    login_rate_limit_attempts: int | None = Field(default=None, description="profile")
    endpoint_limit: int | None = Field(default=None, description="black-box")
    request_budget: int | None = Field(default=None, description="black-box")


class Credentials(FactsModel):
    """Whether the configured credential could be obtained."""

    status: SubStatus | Literal["none"] = Field(description="`ok`, `none` (no recipe) or `inconclusive`")
    reason: str | None = None
    jwt: bool | None = None
    carrier: str | None = Field(default=None, description="`header`, `cookie` or `basic`")


class PiiExample(FactsModel):
    kind: str
    masked: str
    category: str
    confidence: str


class PersonalData(FactsModel):
    """Personal data in a reply or in token claims (masked examples only)."""

    count: int
    kinds: list[str]
    counts: dict[str, int] = Field(description="matches per kind")
    categories: list[str]
    examples: list[PiiExample]


class Reply(SubCheck):
    """One reply: status, size and the logged-in marker (the body is not kept)."""

    http_status: int | None = None
    status_class: str | None = Field(default=None, description="`2xx`, `3xx`, `4xx`, `5xx`")
    length: int | None = None
    marker: str | None = Field(default=None, description="`present`, `absent` or `not-configured`")


class Variant(Reply):
    """The endpoint requested without credentials or with a forged token."""

    name: str = Field(description="`no-credentials`, `tampered-signature`, `expired-token`, `alg-none`, "
                                  "`weak-secret`, `key-confusion`; black-box: `forged-*`")
    alg: str | None = None
    compared: bool | None = Field(default=None, description="an authenticated baseline existed")
    same_status_class: bool | None = None
    length_ratio: float | None = None
    length_within_tolerance: bool | None = None
    similarity: float | None = None
    personal_data: PersonalData | None = None
    content_kind: str | None = Field(default=None, description="black-box: `json`, `html` or `other`")
    basis: str | None = Field(default=None, description="black-box forgeries: `synthetic`, `harvested-claims`, "
                                                        "`cracked-secret`")
    carrier: str | None = Field(default=None, description="black-box forgeries: `bearer`, or the cookie or "
                                                          "query parameter a site's token travels in")
    carrier_name: str | None = Field(default=None, description="black-box: the cookie's or parameter's name")
    refused: bool | None = Field(default=None, description="black-box `carrier-refusal`: a non-token value there "
                                                           "was refused")
    refusal_similarity: float | None = Field(default=None, description="black-box: similarity to the refusal")
    same_as_refusal: bool | None = None
    token_parts: list[str] | None = Field(
        default=None, description="black-box: an accepted forged token (Pindai's own), in its three parts")


class NeighbourRequest(SubCheck):
    offset: int | None = Field(default=None, description="n-1 or n+1; absent for an identifier the site returned")
    path: str
    http_status: int | None = None
    status_class: str | None = None
    personal_data: PersonalData | None = None
    other_subject: bool | None = Field(default=None, description="the reply holds personal values the original did not")


class Neighbours(SubCheck):
    """Profile mode: the same credential on neighbouring object identifiers (IDOR)."""

    identifier: str | None = Field(default=None, description="`path` or `query:<name>`")
    kind: str | None = Field(default=None, description="the kind of identifier the site returned (substitutes)")
    requests: list[NeighbourRequest] | None = None


class Refusal(FactsModel):
    refused: bool
    reason: str = Field(description="`status-401`, `status-403`, `login-redirect`, `error-body`, or empty")


class Endpoint(FactsModel):
    key: str = Field(description="`METHOD /path`: the item key of endpoint findings")
    method: str
    path: str
    host: str
    source: str
    declared_public: bool = Field(description="the OpenAPI operation says `security: []`")
    declared_security: bool | None = None
    marker_configured: bool
    reachable: bool
    reason: str | None = Field(default=None, description="why the endpoint could not be reached")
    authenticated: Reply
    neighbours: Neighbours | None = None
    refusal: Refusal | None = Field(default=None, description="black-box, and profile mode without usable "
                                                                 "credentials (forged tokens are then sent)")
    variants: list[Variant]


class Skipped(FactsModel):
    path: str
    reason: str


class StartPage(FactsModel):
    http_status: int
    path: str
    moved: bool


class Bundle(SubCheck):
    path: str
    http_status: int | None = None
    length: int | None = None
    capped: bool | None = None


class Description(FactsModel):
    """An API description path that answered with a non-HTML body."""

    path: str
    status: str = Field(description="`found`, `invalid` or `inconclusive`")
    reason: str | None = None
    http_status: int | None = None
    version: str | None = None
    servers_in_scope: int | None = None
    servers_outside_scope: int | None = None
    operations: int | None = None
    secured_operations: int | None = None


class GraphQl(SubCheck):
    path: str
    http_status: int | None = None
    introspection: bool
    types: int | None = None


class Sibling(FactsModel):
    folder: str
    http_status: int
    content_type: str
    length: int


class Discarded(FactsModel):
    path: str
    source: str
    reason: str


class RouteFound(FactsModel):
    """A route nobody links that answered, and differs from its folder's random sibling."""

    path: str
    id: str = Field(description="the route check's id")
    framework: str
    http_status: int
    content_kind: str
    answer: str = Field(description="what shows it exists (not `method-not-allowed` when it answered a GET)")


class RouteSibling(FactsModel):
    folder: str
    trailing_slash: bool
    http_status: int
    length: int
    content_type: str


class Routes(SubCheck):
    """Black-box: routes frameworks and habits create (and the agency's own) tried once each."""

    list_version: str | None = None
    listed: int | None = None
    agency: int | None = Field(default=None, description="routes an agency pack added")
    known: int | None = Field(default=None, description="requested anyway by the run: not tried again")
    skipped_requires: int | None = None
    tried: int | None = None
    not_tried: int | None = Field(default=None, description="left out when the route budget was spent")
    failed: int | None = None
    found: list[RouteFound] | None = None
    requests: int | None = None
    budget: int | None = None
    siblings: list[RouteSibling] | None = None


class Discovery(SubCheck):
    """Where the endpoints came from: the OpenAPI document (profile) or the site itself (black-box)."""

    path: str | None = Field(default=None, description="profile: the OpenAPI document's path")
    endpoints_found: int | None = None
    skipped: list[Skipped] | None = None
    operations_usable: int | None = None
    start_page: StartPage | None = Field(default=None, description="black-box")
    bundles: list[Bundle] | None = None
    descriptions_checked: int | None = None
    descriptions: list[Description] | None = None
    graphql: list[GraphQl] | None = None
    sources: dict[str, int] | None = Field(default=None, description="references found per source")
    endpoints_over_limit: int | None = None
    siblings: list[Sibling] | None = None
    discarded: list[Discarded] | None = None
    routes: Routes | None = Field(default=None, description="black-box")


class SecretSearch(SubCheck):
    """The HS* secret looked up in the wordlist; the secret itself is never recorded."""

    candidates: int | None = None
    found: bool | None = None
    secret_length: int | None = None


class Token(SubCheck):
    """A JWT: from the profile, the login, or seen in replies (never stored: only a fingerprint). A token
    that could not be analysed is inconclusive under its own key and source."""

    key: str = Field(description="12-hex fingerprint")
    source: str = Field(description="`profile:<recipe>`, `login:/path` or `response:METHOD /path`")
    alg: str | None = None
    typ: str | None = None
    signature_length: int | None = None
    header_params: list[str] | None = None
    claim_names: list[str] | None = None
    has_exp: bool | None = None
    has_iat: bool | None = None
    has_nbf: bool | None = None
    unusable_claims: list[str] | None = None
    lifetime_known: bool | None = None
    lifetime_s: int | None = None
    expired: bool | None = None
    secret_search: SecretSearch | None = None
    claims_personal_data: PersonalData | None = None
    kid_present: bool | None = None
    jku_present: bool | None = None
    x5u_present: bool | None = None
    jwk_present: bool | None = None
    x5c_present: bool | None = None


class LoginAttempt(SubCheck):
    http_status: int | None = None
    marker: str | None = None
    cookies_set: list[str] | None = None


class RateLimit(SubCheck):
    """Opt-in: wrong-password attempts and the throttling signals seen."""

    attempts: int | None = None
    http_statuses: list[int] | None = None
    throttled: bool | None = None
    first_throttled_at: int | None = None
    signals: list[str] | None = None


class Login(SubCheck):
    """The login form (profile mode with `login`); `not-configured` otherwise."""

    path: str | None = None
    page_scheme: str | None = None
    redirected_to: str | None = None
    page_http_status: int | None = None
    form_found: bool | None = None
    form_method: str | None = None
    form_action_scheme: str | None = None
    form_action_path: str | None = None
    form_action_other_origin: bool | None = None
    password_field: bool | None = None
    captcha_hint: bool | None = None
    mfa_hint: bool | None = None
    login: LoginAttempt | None = None
    rate_limit: RateLimit | None = None


class AuthFacts(ProbeFacts):
    """Facts of the ``auth`` probe: does each endpoint really need valid credentials?"""

    mode: str | None = Field(default=None, description="`profile` or `black-box` (absent in older facts: profile)")
    recipe: str = Field(description="`bearer`, `basic`, `cookie`, `login` or `none`")
    settings: Settings
    login: Login
    credentials: Credentials
    discovery: Discovery
    endpoints: list[Endpoint]
    tokens: list[Token]
    requests_sent: int
    credentials_withheld: dict[str, int] | None = Field(
        default=None, description="requests sent without the operator's --header values, by reason")
