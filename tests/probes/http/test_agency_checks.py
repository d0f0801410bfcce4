"""An agency's own HTTP exposure check, written only in a rule pack given with --rules, runs like the
shipped templates: through the http probe, its soft-404 baselines and masking, with a reproduction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixtures.backup_site import BACKUP_PATH, OWNER, serve
from scanner.cli import main
from scanner.probes.http.data import load
from scanner.probes.http.templates import ExposureTemplate
from tests.support import assert_pack_refused

PACK = """\
pack: kab-portal
probe: http
applies_when: 'facts.exposures.status == "ok"'
checks:
  - id: kab-arsip-cadangan
    category: kab-backup
    name: {id: "Arsip cadangan portal", en: "Portal backup archive"}
    paths: ["/arsip/cadangan-2024.zip"]
    matchers:
      - {type: status, status: [200]}
      - {type: binary, hex: ["504b0304"]}
    extract:
      value: {part: header, regex: 'x-backup-owner: (\\S+)'}
rules:
  - id: KAB-HTTP-001
    severity: high
    title: {id: "Arsip cadangan portal dapat diunduh", en: "Portal backup archive can be downloaded"}
    description: {id: "Arsip berisi basis data portal.", en: "The archive holds the portal's database."}
    when: 'facts.exposures.hits.filter(h, h.id == "kab-arsip-cadangan")'
    item_key: item.path
    message: {id: "Arsip cadangan terbuka di {{ item.path }}", en: "Backup archive open at {{ item.path }}"}
    remediation: {id: ["Pindahkan arsip keluar dari folder web."], en: ["Move the archive out of the web root."]}
    references: ["uu-pdp-2022:35"]
"""


def _scan(url: str, pack: Path, tmp_path: Path) -> tuple[dict, dict]:
    sarif = tmp_path / "r.sarif"
    result = CliRunner().invoke(main, ["scan", url, "--rules", str(pack), "--probe", "http", "--no-store",
                                       "--format", "json", "--sarif", str(sarif), "--lang", "en"])
    assert result.exit_code in (0, 1, 3), result.output
    return json.loads(result.stdout), json.loads(sarif.read_text())


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "kab-portal.yaml"
    path.write_text(PACK)
    return path


def test_a_pack_check_finds_the_file_a_local_server_serves(pack: Path, tmp_path: Path) -> None:
    with serve() as url:
        result, sarif = _scan(url, pack, tmp_path)
    (finding,) = [f for f in result["findings"] if f["rule_id"] == "KAB-HTTP-001"]
    assert finding["item_key"] == BACKUP_PATH
    hits = [h for f in result["facts"] for h in f["data"]["exposures"]["hits"]]
    (hit,) = [h for h in hits if h["id"] == "kab-arsip-cadangan"]
    assert hit["extracted"] == "b***@contoh.go.id"  # what a check extracts is kept masked
    assert OWNER not in json.dumps(result) and OWNER not in json.dumps(sarif)
    (step,) = [r for run in sarif["runs"] for r in run["results"] if r["ruleId"] == "KAB-HTTP-001"]
    commands = [line["value"] for line in step["properties"]["reproduction"]]
    assert any(c.startswith("curl ") and c.endswith(f"{url.rstrip('/')}{BACKUP_PATH}") for c in commands)


def test_a_pack_check_never_fires_on_a_soft_404_site(pack: Path, tmp_path: Path) -> None:
    """Every path answers 200 with the same ZIP-looking body: the match resembles the random-path
    baselines and is discarded, as the shipped templates' matches are."""
    with serve(catch_all=True) as url:
        result, _ = _scan(url, pack, tmp_path)
    assert [f for f in result["findings"] if f["rule_id"] == "KAB-HTTP-001"] == []
    (exposures,) = [f["data"]["exposures"] for f in result["facts"]]
    assert {"id": "kab-arsip-cadangan", "path": BACKUP_PATH, "reason": "resembles-baseline"} in exposures["discarded"]


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ('paths: ["/arsip/cadangan-2024.zip"]', 'paths: ["//evil.example/cadangan.zip"]', "checks[0].paths",
     "a path starts with one '/'"),
    ('{type: binary, hex: ["504b0304"]}', '{type: regex, regex: ["(unclosed"]}', "checks[0].matchers.1.regex.regex",
     "invalid regular expression"),
    ("category: kab-backup", "category: kab-backup\n    method: POST", "checks[0].method",
     "Input should be 'GET' or 'HEAD'"),
])
def test_a_hostile_or_broken_check_is_refused_with_file_and_line(tmp_path: Path, old: str, new: str, field: str,
                                                                 message: str) -> None:
    assert_pack_refused(tmp_path / "kab-portal.yaml", PACK.replace(old, new), 5, "kab-arsip-cadangan", field, message)


def test_the_shipped_exposure_templates_use_the_same_format() -> None:
    for template in load("exposures")["templates"]:
        ExposureTemplate.model_validate(template)
