"""JUnit XML for CI: one testcase per rule x target, failures for findings, skipped when inconclusive.

Layout: ``<testsuites>`` with one ``<testsuite>`` per agency; ``testcase@classname`` is the
target id, ``testcase@name`` is ``"<rule id> <title>"``. A rule whose probe could not observe
the target is ``<skipped>`` with the reason; a rule that could not be evaluated is ``<error>``;
a finding that is only suppressed is ``<skipped>`` with the justification.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from scanner.judging.rules import RuleSet
from scanner.model import Facts, Finding, ScanResult, Target
from scanner.report.common import UNASSIGNED, coverage_notes, inconclusive_row, scrub, strings, text
from scanner.report.escape import xml_text
from scanner.report.evidence import evidence_summary


def _case_title(rule_id: str, ruleset: RuleSet, findings: list[Finding], lang: str) -> str:
    rule = ruleset.by_id(rule_id)
    if rule is not None:
        return getattr(rule.spec.title, lang)
    return text(findings[0].title, lang) if findings else ""


def _testcase(parent: ET.Element, target: Target, rule_id: str, facts: Facts | None, findings: list[Finding],
              errors: list[str], ruleset: RuleSet, lang: str) -> tuple[int, int, int]:
    """Append one testcase; return (failures, errors, skipped) it adds."""
    s = strings(lang)
    case = ET.SubElement(parent, "testcase", classname=target.id,
                         name=f"{rule_id} {_case_title(rule_id, ruleset, findings, lang)}".strip(), time="0")
    open_ = [f for f in findings if f.status == "open"]
    suppressed = [f for f in findings if f.status == "suppressed"]
    if facts is not None and not facts.conclusive:
        ET.SubElement(case, "skipped").text = f"{s['inconclusive']}: {inconclusive_row(facts, lang)['reason']}"
        return 0, 0, 1
    if not open_ and suppressed:
        notes = [f.suppression or {} for f in suppressed]
        reasons = "; ".join(str(scrub(n.get("reason") or n.get("justification") or "")) for n in notes)
        ET.SubElement(case, "skipped").text = f"{s['suppressed']}: {reasons}".strip()
        return 0, 0, 1
    for message in errors:
        ET.SubElement(case, "error", message=message, type="evaluation-error").text = message
    for f in open_:
        failure = ET.SubElement(case, "failure", message=text(f.message, lang), type=f.severity.value)
        failure.text = "\n".join([
            f"{s['severity']}: {f.severity.value}  {s['priority']}: {f.priority:.1f}",
            f"{s['item']}: {f.item_key}" if f.item_key else "",
            f"{s['evidence']}: {evidence_summary(f.evidence, lang)}",
            f"{s['regulations']}: {', '.join(f.references)}",
            f"{s['fingerprint']}: {f.fingerprint}",
        ]).replace("\n\n", "\n")
    return len(open_), len(errors), 0


def build(result: ScanResult, ruleset: RuleSet, lang: str) -> ET.Element:
    """The ``<testsuites>`` element."""
    findings: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in result.findings:
        findings[(f.target_id, f.rule_id)].append(f)
    errors: dict[tuple[str, str], list[str]] = defaultdict(list)
    limits: dict[str, list[str]] = defaultdict(list)
    for note in coverage_notes(result, lang):
        if note.kind == "evaluation_error":
            errors[(note.target_id, note.source)].append(note.text)
        else:
            limits[note.target_id].append(f"{note.source}: {note.text}")
    facts_by_target: dict[str, list[Facts]] = defaultdict(list)
    for fact in result.facts:
        facts_by_target[fact.target_id].append(fact)
    s_cov = strings(lang)["coverage"]
    root = ET.Element("testsuites", name="Pindai")
    totals = [0, 0, 0, 0]
    by_agency: dict[str, list[Target]] = defaultdict(list)
    for t in result.targets:
        by_agency[t.agency or UNASSIGNED].append(t)
    for agency, agency_targets in by_agency.items():
        suite = ET.Element("testsuite", name=f"Pindai {agency or strings(lang)['no_agency']}",
                           timestamp=result.started_at or "")
        props = ET.SubElement(suite, "properties")
        for name, value in (("scan_id", result.scan_id), ("tool_version", result.tool_version),
                            ("rulepack_version", result.rulepack_version), ("agency", agency)):
            ET.SubElement(props, "property", name=name, value=value)
        counts = [0, 0, 0, 0]
        for target in agency_targets:
            cases: dict[str, Facts | None] = {}
            for fact in facts_by_target.get(target.id, []):
                for rule in ruleset.for_probe(fact.probe):
                    cases[rule.id] = fact
            for target_id, rule_id in list(findings) + list(errors):
                if target_id == target.id:
                    cases.setdefault(rule_id, None)
            for rule_id in sorted(cases):
                key = (target.id, rule_id)
                failed, errored, skipped = _testcase(suite, target, rule_id, cases[rule_id], findings.get(key, []),
                                                     errors.get(key, []), ruleset, lang)
                for i, n in enumerate((1, failed, errored, skipped)):
                    counts[i] += n
            if limits.get(target.id):
                case = ET.SubElement(suite, "testcase", classname=target.id, name=s_cov, time="0")
                ET.SubElement(case, "skipped", message=s_cov).text = "\n".join(limits[target.id])
                counts[0] += 1
                counts[3] += 1
        for attr, count in zip(("tests", "failures", "errors", "skipped"), counts, strict=True):
            suite.set(attr, str(count))
        suite.set("time", "0")
        root.append(suite)
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    for attr, count in zip(("tests", "failures", "errors"), totals[:3], strict=True):
        root.set(attr, str(count))
    return root


def _well_formed(root: ET.Element) -> None:
    """Replace characters XML 1.0 forbids in every text, tail and attribute of the tree."""
    for element in root.iter():
        element.text = xml_text(element.text) if element.text else element.text
        element.tail = xml_text(element.tail) if element.tail else element.tail
        for name, value in element.attrib.items():
            element.set(name, xml_text(value))


def render(result: ScanResult, ruleset: RuleSet, lang: str) -> str:
    root = build(result, ruleset, lang)
    _well_formed(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
