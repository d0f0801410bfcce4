"""Shared, format-independent views of a scan result: grouping, top fixes, trends, strings."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from scanner.history.diff import diff_scans
from scanner.judging.rules import Rule, RuleSet
from scanner.model import CoverageLimit, Facts, Finding, ScanResult, Severity, Target
from scanner.resources import templates_dir
from scanner.yamlio import load_yaml

SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)
LANGS = ("id", "en")
UNASSIGNED = ""  # agency key of targets that name no agency


@cache
def _all_strings() -> dict[str, dict[str, str]]:
    """strings.yaml, then the strings-*.yaml files beside it (one per report area)."""
    data: dict[str, dict[str, str]] = {}
    for path in [templates_dir() / "strings.yaml", *sorted(templates_dir().glob("strings-*.yaml"))]:
        data.update(load_yaml(path.read_text(encoding="utf-8")))
    return data


def strings(lang: str) -> dict[str, str]:
    """UI labels of reports in ``lang`` (``id`` or ``en``), from reports/templates/strings.yaml."""
    if lang not in LANGS:
        raise ValueError(f"unsupported report language {lang!r}; use 'id' or 'en'")
    return {key: texts.get(lang) or texts["en"] for key, texts in _all_strings().items()}


def scrub(obj: Any) -> Any:
    """Safety net: mask personal data in anything displayed (evidence is masked already)."""
    from scanner.pii import scrub as pii_scrub

    return pii_scrub(obj)


def suppression_view(info: dict[str, Any]) -> dict[str, Any]:
    """A suppression as shown in reports: scrubbed, except ``owner``, an official contact the
    agency wrote into its own suppressions file (not a data subject's personal data)."""
    shown = scrub({k: v for k, v in info.items() if k != "owner"})
    if "owner" in info:
        shown["owner"] = info["owner"]
    return dict(shown)


def text(value: dict[str, str] | Any, lang: str) -> str:
    """Pick ``lang`` from a bilingual mapping (falling back to the other language)."""
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or value.get("id") or "")
    return getattr(value, lang, "") if value is not None else ""


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """Most urgent first: priority, then severity, then rule and target for stability."""
    return sorted(findings, key=lambda f: (-f.priority, -f.severity.rank, f.rule_id, f.target_id, f.item_key))


def targets_by_id(result: ScanResult) -> dict[str, Target]:
    return {t.id: t for t in result.targets}


def observed_facts(result: ScanResult) -> dict[tuple[str, str], dict[str, Any]]:
    """Conclusive facts by (target id, probe): what reproduction steps are built from."""
    return {(f.target_id, f.probe): f.data for f in result.facts if f.conclusive}


def agency_of(finding: Finding, targets: dict[str, Target]) -> str:
    target = targets.get(finding.target_id)
    return finding.agency or (target.agency if target else "") or UNASSIGNED


def parse_declared_at(declared_at: str) -> tuple[str, int] | None:
    """Split ``"path:line"`` into (path, line); None when absent or malformed."""
    match = re.fullmatch(r"(.+):(\d+)", declared_at or "")
    if not match or int(match.group(2)) < 1:
        return None
    return match.group(1), int(match.group(2))


@dataclass
class Fix:
    """One rule's findings: fixing the rule's cause once covers every listed target."""

    rule_id: str
    severity: Severity
    title: dict[str, str]
    findings: list[Finding] = field(default_factory=list)

    @property
    def targets(self) -> list[str]:
        return sorted({f.target_id for f in self.findings})

    @property
    def max_priority(self) -> float:
        return max(f.priority for f in self.findings)

    @property
    def total_priority(self) -> float:
        return round(sum(f.priority for f in self.findings), 1)


def top_fixes(result: ScanResult, limit: int | None = 10) -> list[Fix]:
    """Open findings grouped by rule, ordered by highest priority, then total priority."""
    groups: dict[str, Fix] = {}
    for f in result.open_findings():
        fix = groups.setdefault(f.rule_id, Fix(f.rule_id, f.severity, f.title))
        fix.findings.append(f)
        if f.severity.rank > fix.severity.rank:
            fix.severity = f.severity
    ordered = sorted(groups.values(), key=lambda x: (-x.max_priority, -x.total_priority, -x.severity.rank, x.rule_id))
    return ordered[:limit] if limit is not None else ordered


def counts_by_agency(result: ScanResult) -> dict[str, dict[str, int]]:
    """Open findings per agency and severity (agencies sorted by weighted seriousness)."""
    targets = targets_by_id(result)
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for t in result.targets:
        table[t.agency or UNASSIGNED]
    for f in result.open_findings():
        table[agency_of(f, targets)][f.severity.value] += 1
    rows = {agency: {s: c.get(s, 0) for s in SEVERITIES} for agency, c in table.items()}
    weight = {s.value: 10 ** s.rank for s in Severity}
    return dict(sorted(rows.items(), key=lambda kv: (-sum(weight[s] * n for s, n in kv[1].items()), kv[0])))


@dataclass
class Trend:
    """Change between earlier observations and this scan, keyed on finding fingerprints (see
    :func:`scanner.history.diff.diff_scans`, the same comparison as ``pindai diff``).

    ``not_rescanned`` are earlier findings whose target and probe this scan did not observe: never
    counted as resolved. ``previous_counts`` are the earlier open findings that were compared (resolved
    or unchanged), so before and now cover the same targets and probes. ``previous_scans`` names the
    compared scans (``scan_id``, ``started_at``)."""

    new: list[Finding]
    resolved: list[Finding]
    unchanged: list[Finding]
    not_rescanned: list[Finding]
    previous_counts: dict[str, int]
    previous_scans: list[dict[str, str]]


def trend(result: ScanResult, previous: ScanResult) -> Trend:
    change = diff_scans(previous, result)
    compared = change.fixed + [f for f in previous.open_findings() if f.fingerprint in
                               {p.fingerprint for p in change.persisting}]
    counts = Counter(f.severity.value for f in compared)
    scans = previous.profile.get("compared_scans") or [
        {"scan_id": previous.scan_id, "started_at": previous.started_at}]
    return Trend(
        new=sorted_findings(change.new),
        resolved=sorted_findings(change.fixed),
        unchanged=sorted_findings(change.persisting),
        not_rescanned=sorted_findings(change.unverified),
        previous_counts={s: counts.get(s, 0) for s in SEVERITIES},
        previous_scans=[{"scan_id": str(x.get("scan_id", "")), "started_at": str(x.get("started_at", ""))}
                        for x in scans],
    )


def slug(name: str) -> str:
    """File-name-safe form of an agency name (``unassigned`` for the empty name)."""
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return cleaned or "unassigned"


def inconclusive_rows(result: ScanResult, lang: str) -> list[dict[str, str]]:
    """Targets/probes that could not be observed: the reason in ``lang`` and the recorded detail (scrubbed)."""
    return [inconclusive_row(f, lang) for f in result.inconclusive()]


def inconclusive_row(f: Facts, lang: str) -> dict[str, str]:
    """One inconclusive observation (see :func:`inconclusive_rows`)."""
    from scanner.report.reasons import localised_reason

    detail = str(scrub(f.reason))
    return {"target_id": f.target_id, "probe": f.probe, "reason": localised_reason(detail, lang), "detail": detail}


@dataclass(frozen=True)
class CoverageNote:
    """One localised line saying what a scan did not see, or could not judge, on one target.

    ``source`` is the probe whose cap cut the observation short, or the rule that could not be
    evaluated (``kind`` is ``limit`` or ``evaluation_error``).
    """

    target_id: str
    source: str
    kind: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"target_id": self.target_id, "source": self.source, "kind": self.kind, "text": self.text}


def coverage_notes(result: ScanResult, lang: str) -> list[CoverageNote]:
    """Every partial observation and rule evaluation error of ``result``, one line each, in ``lang``.

    Each report shows these lines: a scan with any of them is partial and cannot exit 0.
    """
    s = strings(lang)
    notes = [CoverageNote(f.target_id, f.probe, "limit", limit_text(limit, lang))
             for f in result.partial() for limit in f.limits]
    notes += [CoverageNote(e.target_id, e.rule_id, "evaluation_error",
                           s["note_evaluation_error"].format(rule=e.rule_id, reason=scrub_line(e.message)))
              for e in result.evaluation_errors]
    return notes


def limit_text(limit: CoverageLimit, lang: str) -> str:
    """The localised sentence for one coverage limit (``limit_<code>`` in strings.yaml)."""
    s = strings(lang)
    template = s.get(f"limit_{limit.code}", s["limit_other"])
    total = "?" if limit.total is None else _number(limit.total, lang)
    return template.format(code=limit.code, limit=_number(limit.limit, lang), total=total)


def _number(n: int, lang: str) -> str:
    """Thousands separated as the language writes them (1.000.000 / 1,000,000)."""
    grouped = f"{n:,}"
    return grouped.replace(",", ".") if lang == "id" else grouped


def rule_spec(ruleset: RuleSet, rule_id: str) -> Rule | None:
    return ruleset.by_id(rule_id)


_MAY_HOLD_PII = re.compile(r"[0-9@]")  # every kind scrub masks has a digit (NIK, phone, ...) or an "@"


@lru_cache(maxsize=65536)
def scrub_line(line: str) -> str:
    """Scrub one display line (cached: scans repeat the same evidence across many targets)."""
    return str(scrub(line)) if _MAY_HOLD_PII.search(line) else line


@dataclass(frozen=True)
class Reference:
    """A cited article as every report shows it: what it is and how sure we are of its summary."""

    ref: str
    label: str
    title: str
    text: str
    url: str
    binding: bool
    source: str
    interpretation: str
    foreign: bool = False
    """Binding law of another jurisdiction (GDPR): not applicable to Indonesian agencies by itself."""

    def qualifiers(self, s: dict[str, str]) -> str:
        """``binding · verified against a full-text copy · summary, not an official quotation``."""
        kind = s["ref_foreign"] if self.foreign else s["ref_binding"] if self.binding else s["ref_voluntary"]
        return " · ".join((kind, s["ref_" + self.source], s["ref_summary"]))

    def short_qualifiers(self, s: dict[str, str]) -> str:
        """The same labels in print's short form; the printed legend (``ref_legend``) spells them out."""
        kind = s["ref_foreign_short"] if self.foreign else s["ref_binding"] if self.binding else s["ref_voluntary"]
        return " · ".join((kind, s["ref_" + self.source + "_short"]))

    def to_dict(self, s: dict[str, str]) -> dict[str, Any]:
        return {"ref": self.ref, "label": self.label, "title": self.title, "binding": self.binding,
                "source": self.source, "summary": self.text, "summary_note": s["ref_summary"],
                "interpretation": self.interpretation, "url": self.url}


def reference(ruleset: RuleSet, ref: str, lang: str) -> Reference:
    """Look up ``catalogue:article``; an unknown reference is shown as unverified and not binding."""
    catalogue_id, _, article_id = ref.partition(":")
    catalogue = ruleset.regulations.catalogues.get(catalogue_id)
    article = ruleset.regulations.resolve(ref)
    return Reference(
        ref=ref,
        label=f"{catalogue.short if catalogue else catalogue_id} {article_id}",
        title=article.title[lang] if article else "",
        text=article.text[lang] if article else "",
        url=article.source_url if article else "",
        binding=bool(catalogue and catalogue.binding),
        source=article.source if article else "unverified",
        interpretation=article.interpretation.get(lang, "") if article else "",
        foreign=bool(catalogue and catalogue.foreign_law),
    )


def reference_line(ruleset: RuleSet, ref: str, lang: str) -> str:
    """One-line form for CSV and plain text: ``UU PDP 35 (binding · verified · summary, ...)``."""
    r = reference(ruleset, ref, lang)
    return f"{r.label} ({r.qualifiers(strings(lang))})"
