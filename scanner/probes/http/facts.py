"""The http probe's facts model: what ``HttpProbe.run`` returns (prose: docs/facts/http.md).

``docs/facts/http.schema.json`` is generated from :class:`HttpFacts` (``scripts/facts-schemas``).
Each sub-check (``cookies``, ``cors``, ``exposures`` ...) is a :class:`SubCheck`: when it could not be
observed it is ``{"status": "inconclusive", "reason": ...}`` and its other fields are absent.
"""

from __future__ import annotations

from pydantic import Field

from scanner.probes.facts import FactsModel, ProbeFacts, Software, SubCheck

FACTS_VERSION = "1"
"""Bumped when a field is removed or changes meaning (adding a field keeps the version)."""


class Hop(FactsModel):
    """One response of a redirect chain."""

    url: str
    status: int
    location: str | None = None


class LinkSkipped(FactsModel):
    href: str = Field(description="masked, at most 200 characters")
    reason: str


class LinksSkipped(FactsModel):
    """Links on the main page that were malformed or ambiguous and were not followed (at most 20 listed)."""

    count: int
    items: list[LinkSkipped]


class HttpsRedirect(SubCheck):
    """The plain-HTTP address (the target, or the https target's twin on port 80 / options.http_port)."""

    http_url: str | None = None
    reachable: bool | None = Field(default=None, description="false (with `error`): nothing answers on plain HTTP")
    error: str | None = None
    http_status: int | None = None
    redirects: bool | None = None
    first_location: str | None = None
    first_hop_to_https: bool | None = None
    first_hop_host_changed: bool | None = None
    final_url: str | None = None
    final_is_https: bool | None = None
    final_tls_verified: bool | None = None
    chain: list[Hop] | None = None
    stopped: str | None = None


# -- headers of the main page -----------------------------------------------------------------------------

class Header(FactsModel):
    present: bool
    value: str | None = None


class Hsts(Header):
    max_age: int | None = None
    include_subdomains: bool
    preload: bool
    valid: bool | None = None
    invalid_reason: str | None = Field(default=None, description="sent more than once, max-age missing or not a number")


class Csp(Header):
    """The effective Content-Security-Policy of the header(s) and ``<meta http-equiv>`` policies."""

    http: bool | None = None
    meta: bool | None = None
    meta_values: list[str] | None = None
    report_only: bool | None = None
    valid: bool | None = None
    invalid_reason: str | None = None
    directives: dict[str, list[str]] = Field(description="directive -> sources of the combined policy")
    weaknesses: list[str] | None = None
    duplicate_report_directives: list[str] | None = None
    enforced: bool | None = None
    frame_ancestors: str = Field(description="from the header only; `'none'` for an empty directive")
    script_unsafe_inline: bool
    script_unsafe_eval: bool
    style_unsafe_inline: bool
    script_insecure_scheme: bool
    passive_insecure_scheme: bool
    default_src_none: bool


class FrameOptions(Header):
    normalized: str = Field(description="lower-cased; empty when absent")


class ContentTypeOptions(Header):
    nosniff: bool


class ReferrerPolicy(Header):
    header: str | None = None
    meta: str | None = None
    effective: str = Field(description="the last recognised token; empty when none")
    private: bool


class CacheControl(Header):
    no_store: bool
    private: bool
    pragma_no_cache: bool


class DateHeader(Header):
    skew_s: int | None = Field(default=None, description="server clock minus this machine's, in seconds")


class Headers(FactsModel):
    strict_transport_security: Hsts
    content_security_policy: Csp
    content_security_policy_report_only: Header
    x_frame_options: FrameOptions
    x_content_type_options: ContentTypeOptions
    referrer_policy: ReferrerPolicy
    permissions_policy: Header
    feature_policy: Header
    cross_origin_resource_policy: Header
    cross_origin_opener_policy: Header
    cross_origin_embedder_policy: Header
    cache_control: CacheControl
    date: DateHeader | None = Field(default=None, description="newer")


# -- sub-checks -------------------------------------------------------------------------------------------

class Cookie(FactsModel):
    """One cookie per (name, scheme it was received over); values are never recorded."""

    name: str
    received_over: str = Field(description="`http` or `https`")
    page: str
    secure: bool
    http_only: bool
    same_site: str = Field(description="`Strict`, `Lax`, `None` or empty")
    same_site_valid: bool
    persistent: bool
    domain: str | None = None
    path: str | None = None
    session_like: bool
    anti_csrf_like: bool
    host_prefix: bool
    secure_prefix: bool
    prefix_ok: bool | None = None


class Cookies(SubCheck):
    items: list[Cookie] | None = None


class CorsItem(SubCheck):
    """The reply to a request with a foreign ``Origin`` for one path."""

    path: str
    http_status: int | None = None
    probe_origin: str | None = None
    allow_origin: str | None = None
    allow_credentials: bool | None = None
    reflects_origin: bool | None = None
    wildcard: bool | None = None
    null_origin_allowed: bool | None = None
    vary_origin: bool | None = None


class Cors(SubCheck):
    items: list[CorsItem] | None = None


class DisclosureItem(FactsModel):
    name: str
    source: str = Field(description="`header` or `html`")
    value: str
    version: str | None = None


class Disclosure(SubCheck):
    items: list[DisclosureItem] | None = None


class DebugHit(FactsModel):
    framework: str
    path: str
    http_status: int
    pages: int


class Debug(SubCheck):
    hits: list[DebugHit] | None = None


class Baseline(FactsModel):
    status: int
    content_type: str
    length: int


class ExposureHit(FactsModel):
    """A path an exposure check found (bodies are never stored)."""

    id: str = Field(description="the check's id (`dotenv`, `git-config`, or an agency pack's)")
    category: str
    path: str
    name: dict[str, str] = Field(description="the check's name, `id` and `en`")
    http_status: int
    content_type: str
    length: int
    final_path: str
    method: str | None = Field(default=None, description="present when not GET")
    accounts: int | None = Field(default=None, description="user-enumeration checks: how many names")
    examples: list[str] | None = Field(default=None, description="user-enumeration checks: at most three, masked")
    extracted: str | None = Field(default=None, description="the check's extracted value, masked")


class PathProblem(FactsModel):
    id: str
    path: str
    reason: str


class Exposures(SubCheck):
    templates_version: str | None = None
    baseline: list[Baseline] | None = None
    checked: int | None = None
    hits: list[ExposureHit] | None = None
    discarded: list[PathProblem] | None = None
    errors: list[PathProblem] | None = None


class GamblingLink(FactsModel):
    host: str
    text_keywords: list[str]
    gambling_host_pattern: bool
    hidden: bool


class ViewBlock(FactsModel):
    view: str
    technique: str
    keywords: list[str]
    link_hosts: list[str]
    link_count: int


class ViewAlternate(FactsModel):
    view: str
    rel: str
    host: str
    external: bool


class View(FactsModel):
    """The page as one visitor sees it: `browser`, `googlebot` or `search-visitor`."""

    name: str
    http_status: int
    final_url: str
    length: int
    title: str
    keywords: list[str]
    title_keywords: list[str]
    meta_keywords: list[str]
    gambling_links: list[GamblingLink]
    gambling_link_count: int
    hidden_blocks: list[ViewBlock]
    alternates: list[ViewAlternate]
    defacement: list[str]
    offsite_redirect: str = Field(description="host of a redirect off the site (not followed); empty when none")


class HiddenBlock(FactsModel):
    technique: str
    keywords: list[str]
    link_hosts: list[str]
    link_count: int
    views: list[str]


class Alternate(FactsModel):
    rel: str
    host: str
    external: bool
    views: list[str]


class Defacement(FactsModel):
    signature: str
    views: list[str]


class Judol(SubCheck):
    """Injected gambling content and cloaking: three views of one page compared."""

    keywords_version: str | None = None
    views: list[View] | None = None
    text_similarity: float | None = None
    same_final_url: bool | None = None
    keywords_only_in_googlebot: list[str] | None = None
    keywords_only_for_search_visitors: list[str] | None = None
    search_visitor_offsite_redirect: str | None = None
    googlebot_offsite_redirect: str | None = None
    hidden_blocks: list[HiddenBlock] | None = None
    external_alternates: list[Alternate] | None = None
    defacement: list[Defacement] | None = None


class JudolPage(Judol):
    path: str


class JudolPages(SubCheck):
    pages: list[JudolPage] | None = None


class PiiSample(FactsModel):
    kind: str
    masked: str
    confidence: str


class PiiField(FactsModel):
    """A field of a JSON body judged by the column classifier (`data[].nama`)."""

    path: str
    kind: str
    category: str
    confidence: str
    match_ratio: float
    sample_size: int
    masked_examples: list[str]


class PiiPage(FactsModel):
    path: str
    http_status: int
    counts: dict[str, int] = Field(description="matches per kind")
    identity_count: int
    total: int
    categories: list[str]
    sensitivity: str
    samples: list[PiiSample] = Field(description="at most 5, masked")
    fields: list[PiiField] | None = None
    cache_control: CacheControl
    truncated: bool


class PageError(FactsModel):
    path: str
    status: str
    reason: str


class PersonalData(SubCheck):
    pages: list[PiiPage] | None = None
    errors: list[PageError] | None = None


class ObservatoryTest(FactsModel):
    name: str
    expectation: str
    modifier: int


class Observatory(SubCheck):
    """The MDN-Observatory-style header score and grade."""

    scoring_version: str | None = None
    based_on: str | None = None
    score: int | None = None
    grade: str | None = None
    tests: list[ObservatoryTest] | None = None


class HttpFacts(ProbeFacts):
    """Facts of the ``http`` probe: one web site, seen from the outside."""

    url: str
    final_url: str = Field(description="where the main request ended after in-scope redirects")
    http_status: int
    scheme: str = Field(description="`http` or `https` (of final_url)")
    tls_verified: bool | None = Field(description="the certificate verified; null for plain HTTP")
    content_type: str
    body_length: int
    body_truncated: bool
    body_too_slow: bool
    redirect_chain: list[Hop]
    redirect_stopped: str | None = None
    headers: Headers
    https_redirect: HttpsRedirect
    pages_checked: list[str]
    links_skipped: LinksSkipped | None = Field(default=None, description="newer")
    cookies: Cookies
    cors: Cors
    disclosure: Disclosure
    software: Software | None = Field(default=None, description="newer")
    exposures: Exposures
    debug: Debug
    judol: Judol
    judol_pages: JudolPages | None = Field(default=None, description="newer")
    personal_data: PersonalData
    observatory: Observatory
    requests: int
    credentials_withheld: dict[str, int] | None = Field(
        default=None, description="requests sent without the operator's --header values, by reason")
