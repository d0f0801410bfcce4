"""SARIF 2.1.0 output that GitHub code scanning accepts, including for URL and database targets.

Location convention (see docs/reports.md):

- a target declared in a profile points at that profile file and line (``Target.declared_at``);
- a code finding points at its file and line (the target root joined with ``evidence.file``), a
  SQL-file finding at the dump's line, both relative to the working directory with
  ``uriBaseId: %SRCROOT%`` so GitHub annotates the line (run Pindai from the repository root);
- otherwise ``sqlfile``/``source`` targets point at their own (relative) path, and URL/database
  targets at a pseudo-path ``pindai-targets/<scheme>/<host>/<path>`` with region line 1;
- every location also carries a ``logicalLocation`` naming the real target (URL, credential-free
  database location, file), which is repeated in the message and in ``properties``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, urlsplit

from scanner.judging.rules import Rule, RuleSet
from scanner.model import Finding, ScanResult, Severity, Target, TargetKind
from scanner.report.common import (
    coverage_notes,
    inconclusive_rows,
    observed_facts,
    parse_declared_at,
    reference,
    strings,
    suppression_view,
    targets_by_id,
    text,
)
from scanner.report.escape import sarif_text
from scanner.report.evidence import as_json, evidence_summary, reproduce, reproduction

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
PSEUDO_ROOT = "pindai-targets"
MAX_TAGS = 20
SRCROOT = "%SRCROOT%"  # GitHub code scanning resolves it to the checkout root
_REPORTED = ("open", "suppressed")


def information_uri() -> str | None:
    """The project's home page from the installed package's metadata (``[project.urls]`` Homepage)."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata("pindai").get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "source", "repository") and url.strip().startswith("https://"):
            return url.strip()
    return None


def _pascal(title: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "".join(w[:1].upper() + w[1:] for w in words)[:255] or "PindaiRule"


def _rule_markdown(rule: Rule, ruleset: RuleSet, lang: str) -> tuple[str, str]:
    """(help.text, help.markdown): why, step-by-step remediation, snippets, references."""
    spec, s = rule.spec, strings(lang)
    steps = getattr(spec.remediation, lang)
    plain = [getattr(spec.description, lang), "", s["remediation"] + ":"]
    plain += [f"{n}. {step}" for n, step in enumerate(steps, start=1)]
    md = [f"**{s['why']}** {getattr(spec.description, lang)}", "", f"**{s['remediation']}**", ""]
    md += [f"{n}. {step}" for n, step in enumerate(steps, start=1)]
    for platform, snippet in spec.snippets.items():
        md += ["", f"*{platform}*", "", "```", snippet.rstrip(), "```"]
    refs = [reference(ruleset, ref, lang) for ref in spec.references]
    plain += ["", s["regulations"] + ":"] + [f"- {r.label} ({r.qualifiers(s)}): {r.text}" for r in refs]
    md += ["", f"**{s['regulations']}**", ""]
    for r in refs:
        link = f"[{r.label}]({r.url})" if r.url else r.label
        interpretation = f" *{s['ref_interpretation']}: {r.interpretation}*" if r.interpretation else ""
        md.append(f"- {link} (*{r.qualifiers(s)}*): {r.text}{interpretation}")
    return "\n".join(plain), "\n".join(md)


def _descriptor(rule: Rule, ruleset: RuleSet, lang: str) -> dict[str, Any]:
    spec = rule.spec
    level = LEVEL[spec.severity.value]
    help_text, help_md = _rule_markdown(rule, ruleset, lang)
    tags = ["security", f"pindai/{spec.probe}", f"severity/{spec.severity.value}", *spec.tags]
    return {
        "id": spec.id,
        "name": _pascal(spec.title.en),
        "shortDescription": {"text": getattr(spec.title, lang)[:1024]},
        "fullDescription": {"text": getattr(spec.description, lang)[:1024]},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": level},
        "properties": {
            "tags": list(dict.fromkeys(tags))[:MAX_TAGS],
            "security-severity": SECURITY_SEVERITY[spec.severity.value],
            "precision": {"high": "high", "medium": "medium", "low": "low"}[spec.confidence],
            "problem.severity": PROBLEM_SEVERITY[level],
            "references": list(spec.references),
            "referenceDetails": [reference(ruleset, ref, lang).to_dict(strings(lang)) for ref in spec.references],
        },
    }


def _orphan_descriptor(finding: Finding, lang: str) -> dict[str, Any]:
    """Descriptor for a stored finding whose rule is no longer in the rule set."""
    title = text(finding.title, lang) or finding.rule_id
    sev = finding.severity.value
    return {
        "id": finding.rule_id,
        "name": _pascal(text(finding.title, "en") or finding.rule_id),
        "shortDescription": {"text": title[:1024]},
        "fullDescription": {"text": title[:1024]},
        "help": {"text": title},
        "defaultConfiguration": {"level": LEVEL[sev]},
        "properties": {"tags": ["security", f"severity/{sev}"], "security-severity": SECURITY_SEVERITY[sev]},
    }


def _uri_for_path(path: str) -> str:
    """Repository-relative URI for a file path (absolute paths under the cwd are relativised)."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            return p.as_uri()
    return quote(PurePosixPath(*p.parts).as_posix(), safe="/._-~")


def pseudo_path(target_id: str, kind: TargetKind) -> str:
    """Deterministic relative pseudo-path for a target that has no file of its own."""
    parts = urlsplit(target_id)
    host = (parts.hostname or "localhost") + (f"_{parts.port}" if parts.port else "")
    segments = [seg for seg in parts.path.split("/") if seg] or ["_root"]
    if kind is TargetKind.URL and parts.path.endswith("/") and parts.path != "/":
        segments.append("_index")
    raw = "/".join([PSEUDO_ROOT, parts.scheme or kind.value, host, *segments])
    return quote(raw, safe="/._-~")


def location(target_id: str, target: Target | None, path: str | None = None, line: int | None = None) -> dict[str, Any]:
    """SARIF location: the file and line a finding's reproduction points at (code, SQL files), else
    the declaring profile line, the target's own file, or a pseudo-path."""
    declared = parse_declared_at(target.declared_at) if target else None
    kind = target.kind if target else TargetKind.URL
    if path and (line or kind is TargetKind.SOURCE):
        uri = _uri_for_path(path)
        artifact = {"uri": uri} if uri.startswith("file:") else {"uri": uri, "uriBaseId": SRCROOT}
        physical: dict[str, Any] = {"artifactLocation": artifact}
        if line:
            physical["region"] = {"startLine": line}
        return {"physicalLocation": physical, "logicalLocations": _logical(target_id, target, kind)}
    if declared:
        uri, line = _uri_for_path(declared[0]), declared[1]
    elif kind in (TargetKind.SQLFILE, TargetKind.SOURCE):
        uri, line = _uri_for_path(target_id), 1
    else:
        uri, line = pseudo_path(target_id, kind), 1
    physical = {"artifactLocation": {"uri": uri}}
    if kind is not TargetKind.SOURCE or declared:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical, "logicalLocations": _logical(target_id, target, kind)}


def _logical(target_id: str, target: Target | None, kind: TargetKind) -> list[dict[str, Any]]:
    logical_kind = "module" if kind in (TargetKind.SQLFILE, TargetKind.SOURCE) else "resource"
    return [{"name": (target.name if target and target.name else target_id),
             "fullyQualifiedName": target_id, "kind": logical_kind}]


def _suppressions(finding: Finding) -> list[dict[str, Any]]:
    info = dict(finding.suppression or {})
    reason = str(info.pop("reason", "") or info.pop("justification", "") or "")
    entry: dict[str, Any] = {"kind": "external", "status": "accepted"}
    if reason:
        entry["justification"] = reason
    if info:
        entry["properties"] = suppression_view(info)
    return [entry]


def _result(finding: Finding, index: int, target: Target | None, ruleset: RuleSet, lang: str,
            observed: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    s = strings(lang)
    facts, rule = observed.get((finding.target_id, finding.probe)), ruleset.by_id(finding.rule_id)
    steps = reproduction(finding, target, facts, rule, s)
    points = reproduce(finding, target, facts, rule)
    message = text(finding.message, lang) or text(finding.title, lang)
    where = target.name + " — " + finding.target_id if target and target.name else finding.target_id
    item = f" [{finding.item_key}]" if finding.item_key else ""
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": LEVEL[finding.severity.value],
        "kind": "fail",
        "rank": max(0.0, min(100.0, float(finding.priority))),
        "message": {"text": sarif_text(f"{message}. {where}{item}")},
        "locations": [location(finding.target_id, target, points.file, points.line)],
        "partialFingerprints": {
            "primaryLocationLineHash": f"{finding.fingerprint}:1",
            "pindaiFingerprint/v1": finding.fingerprint,
        },
        "properties": {
            "target": finding.target_id,
            "targetKind": target.kind.value if target else "",
            "agency": finding.agency or (target.agency if target else ""),
            "itemKey": finding.item_key,
            "severity": finding.severity.value,
            "priority": finding.priority,
            "evidence": evidence_summary(finding.evidence, lang),
            "reproduction": as_json(steps),
            "references": list(finding.references),
            "referenceDetails": [reference(ruleset, ref, lang).to_dict(s) for ref in finding.references],
            "fingerprint": finding.fingerprint,
        },
    }
    if finding.baseline:
        result["baselineState"] = "new" if finding.baseline == "new" else "unchanged"
    if finding.status == "suppressed":
        result["suppressions"] = _suppressions(finding)
    elif finding.suppression and finding.suppression.get("expired"):
        result["properties"]["suppressionExpired"] = str(finding.suppression.get("expires", ""))
    return result


def build(result: ScanResult, ruleset: RuleSet, lang: str) -> dict[str, Any]:
    """The SARIF log as a dict (one run, one result per open or suppressed finding).

    Only the rules that produced a result are described (a one-file code scan stays small); a
    result's rule is described even when it left the rule set (a stored or baseline finding)."""
    findings = [f for f in result.findings if f.status in _REPORTED]
    descriptors: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for f in findings:
        if f.rule_id not in index:
            rule = ruleset.by_id(f.rule_id)
            index[f.rule_id] = len(descriptors)
            descriptors.append(_descriptor(rule, ruleset, lang) if rule else _orphan_descriptor(f, lang))
    targets = targets_by_id(result)
    observed = observed_facts(result)
    invocation: dict[str, Any] = {
        "executionSuccessful": True,
        "toolExecutionNotifications": [
            {"level": "warning",
             "message": {"text": sarif_text(f"{row['target_id']} ({row['probe']}): {row['reason']}")},
             "properties": row}
            for row in inconclusive_rows(result, lang)
        ] + [
            {"level": "warning", "message": {"text": sarif_text(f"{note.target_id} ({note.source}): {note.text}")},
             "properties": note.to_dict()}
            for note in coverage_notes(result, lang)
        ],
    }
    if result.started_at:
        invocation["startTimeUtc"] = result.started_at
    if result.finished_at:
        invocation["endTimeUtc"] = result.finished_at
    category = re.sub(r"[^A-Za-z0-9._-]+", "-", str(result.profile.get("name") or "default"))
    run = {
        "tool": {"driver": {
            "name": "Pindai",
            **({"informationUri": home} if (home := information_uri()) else {}),
            "version": result.tool_version,
            "semanticVersion": result.tool_version,
            "rules": descriptors,
            "properties": {"rulepackVersion": result.rulepack_version},
        }},
        "automationDetails": {"id": f"pindai/{category}/{result.scan_id}"},
        "invocations": [invocation],
        "language": {"id": "id-ID", "en": "en-US"}.get(lang, "en-US"),
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.rule_id], targets.get(f.target_id), ruleset, lang, observed) for f in findings],
        "properties": {"scanId": result.scan_id, "language": lang,
                       "severityScale": {s.value: SECURITY_SEVERITY[s.value] for s in Severity}},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: ScanResult, ruleset: RuleSet, lang: str) -> str:
    """Serialise the SARIF log."""
    return json.dumps(build(result, ruleset, lang), indent=2, ensure_ascii=False)
