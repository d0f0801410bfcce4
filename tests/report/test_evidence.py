"""Evidence an auditor can reproduce: labelled, localised lines with full masked values (no Python
reprs, nothing cut off) and a reproduction step per probe, through the real renderers."""

from __future__ import annotations

import csv
import io
import json

import pytest

from scanner.judging.rules import RuleSet, load_rules
from scanner.model import Facts, Finding, ScanResult, Severity, Target, TargetKind
from scanner.report import renderer

WEB = Target(TargetKind.URL, "https://portal.example.go.id/", agency="Diskominfo")
DB = Target(TargetKind.DATABASE, "postgresql://pindai@db.example.go.id:5433/simpeg", agency="BKD")
DUMP = Target(TargetKind.SQLFILE, "dumps/simpeg.sql", agency="BKD")
HOSTILE_PATH = "/x';touch /tmp/pwned;'"
LONG = "v" * 900


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    return load_rules()


def _finding(shipped: RuleSet, rule_id: str, target: Target, key: str, evidence: dict[str, object]) -> Finding:
    spec = shipped.by_id(rule_id).spec
    return Finding(rule_id, target.id, key, Severity.HIGH, 70.0, spec.title.model_dump(),
                   {"id": "pesan", "en": "message"}, evidence, list(spec.references), spec.probe, agency=target.agency)


@pytest.fixture(scope="module")
def result(shipped: RuleSet) -> ScanResult:
    findings = [
        _finding(shipped, "PND-HTTP-001", WEB, "http://portal.example.go.id/",
                 {"http_url": "http://portal.example.go.id/", "http_status": 200, "first_location": None,
                  "final_url": "http://portal.example.go.id/"}),
        _finding(shipped, "PND-HTTP-002", WEB, "strict-transport-security",
                 {"value": "max-age=60", "max_age": 60, "include_subdomains": False, "preload": False}),
        _finding(shipped, "PND-HTTP-017", WEB, HOSTILE_PATH,
                 {"id": "dotenv", "path": HOSTILE_PATH, "http_status": 200, "length": 191, "note": LONG}),
        _finding(shipped, "PND-AUTH-003", WEB, "GET /api/keluarga",
                 {"method": "GET", "path": "/api/keluarga", "accepted": [{"alg": "none", "http_status": 200},
                                                                          {"alg": "nOnE", "http_status": 200}],
                  "nik": "3201********0001", "secure": False}),
        _finding(shipped, "PND-TLS-002", WEB, "TLSv1.0", {"name": "TLSv1.0", "accepted": True}),
        _finding(shipped, "PND-DB-002", DB, "public.pegawai.nik", {"key": "public.pegawai.nik", "kind": "nik"}),
        _finding(shipped, "PND-DB-009", DB, "line-88", {"line": 88, "type": "host", "auth_method": "trust"}),
        _finding(shipped, "PND-SQL-002", DUMP, "public.pegawai.nik", {"key": "public.pegawai.nik", "line": 23}),
    ]
    facts = [Facts("http", WEB.id, {"final_url": WEB.id, "http_status": 200, "tls_verified": True,
                                    "headers": {"strict_transport_security": {"present": True,
                                                                              "value": "max-age=60"}}})]
    return ScanResult("ev01", "2026-12-01T00:00:00+00:00", "2026-12-01T00:01:00+00:00", "0.1.0", shipped.version,
                      [WEB, DB, DUMP], facts, findings, evaluated_rules=sorted({f.rule_id for f in findings}))


def test_html_evidence_is_labelled_localised_and_complete(result: ScanResult, shipped: RuleSet) -> None:
    en = renderer("html")(result, shipped, "en")
    ident = renderer("html")(result, shipped, "id")
    assert "<dt>First redirect (Location)</dt><dd><code>(none)</code></dd>" in en
    assert "<dt>Alihan pertama (Location)</dt><dd><code>(tidak ada)</code></dd>" in ident
    assert "<dt>Secure</dt><dd><code>no</code></dd>" in en and "<dd><code>tidak</code></dd>" in ident
    assert "Algorithm: none; HTTP status: 200 | Algorithm: nOnE; HTTP status: 200" in en
    assert "Algoritme: none; Status HTTP: 200" in ident  # nested keys are labelled too: no English keys
    assert LONG in en  # full value, never cut
    findings = en[en.index('<section class="agency-block"'):en.index('id="compliance"')]
    assert "{&#39;" not in findings and "=None" not in findings and ">None<" not in findings and "…" not in findings
    assert "3201********0001" in en and "3201567890120001" not in en


def test_reproduction_steps_per_probe(result: ScanResult, shipped: RuleSet) -> None:
    en = renderer("html")(result, shipped, "en")
    assert "GET / HTTP/1.1 · Host: portal.example.go.id" in en  # request line
    assert "HTTP 200 · Strict-Transport-Security: max-age=60" in en  # response status and headers (facts)
    assert "<dt>Response</dt><dd><code>HTTP 200</code></dd>" in en  # the http:// twin: status from the evidence
    assert "curl -sS -i http://portal.example.go.id/" in en
    assert "curl -sS -i &#39;https://portal.example.go.id/x&#39;&#34;&#39;&#34;&#39;;touch" in en  # shell-quoted
    assert "GET /api/keluarga HTTP/1.1" in en  # auth probe: the request that was accepted
    assert "openssl s_client -connect portal.example.go.id:443 -servername portal.example.go.id -tls1" in en
    assert "SELECT &#34;nik&#34; FROM &#34;public&#34;.&#34;pegawai&#34; LIMIT 5;" in en
    assert "FROM pg_hba_file_rules" in en
    assert "dumps/simpeg.sql:23" in en


def test_csv_and_sarif_carry_full_labelled_evidence(result: ScanResult, shipped: RuleSet) -> None:
    rows = list(csv.reader(io.StringIO(renderer("csv")(result, shipped, "en").lstrip("\ufeff"))))
    evidence = [r[rows[0].index("Evidence (masked)")] for r in rows[1:]]
    assert any("First redirect (Location): (none)" in e for e in evidence)
    assert any(LONG in e for e in evidence) and not any("{'" in e or "…" in e for e in evidence)
    log = json.loads(renderer("sarif")(result, shipped, "en"))
    tls = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "PND-TLS-002")
    assert tls["properties"]["reproduction"][0]["value"].startswith("openssl s_client -connect")
    assert tls["properties"]["evidence"] == "Name: TLSv1.0; Accepted: yes"


def test_an_agency_certificate_rule_gets_showcerts_like_a_shipped_one(write_pack, regulations) -> None:
    """The tls probe's reproduction reads which facts the rule is about, not its id prefix (was
    `PND-TLS-0` only, so `KAB-TLS-001` never got -showcerts)."""
    from scanner.report.common import strings
    from scanner.report.evidence import reproduction

    pack = write_pack("id: KAB-TLS-001\nprobe: tls\nseverity: low\ntitle: {id: Sertifikat, en: Lifetime}\n"
                      "description: {id: Uraian, en: Description}\n"
                      "when: 'facts.certificate.status == \"ok\" && facts.certificate.leaf.lifetime_days > 398'\n"
                      "message: {id: Pesan, en: Message}\nremediation: {id: [Langkah], en: [Step]}\n"
                      "references: ['test-law:1']\n")
    rule = load_rules(pack, regulations).by_id("KAB-TLS-001")
    finding = Finding("KAB-TLS-001", WEB.id, "", Severity.LOW, 10.0, {"id": "t", "en": "t"}, {"id": "m", "en": "m"},
                      {}, [], "tls")
    (line,) = reproduction(finding, WEB, {}, rule, strings("en"))
    assert "-showcerts" in line.value and "portal.example.go.id:443" in line.value
