"""Personal-data discovery quality on the labelled benchmark (``fixtures/pii_bench``).

Loads the benchmark into SQLite and, when installed, private PostgreSQL and MariaDB servers
(``fixtures/db/servers``), scans each with the real ``database`` probe and rules, and prints:

- precision / recall / F1 of "this column holds personal data" (any confidence counts);
- category accuracy (UU PDP specific/general) and protection-state accuracy on the true positives;
- password-storage verdicts for the credential columns;
- critical/high findings that the ground truth does not support (false escalations);
- the misses and false alarms by name.

    .venv/bin/python -m bench.pii_quality                      # sqlite, postgresql, mariadb
    .venv/bin/python -m bench.pii_quality --engines sqlite --rows 250
    .venv/bin/python -m bench.pii_quality --holdout            # the held-out schema
    .venv/bin/python -m bench.pii_quality --events             # held-out event dates and repeated names
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fixtures.pii_bench.events import build_events
from fixtures.pii_bench.load import load
from fixtures.pii_bench.schema import Table, Truth, build, build_holdout
from scanner.judging.rules import load_rules
from scanner.model import Exposure
from scanner.probes.base import ProbeContext
from scanner.probes.database.probe import DatabaseProbe
from scanner.running.scan import new_scan, scan
from scanner.targets import parse_target

_SEVERE = {"critical", "high"}


@dataclass
class Score:
    engine: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    category_ok: int = 0
    protection_ok: int = 0
    credentials_ok: int = 0
    credentials: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    wrong_category: list[str] = field(default_factory=list)
    wrong_protection: list[str] = field(default_factory=list)
    wrong_credentials: list[str] = field(default_factory=list)
    false_severe: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def truth_by_key(tables: list[Table]) -> dict[str, Truth]:
    return {f"{t.name}.{c.name}": c.truth for t in tables for c in t.columns}


def _severe_ok(finding: Any, truth: Truth | None) -> bool:
    """Is a critical/high finding backed by the ground truth?"""
    if finding.rule_id in ("PND-DB-005", "PND-DB-006"):  # password storage
        return truth is not None and truth.credential
    if truth is None or not truth.personal:
        return False
    if finding.rule_id == "PND-DB-001":
        return truth.category == "specific" and truth.protection == "plaintext"
    if finding.rule_id == "PND-DB-002":
        return truth.protection == "plaintext"
    if finding.rule_id == "PND-DB-004":
        return truth.protection == "hashed-weak"
    return True


def evaluate(engine: str, facts: dict[str, Any], findings: list[Any], truth: dict[str, Truth]) -> Score:
    score = Score(engine)
    reported = {_bare(c["key"]): c for c in facts["columns"]}
    creds = {_bare(c["key"]): c for c in facts["credentials"]}
    for key, t in truth.items():
        if t.credential:
            score.credentials += 1
            got = creds.get(key, {}).get("protection", {}).get("state", "not reported")
            if got == t.protection:
                score.credentials_ok += 1
            else:
                score.wrong_credentials.append(f"{key}: {got} (expected {t.protection})")
            continue
        col = reported.get(key)
        if t.personal and col is None:
            score.fn += 1
            score.misses.append(f"{key} ({t.kind}/{t.category}/{t.protection})")
        elif not t.personal and col is not None:
            score.fp += 1
            score.false_alarms.append(f"{key} -> {col['kind']} ({col['confidence']})")
        elif t.personal and col is not None:
            score.tp += 1
            if col["category"] == t.category:
                score.category_ok += 1
            else:
                score.wrong_category.append(f"{key}: {col['category']} (expected {t.category}; kind {col['kind']})")
            state = col["protection"]["state"]
            if state == t.protection:
                score.protection_ok += 1
            else:
                score.wrong_protection.append(f"{key}: {state} (expected {t.protection})")
    for f in findings:
        if str(getattr(f.severity, "value", f.severity)) not in _SEVERE:
            continue
        key = _bare(f.item_key or "")
        if not f.rule_id.startswith("PND-DB-") or "." not in key:
            continue
        if not _severe_ok(f, truth.get(key)):
            score.false_severe.append(f"{f.rule_id} {key}")
    return score


def _bare(key: str) -> str:
    """``public.simpeg_pegawai.nik`` / ``simpeg.simpeg_pegawai.nik`` -> ``simpeg_pegawai.nik``."""
    parts = key.split(".")
    return ".".join(parts[-2:])


def scan_url(url: str, rows: int) -> tuple[dict[str, Any], list[Any]]:
    rules = load_rules()
    target = parse_target(url, exposure=Exposure.INTERNAL, options={"sample_rows": 200, "sample_seed": 1})
    result = scan(new_scan([target], rules), [DatabaseProbe()], rules, ProbeContext())
    facts = next(f for f in result.facts if f.probe == "database")
    return facts.data, list(result.findings)


def _engine_urls(engines: list[str], tables: list[Table], workdir: Path) -> list[tuple[str, str, Any]]:
    """(engine, scan URL, server-or-None) for each engine that could be started."""
    out: list[tuple[str, str, Any]] = []
    for engine in engines:
        if engine == "sqlite":
            url = f"sqlite:///{workdir / 'bench.db'}"
            load(url, tables)
            out.append((engine, url, None))
            continue
        from fixtures.db.servers import start

        try:
            server = start(engine, "weak")  # type: ignore[arg-type]
        except Exception as exc:  # a missing server is reported, not fatal
            print(f"{engine}: not started ({str(exc).splitlines()[0]})")
            continue
        load(server.url(with_password=True), tables)
        scheme = "postgresql" if engine == "postgresql" else "mariadb"
        url = f"{scheme}://pindai_admin:{server.admin_password}@127.0.0.1:{server.port}/{server.database}"
        url += "?sslmode=disable" if engine == "postgresql" else ""  # the weak server offers no TLS
        out.append((engine, url, server))
    return out


def _pct(ok: int, total: int) -> str:
    return f"{ok}/{total} = {100 * ok / total:.1f}%" if total else "n/a"


def report(score: Score, columns: int, personal: int) -> None:
    print(f"\n== {score.engine}: {columns} columns, {personal} personal ==")
    print(f"precision {score.precision:.3f}  recall {score.recall:.3f}  F1 {score.f1:.3f}  "
          f"(tp {score.tp}, fp {score.fp}, fn {score.fn})")
    print(f"category accuracy   {_pct(score.category_ok, score.tp)}")
    print(f"protection accuracy {_pct(score.protection_ok, score.tp)}")
    print(f"password storage    {_pct(score.credentials_ok, score.credentials)}")
    print(f"false critical/high findings: {len(score.false_severe)}")
    for title, items in (("misses", score.misses), ("false alarms", score.false_alarms),
                         ("wrong category", score.wrong_category), ("wrong protection", score.wrong_protection),
                         ("wrong password verdict", score.wrong_credentials),
                         ("false critical/high", score.false_severe)):
        for item in items:
            print(f"  {title}: {item}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql", "mariadb"],
                        choices=["sqlite", "postgresql", "mariadb"])
    parser.add_argument("--rows", type=int, default=250)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--holdout", action="store_true",
                        help="the held-out schema (written after tuning, never tuned on) instead of the main one")
    parser.add_argument("--events", action="store_true",
                        help="the held-out schema of appointment/issue/visit dates and repeated names (issue 25)")
    args = parser.parse_args(argv)
    if args.events:
        tables = build_events(args.rows, args.seed)
    else:
        tables = build_holdout(args.rows, args.seed) if args.holdout else build(args.rows, args.seed)
    truth = truth_by_key(tables)
    columns = sum(1 for t in truth.values() if not t.credential)
    personal = sum(1 for t in truth.values() if t.personal)
    with tempfile.TemporaryDirectory(prefix="pindai-pii-bench-") as tmp:
        for engine, url, server in _engine_urls(args.engines, tables, Path(tmp)):
            try:
                facts, findings = scan_url(url, args.rows)
                report(evaluate(engine, facts, findings, truth), columns, personal)
                print(f"scan cost: {facts.get('cost')}")
            finally:
                if server is not None:
                    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
