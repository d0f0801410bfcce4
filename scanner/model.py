"""The data that flows through Pindai: targets, facts, findings and scan results.

Everything here is plain, JSON-serialisable data. Probes produce :class:`Facts`,
the rule engine turns facts into :class:`Finding` objects, and a :class:`ScanResult`
bundles both so that it can be stored, re-rendered and re-judged later.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

from scanner.urlsecrets import split_password

SCHEMA_VERSION = "1.0"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def encodable(text: str) -> str:
    """``text`` with each lone UTF-16 surrogate replaced by U+FFFD, so that it encodes as UTF-8."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def encodable_data(value: Any) -> Any:
    """Copy of a JSON-like ``value`` whose strings (dict keys too) all encode as UTF-8 and whose
    integers fit CEL's 64-bit ints (larger ones saturate at the bound, keeping every comparison).

    A target's JSON may carry ``"\ud800"`` or ``1e400``-sized integers; facts pass through here once,
    where they are made, so that storing, judging (CEL) and rendering them cannot fail on it.
    """
    if isinstance(value, str):
        return encodable(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return min(max(value, _INT64_MIN), _INT64_MAX)
    if isinstance(value, dict):
        return {encodable_data(k): encodable_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(encodable_data(v) for v in value)
    return value


class Severity(StrEnum):
    """Finding severity, ordered from most to least serious."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Larger is more serious (critical = 4, info = 0)."""
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class TargetKind(StrEnum):
    """What a target string points at."""

    URL = "url"
    DATABASE = "database"
    SQLFILE = "sqlfile"
    SOURCE = "source"


class Exposure(StrEnum):
    INTERNET = "internet"
    INTERNAL = "internal"
    UNKNOWN = "unknown"


DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb")


@dataclass(frozen=True)
class Target:
    """One thing to scan, as declared on the command line or in a profile.

    ``location`` never holds a password: credentials are resolved at connect time
    from the environment variable named in ``password_env``, or from ``password``,
    which is kept in memory only and never serialised. ``declared_at`` is
    ``file:line`` of the profile entry that declared the target (for SARIF locations).
    ``zone`` names the network zone whose workers can reach it (distributed mode).
    ``contacts`` (the owner's e-mail addresses, from an inventory) are personal data: kept in
    memory for delivery and serialised masked only. ``labels`` are an inventory's other columns.
    """

    kind: TargetKind
    location: str
    agency: str = ""
    exposure: Exposure = Exposure.UNKNOWN
    name: str = ""
    password_env: str = ""
    options: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    declared_at: str = field(default="", compare=False)
    zone: str = field(default="", compare=False)
    password: str = field(default="", repr=False, compare=False)
    criticality: str = field(default="", compare=False)
    contacts: tuple[str, ...] = field(default=(), repr=False, compare=False)
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def id(self) -> str:
        """Canonical, credential-free identity used in fingerprints."""
        return canonical_location(self.kind, self.location)

    @property
    def host(self) -> str:
        if self.kind in (TargetKind.URL, TargetKind.DATABASE):
            return (urlsplit(self.location).hostname or "").lower()
        return ""

    def to_dict(self) -> dict[str, Any]:
        from scanner.pii.masked_forms import mask

        data = asdict(self)
        del data["password"]
        data["contacts"] = [mask("email", c) for c in self.contacts]
        data["kind"] = self.kind.value
        data["exposure"] = self.exposure.value
        data["id"] = self.id
        data["host"] = self.host
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Target:
        return cls(
            kind=TargetKind(data["kind"]),
            location=data["location"],
            agency=data.get("agency", ""),
            exposure=Exposure(data.get("exposure", "unknown")),
            name=data.get("name", ""),
            password_env=data.get("password_env", ""),
            options=data.get("options", {}) or {},
            declared_at=data.get("declared_at", ""),
            zone=data.get("zone", ""),
            criticality=data.get("criticality", ""),
            contacts=tuple(data.get("contacts", ())),
            labels=dict(data.get("labels", {}) or {}),
        )


def strip_password(url: str) -> str:
    """Remove a password from a URL's user-info, keeping the user name."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def canonical_location(kind: TargetKind, location: str) -> str:
    """Normalise a target location so that equivalent spellings fingerprint alike."""
    if kind is TargetKind.URL:
        parts = urlsplit(location)
        scheme = parts.scheme.lower()
        default_port = {"http": 80, "https": 443}.get(scheme)
        host = (parts.hostname or "").lower()
        if ":" in host:  # an IPv6 literal keeps its brackets: https://[2001:db8::1]:8443/
            host = f"[{host}]"
        netloc = host if parts.port in (None, default_port) else f"{host}:{parts.port}"
        return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    if kind is TargetKind.DATABASE:
        return split_password(location)[0]
    return os.path.normpath(location)


COVERAGE_KEY = "coverage_limits"  # facts key under which a probe lists the caps that cut its observation short


@dataclass(frozen=True)
class CoverageLimit:
    """A cap that stopped a probe short of the whole target: the observation is partial.

    ``code`` names the cap (reports show the localised ``limit_<code>`` string), ``limit``
    is the cap in force and ``total`` how much there was, when the probe knows it.
    """

    code: str
    limit: int
    total: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CoverageLimit:
        total = data.get("total")
        return cls(str(data.get("code", "")), int(data.get("limit") or 0), int(total) if total is not None else None)


@dataclass
class Facts:
    """What one probe observed about one target. Observations only, no verdicts.

    ``status`` is ``ok`` when the probe ran, ``inconclusive`` when it could not
    observe (unreachable host, permission denied, hostile peer); ``reason`` says why.
    A conclusive observation is *partial* when the probe listed caps under ``COVERAGE_KEY``.
    """

    probe: str
    target_id: str
    data: dict[str, Any] = field(default_factory=dict)
    status: str = "ok"
    reason: str = ""
    started_at: str = ""
    duration_s: float = 0.0

    @property
    def conclusive(self) -> bool:
        return self.status == "ok"

    @property
    def limits(self) -> list[CoverageLimit]:
        """Caps that cut this observation short (empty when the probe saw the whole target)."""
        listed = self.data.get(COVERAGE_KEY) if isinstance(self.data, dict) else None
        return [CoverageLimit.from_dict(x) for x in listed or [] if isinstance(x, dict)]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Facts:
        return cls(**data)


def fingerprint(rule_id: str, target_id: str, item_key: str) -> str:
    """Stable identity of a finding: the same rule, target and item give the same value."""
    # surrogatepass: a lone surrogate a target put into an item key must not stop the scan (same bytes as UTF-8
    # for every other string, so existing fingerprints do not change)
    digest = hashlib.sha256(f"{rule_id}\x1f{target_id}\x1f{item_key}".encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:32]


@dataclass
class Finding:
    """One offending item selected by one rule on one target."""

    rule_id: str
    target_id: str
    item_key: str
    severity: Severity
    priority: float
    title: dict[str, str]
    message: dict[str, str]
    evidence: dict[str, Any]
    references: list[str]
    probe: str
    agency: str = ""
    sensitivity: str = "none"
    confidence: str = "high"
    status: str = "open"
    suppression: dict[str, Any] | None = None
    baseline: str = ""  # "new" / "known" when the scan was compared with a --baseline, else ""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.rule_id, self.target_id, self.item_key)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["fingerprint"] = self.fingerprint
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        data = {k: v for k, v in data.items() if k != "fingerprint"}
        data["severity"] = Severity(data["severity"])
        return cls(**data)


@dataclass
class RuleEvaluationError:
    """A rule that could not be evaluated on a target's facts (e.g. missing field)."""

    rule_id: str
    target_id: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ScanResult:
    """Everything one scan produced; the unit that is stored, re-rendered and re-judged."""

    scan_id: str
    started_at: str
    finished_at: str
    tool_version: str
    rulepack_version: str
    targets: list[Target]
    facts: list[Facts]
    findings: list[Finding] = field(default_factory=list)
    evaluation_errors: list[RuleEvaluationError] = field(default_factory=list)
    evaluated_rules: list[str] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION
    applicable: dict[str, list[str]] | None = None
    """rule id -> targets where the rule's ``applies_when`` held, as the judge recorded it;
    None for results judged before it was recorded (the compliance view then works it out)."""

    def inconclusive(self) -> list[Facts]:
        return [f for f in self.facts if not f.conclusive]

    def partial(self) -> list[Facts]:
        """Conclusive observations that a cap (size, count) cut short."""
        return [f for f in self.facts if f.conclusive and f.limits]

    def complete(self) -> bool:
        """Every target observed in full and every rule evaluated: what a clean exit 0 requires."""
        return not self.inconclusive() and not self.partial() and not self.evaluation_errors

    def open_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "open"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "scan_id": self.scan_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "tool_version": self.tool_version,
            "rulepack_version": self.rulepack_version,
            "profile": self.profile,
            "targets": [t.to_dict() for t in self.targets],
            "facts": [f.to_dict() for f in self.facts],
            "findings": [f.to_dict() for f in self.findings],
            "evaluation_errors": [e.to_dict() for e in self.evaluation_errors],
            "evaluated_rules": self.evaluated_rules,
            **({} if self.applicable is None else {"applicable": self.applicable}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScanResult:
        return cls(
            schema_version=data.get("schema_version", SCHEMA_VERSION),
            scan_id=data["scan_id"],
            started_at=data["started_at"],
            finished_at=data["finished_at"],
            tool_version=data["tool_version"],
            rulepack_version=data["rulepack_version"],
            profile=data.get("profile", {}),
            targets=[Target.from_dict(t) for t in data["targets"]],
            facts=[Facts.from_dict(f) for f in data["facts"]],
            findings=[Finding.from_dict(f) for f in data.get("findings", [])],
            evaluation_errors=[RuleEvaluationError(**e) for e in data.get("evaluation_errors", [])],
            evaluated_rules=data.get("evaluated_rules", []),
            applicable=data.get("applicable"),
        )


class Line(NamedTuple):
    """One labelled line of a reproduction step; ``label`` is a key of the report strings
    (``repro_request``, ``repro_response``, ``repro_command``, ``repro_sql``, ``repro_location``)."""

    label: str
    value: str


@dataclass(frozen=True)
class Reproduction:
    """How an auditor repeats the observation behind one finding, and where it points.

    ``file``/``line``: the scanned file and line of a code or SQL-file finding (SARIF uses them).
    """

    lines: list[Line] = field(default_factory=list)
    file: str | None = None
    line: int | None = None
