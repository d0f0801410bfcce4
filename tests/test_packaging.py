"""A non-editable install (the wheel) carries the rule packs, catalogues and report templates."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parent.parent

CHECK = """
import sys
from scanner.resources import rules_dir, templates_dir
from scanner.judging.rules import load_rules
from scanner.model import ScanResult
from scanner.report import renderer
assert str(rules_dir()).startswith(sys.argv[1]), rules_dir()
assert str(templates_dir()).startswith(sys.argv[1]), templates_dir()
rules = load_rules()
from scanner.judging.eol import load_table
assert load_table().products["php"].cycles
empty = ScanResult("s", "t", "t", "0", rules.version, [], [])
html = renderer("html")(empty, rules, "en")
print(len(rules.rules), len(rules.regulations.catalogues), "<html" in html)
from scanner.pii import assess_column
people = ["Budi Santoso", "Siti Rahayu", "Agus Wibowo", "Dewi Lestari", "Hj. Nur Aini", "Eko Prasetyo"]
names = assess_column("kol_2", people)
assert names is not None and names.kind == "name", names
icd = assess_column("kol_a", ["J06.9", "I10", "BCG"] * 4)
assert icd is not None and icd.kind == "health", icd
"""


def test_wheel_contains_data_and_works_outside_the_checkout(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("pindai-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "scanner/_data/rules/tls.yaml" in names
    assert "scanner/_data/rules/regulations/uu-pdp-2022.yaml" in names
    assert "scanner/_data/rules/data/eol.yaml" in names
    assert "scanner/_data/templates/report.html.j2" in names
    assert {"scanner/pii/data/person_names.yaml", "scanner/pii/data/specific_values.yaml"} <= names
    assert not any(n.startswith(("tests/", "fixtures/")) for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    done = subprocess.run([sys.executable, "-c", CHECK, str(site)], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}, check=False)
    assert done.returncode == 0, done.stderr
    rules, catalogues, rendered = done.stdout.split()
    assert int(rules) > 100 and int(catalogues) == 8 and rendered == "True"
