"""Synthetic rule pack and scan results for the report tests and bench/report_render.py."""
# ruff: noqa: E501

from __future__ import annotations

import random
from pathlib import Path

from scanner.judging.rules import RuleSet, load_rules
from scanner.model import Exposure, Facts, Finding, RuleEvaluationError, ScanResult, Severity, Target, TargetKind

PACK = r'''
pack: reporttest
rules:
  - id: PND-TLS-901
    probe: tls
    severity: high
    title: {id: "Protokol TLS usang diterima", en: "Obsolete TLS protocol accepted"}
    description: {id: "Protokol lama dapat disadap sehingga data warga bocor.", en: "Old protocols can be intercepted, leaking citizens' data."}
    when: facts.protocols.filter(p, p.accepted && p.name in ["SSLv3", "TLSv1.0"])
    item_key: item.name
    message: {id: "Protokol {{ item.name }} diterima", en: "Protocol {{ item.name }} is accepted"}
    remediation:
      id: ["Buka berkas konfigurasi server web.", "Matikan SSLv3, TLS 1.0 dan TLS 1.1.", "Muat ulang server dan pindai ulang."]
      en: ["Open the web server configuration file.", "Disable SSLv3, TLS 1.0 and TLS 1.1.", "Reload the server and scan again."]
    snippets:
      nginx: "ssl_protocols TLSv1.2 TLSv1.3;"
      apache: "SSLProtocol -all +TLSv1.2 +TLSv1.3"
    references: ["uu-pdp-2022:35", "permenkominfo-20-2016:5(1)"]
    tags: [tls, crypto]
  - id: PND-HTTP-901
    probe: http
    severity: medium
    title: {id: "Header HSTS tidak ada", en: "HSTS header missing"}
    description: {id: "Tanpa HSTS, peramban dapat dialihkan ke HTTP biasa.", en: "Without HSTS, browsers can be downgraded to plain HTTP."}
    when: "!facts.hsts"
    message: {id: "Header Strict-Transport-Security tidak dikirim", en: "No Strict-Transport-Security header is sent"}
    remediation:
      id: ["Tambahkan header HSTS pada server web."]
      en: ["Add the HSTS header in the web server."]
    snippets:
      nginx: 'add_header Strict-Transport-Security "max-age=31536000" always;'
      laravel: "// app/Http/Middleware/SecurityHeaders.php\n$response->headers->set('Strict-Transport-Security', 'max-age=31536000');"
    references: ["uu-pdp-2022:35"]
  - id: PND-DB-901
    probe: database
    severity: critical
    title: {id: "NIK disimpan tanpa enkripsi", en: "NIK stored unencrypted"}
    description: {id: "NIK adalah data pribadi; jika basis data bocor, identitas warga dapat disalahgunakan.", en: "The NIK is personal data; if the database leaks, citizens' identities can be misused."}
    when: facts.columns.filter(c, c.kind == "nik" && !c.encrypted)
    item_key: item.name
    message: {id: "Kolom {{ item.name }} berisi NIK tanpa enkripsi", en: "Column {{ item.name }} holds NIKs in clear text"}
    remediation:
      id: ["Enkripsi kolom dengan pgcrypto atau di aplikasi.", "Batasi hak akses kolom."]
      en: ["Encrypt the column with pgcrypto or in the application.", "Restrict access to the column."]
    snippets:
      postgresql: "UPDATE penduduk SET nik_enc = pgp_sym_encrypt(nik, current_setting('app.key'));"
      mariadb: "ALTER TABLE penduduk ENCRYPTED=YES;"
    references: ["uu-pdp-2022:35", "uu-pdp-2022:39(1)"]
    sensitivity: specific
  - id: PND-AUTH-901
    probe: auth
    severity: high
    title: {id: "Halaman admin tanpa login", en: "Admin page without login"}
    description: {id: "Siapa pun dapat membuka halaman admin.", en: "Anyone can open the admin page."}
    when: facts.endpoints.filter(e, e.status == 200 && !e.auth_required)
    item_key: item.path
    message: {id: "{{ item.path }} dapat dibuka tanpa login", en: "{{ item.path }} opens without login"}
    remediation:
      id: ["Wajibkan login untuk halaman admin."]
      en: ["Require login for the admin page."]
    references: ["uu-pdp-2022:39(1)"]
  - id: PND-SQL-901
    probe: sqlfile
    severity: low
    title: {id: "Berkas dump berisi data pribadi", en: "Dump file contains personal data"}
    description: {id: "Berkas dump sering tersebar tanpa kendali.", en: "Dump files spread without control."}
    when: facts.personal_data_rows > 0
    message: {id: "Dump berisi data pribadi", en: "The dump contains personal data"}
    remediation:
      id: ["Hapus dump dari repositori."]
      en: ["Remove the dump from the repository."]
    references: ["permenkominfo-20-2016:5(1)"]
  - id: PND-HTTP-902
    probe: http
    severity: info
    title: {id: "Versi server diumumkan", en: "Server version disclosed"}
    description: {id: "Versi server memudahkan penyerang.", en: "The server version helps attackers."}
    when: facts.server != ""
    message: {id: "Server mengumumkan {{ facts.server }}", en: "Server announces its version"}
    remediation:
      id: ["Sembunyikan versi server."]
      en: ["Hide the server version."]
    snippets:
      nginx: "server_tokens off;"
    references: ["permenkominfo-20-2016:5(1)"]
'''

RULE_SPEC = {  # rule id -> (probe, severity, sensitivity)
    "PND-TLS-901": ("tls", Severity.HIGH, "none"),
    "PND-HTTP-901": ("http", Severity.MEDIUM, "none"),
    "PND-DB-901": ("database", Severity.CRITICAL, "specific"),
    "PND-AUTH-901": ("auth", Severity.HIGH, "general"),
    "PND-SQL-901": ("sqlfile", Severity.LOW, "general"),
    "PND-HTTP-902": ("http", Severity.INFO, "none"),
}
RAW_NIK = "3174015708900001"  # a syntactically valid NIK that must never appear unmasked


def synthetic_ruleset(directory: Path) -> RuleSet:
    path = directory / "reporttest.yaml"
    path.write_text(PACK, encoding="utf-8")
    return load_rules(path)


def _finding(rule_id: str, target: Target, item: str, message: dict[str, str], evidence: dict[str, object],
             ruleset: RuleSet, priority: float, **extra: object) -> Finding:
    rule = ruleset.by_id(rule_id)
    assert rule is not None
    return Finding(rule_id=rule_id, target_id=target.id, item_key=item, severity=rule.spec.severity, priority=priority,
                   title={"id": rule.spec.title.id, "en": rule.spec.title.en}, message=message, evidence=evidence,
                   references=list(rule.spec.references), probe=rule.spec.probe, agency=target.agency,
                   sensitivity=rule.spec.sensitivity, **extra)  # type: ignore[arg-type]


def sample_targets() -> list[Target]:
    return [
        Target(TargetKind.URL, "https://simpus.dinkes.example.go.id/", agency="Dinas Kesehatan",
               exposure=Exposure.INTERNET, name="SIMPUS", declared_at="profiles/kota.toml:12"),
        Target(TargetKind.DATABASE, "postgresql://app@db.dinkes.example.go.id:5432/simpus", agency="Dinas Kesehatan",
               exposure=Exposure.INTERNAL, name="DB SIMPUS", declared_at="profiles/kota.toml:20"),
        Target(TargetKind.URL, "https://dukcapil.example.go.id/login", agency="Disdukcapil",
               exposure=Exposure.INTERNET, name="Layanan Adminduk"),
        Target(TargetKind.URL, "https://bkd.example.go.id/", agency="BKD", exposure=Exposure.INTERNET),
        Target(TargetKind.SQLFILE, "dumps/pegawai.sql", name="dump"),
    ]


def sample_result(ruleset: RuleSet) -> ScanResult:
    """Three agencies plus an unassigned target; every severity; one suppressed and one hostile finding."""
    simpus, db, dukcapil, bkd, dump = sample_targets()
    findings = [
        _finding("PND-DB-901", db, "public.penduduk.nik",
                 {"id": "Kolom public.penduduk.nik berisi NIK tanpa enkripsi",
                  "en": "Column public.penduduk.nik holds NIKs in clear text"},
                 {"name": "public.penduduk.nik", "sample": "3174********0001", "leak": f"nik {RAW_NIK}"}, ruleset, 85.0),
        _finding("PND-TLS-901", simpus, "TLSv1.0", {"id": "Protokol TLSv1.0 diterima", "en": "Protocol TLSv1.0 is accepted"},
                 {"name": "TLSv1.0"}, ruleset, 45.0),
        _finding("PND-TLS-901", dukcapil, "SSLv3", {"id": "Protokol SSLv3 diterima", "en": "Protocol SSLv3 is accepted"},
                 {"name": "SSLv3"}, ruleset, 45.0),
        _finding("PND-AUTH-901", dukcapil, "/admin", {"id": "/admin dapat dibuka tanpa login",
                                                      "en": "/admin opens without login"},
                 {"path": "/admin", "title": "<script>alert('xss')</script>"}, ruleset, 60.0),
        _finding("PND-HTTP-901", simpus, "", {"id": "Header HSTS tidak dikirim", "en": "No HSTS header is sent"},
                 {"header": "=HYPERLINK(\"http://evil.example\",\"x\")"}, ruleset, 30.0),
        _finding("PND-HTTP-901", dukcapil, "", {"id": "Header HSTS tidak dikirim", "en": "No HSTS header is sent"},
                 {}, ruleset, 30.0, status="suppressed",
                 suppression={"reason": "Ditangani oleh WAF pusat", "owner": "diskominfo", "expires": "2026-12-31"}),
        _finding("PND-HTTP-902", simpus, "", {"id": "Server mengumumkan nginx/1.18", "en": "Server announces its version"},
                 {"server": "nginx/1.18.0"}, ruleset, 3.0),
        _finding("PND-SQL-901", dump, "", {"id": "Dump berisi data pribadi", "en": "The dump contains personal data"},
                 {"rows": 120}, ruleset, 12.0),
    ]
    facts = [
        Facts("tls", simpus.id, {"protocols": []}), Facts("http", simpus.id, {}),
        Facts("database", db.id, {}), Facts("tls", dukcapil.id, {}), Facts("http", dukcapil.id, {}),
        Facts("auth", dukcapil.id, {}), Facts("sqlfile", dump.id, {}),
        Facts("tls", bkd.id, status="inconclusive", reason="connection timed out after 10 s"),
        Facts("http", bkd.id, status="inconclusive", reason=f"host unreachable (operator note: NIK {RAW_NIK})"),
    ]
    return ScanResult(
        scan_id="a1b2c3d4e5f6", started_at="2026-11-23T08:00:00+00:00", finished_at="2026-11-23T08:04:10+00:00",
        tool_version="0.1.0", rulepack_version=ruleset.version, targets=[simpus, db, dukcapil, bkd, dump],
        facts=facts, findings=findings,
        evaluation_errors=[RuleEvaluationError("PND-AUTH-901", simpus.id, "no such key: endpoints")],
        evaluated_rules=sorted(RULE_SPEC), profile={"path": "profiles/kota.toml", "name": "kota-contoh",
                                                    "scope": ["*.example.go.id"]},
    )


def previous_result(ruleset: RuleSet) -> ScanResult:
    """An older scan: the TLS finding on dukcapil is new since then, one BKD finding got resolved."""
    current = sample_result(ruleset)
    bkd = current.targets[3]
    kept = [f for f in current.findings if not (f.rule_id == "PND-TLS-901" and f.item_key == "SSLv3")]
    resolved = _finding("PND-HTTP-901", bkd, "", {"id": "Header HSTS tidak dikirim", "en": "No HSTS header is sent"},
                        {}, ruleset, 30.0)
    return ScanResult(scan_id="000000prev01", started_at="2026-10-23T08:00:00+00:00",
                      finished_at="2026-10-23T08:03:00+00:00", tool_version="0.1.0",
                      rulepack_version=ruleset.version, targets=current.targets, facts=current.facts,
                      findings=[*kept, resolved], evaluated_rules=current.evaluated_rules)


def big_result(ruleset: RuleSet, n_findings: int = 10_000, n_agencies: int = 25, seed: int = 7) -> ScanResult:
    """A large synthetic scan for the render benchmark."""
    rng = random.Random(seed)
    targets = []
    for a in range(n_agencies):
        agency = f"Dinas {a:02d}"
        for t in range(8):
            targets.append(Target(TargetKind.URL, f"https://app{t}.dinas{a:02d}.example.go.id/", agency=agency,
                                  exposure=Exposure.INTERNET, declared_at=f"profiles/big.toml:{a * 40 + t * 5 + 1}"))
    rules = list(RULE_SPEC)
    findings = []
    for i in range(n_findings):
        target = targets[i % len(targets)]
        rule_id = rules[rng.randrange(len(rules))]
        findings.append(_finding(rule_id, target, f"item-{i}", {"id": f"Butir {i} bermasalah", "en": f"Item {i} is bad"},
                                 {"name": f"item-{i}", "value": f"header value {i}"}, ruleset,
                                 round(rng.uniform(1, 100), 1)))
    return ScanResult(scan_id="bench0000001", started_at="2026-11-23T08:00:00+00:00",
                      finished_at="2026-11-23T09:00:00+00:00", tool_version="0.1.0",
                      rulepack_version=ruleset.version, targets=targets,
                      facts=[Facts(p, t.id, {}) for t in targets for p in ("tls", "http", "auth")],
                      findings=findings, evaluated_rules=sorted(RULE_SPEC))


DEMO_FACTS = Path(__file__).parent.parent / "data" / "demo-facts.json"  # real, masked facts of scripts/demo


def demo_result() -> tuple[ScanResult, RuleSet]:
    """The demo scan re-judged with the shipped rules (no servers needed)."""
    import json

    from scanner.running.scan import judged

    data = json.loads(DEMO_FACTS.read_text(encoding="utf-8"))
    rules = load_rules()
    result = ScanResult("demo00000001", "2026-12-01T08:00:00+00:00", "2026-12-01T08:05:00+00:00", "0.1.0",
                        rules.version, [Target.from_dict(t) for t in data["targets"]],
                        [Facts.from_dict(f) for f in data["facts"]], profile={"name": "demo"})
    return judged(result, rules), rules


FLEET_FACTS = Path(__file__).parent.parent / "data" / "fleet-facts.json"  # two endpoints of bench/fleet_scan.py


def fleet_result(n_targets: int = 100, n_agencies: int = 20) -> tuple[ScanResult, RuleSet]:
    """A synthetic ``n_targets``-site fleet: the two real fleet observations copied onto distinct
    targets (ports), spread over ``n_agencies`` Perangkat Daerah, judged with the shipped rules."""
    import json
    from dataclasses import replace

    from scanner.running.scan import judged

    data = json.loads(FLEET_FACTS.read_text(encoding="utf-8"))
    models = [Target.from_dict(t) for t in data["targets"]]
    facts = [Facts.from_dict(f) for f in data["facts"]]
    for observation in facts:  # the fleet file predates the software fact: nothing identified
        if observation.probe == "http":
            observation.data.setdefault("software", {"status": "ok", "items": []})
    targets: list[Target] = []
    observed: list[Facts] = []
    for i in range(n_targets):
        model = models[i % len(models)]
        location = f"https://127.0.0.1:{20000 + i}/"
        target = replace(model, location=location, name=f"layanan-{i:04d}", agency=f"Dinas {i % n_agencies:02d}")
        targets.append(target)
        observed += [replace(f, target_id=target.id) for f in facts if f.target_id == model.id]
    rules = load_rules()
    result = ScanResult("fleet0000001", "2026-12-06T03:21:26+00:00", "2026-12-06T03:40:00+00:00", "0.1.0",
                        rules.version, targets, observed, profile={"name": "armada"})
    return judged(result, rules), rules
