"""Asset inventories: CSV/XLSX headers in both languages, bad rows with row numbers, hostile workbooks,
`pindai inventory check`, `pindai scan -l` and a profile's [inventory]."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from scanner.cli import main
from scanner.history.store import Store
from scanner.inventory import InventoryError, parse_inventory_text, read_inventory
from scanner.model import Exposure, Target
from scanner.profile import load_profile
from tests.report.validation import errors, result_validator

SOURCE = Path(__file__).parent.parent / "fixtures" / "source"

CSV = (
    "No;Target;Perangkat Daerah;Nama Aplikasi;Paparan;Email;Kritikalitas;Zona;Catatan\n"
    "1;https://simpus.contoh.go.id/;Dinas Kesehatan;SIMPUS;publik;"
    "admin@dinkes.go.id, ops@dinkes.go.id;tinggi;dmz;lama\n"
    "2;bappeda.contoh.go.id:8443;Bappeda;e-Planning;internal;;rendah;;\n"
    "3;https://SIMPUS.contoh.go.id;Dinas X;;;;;;\n"
    "4;ftp://files.contoh.go.id/;Dinas Y;;;;;;\n"
    "5;https://a.contoh.go.id/;Dinas Z;;rahasia;;;;\n"
    "6;https://b.contoh.go.id/;Dinas Z;;;bukan-surel;;;\n"
    "7;;Dinas Z;;;;;;\n"
    ";;;;;;;;\n"
)


def test_csv_header_in_indonesian_with_labels_and_row_problems():
    found = parse_inventory_text(CSV, "aset.csv")
    assert found.has_header
    assert [t.id for t in found.targets] == ["https://simpus.contoh.go.id/", "https://bappeda.contoh.go.id:8443/"]
    simpus, bappeda = found.targets
    assert (simpus.agency, simpus.name, simpus.exposure, simpus.criticality, simpus.zone) == (
        "Dinas Kesehatan", "SIMPUS", Exposure.INTERNET, "high", "dmz")
    assert simpus.contacts == ("admin@dinkes.go.id", "ops@dinkes.go.id")
    assert simpus.labels == {"no": "1", "catatan": "lama"}
    assert simpus.declared_at == "aset.csv:2"
    assert (bappeda.exposure, bappeda.criticality, bappeda.contacts) == (Exposure.INTERNAL, "low", ())
    problems = {p.row: p.reason for p in found.problems}
    assert sorted(problems) == [4, 5, 6, 7, 8]
    assert "duplicate of aset.csv:2" in problems[4]
    assert "not a supported scheme" in problems[5]
    assert "exposure 'rahasia'" in problems[6]
    assert "bukan-surel" not in problems[7] and "e-mail" in problems[7]  # personal data stays masked
    assert "no target" in problems[8]
    assert str(found.problems[0]).startswith("aset.csv:4: ")


def test_english_header_case_insensitive_and_comma_separated():
    found = parse_inventory_text("TARGET,Agency,Name,Exposure,Owner,Criticality\n"
                                 "https://x.contoh.go.id/,Diskominfo,Portal,public,a@b.go.id,Critical\n", "a.csv")
    assert not found.problems
    (target,) = found.targets
    assert (target.agency, target.name, target.exposure, target.criticality, target.contacts) == (
        "Diskominfo", "Portal", Exposure.INTERNET, "critical", ("a@b.go.id",))


def test_contacts_with_display_names_keep_only_the_addresses():
    found = parse_inventory_text('target,email\nhttps://x.contoh.go.id/,"Budi Santoso <budi@x.go.id>; '
                                 'Sari <sari@x.go.id>"\nhttps://y.contoh.go.id/,"Budi <bukan-surel>"\n', "a.csv")
    assert found.targets[0].contacts == ("budi@x.go.id", "sari@x.go.id")
    assert [p.row for p in found.problems] == [3]


def test_plain_list_keeps_working():
    found = parse_inventory_text("# aset\nhttps://a.contoh.go.id/  # lama\n\nb.contoh.go.id\nftp://x/\n", "t.txt")
    assert not found.has_header
    assert [t.id for t in found.targets] == ["https://a.contoh.go.id/", "https://b.contoh.go.id/"]
    assert [(p.row, "not a supported scheme" in p.reason) for p in found.problems] == [(5, True)]


def test_contacts_are_serialised_masked_and_labels_round_trip():
    target = parse_inventory_text(CSV, "aset.csv").targets[0]
    data = target.to_dict()
    assert "admin@dinkes.go.id" not in json.dumps(data)
    assert data["contacts"] == ["a***@dinkes.go.id", "o***@dinkes.go.id"]
    again = Target.from_dict(data)
    assert (again.labels, again.criticality) == ({"no": "1", "catatan": "lama"}, "high")


def _hostile_workbook(path: Path) -> None:
    workbook = Workbook()
    hidden = workbook.active
    hidden.title = "rahasia"
    hidden.append(["target"])
    hidden.append(["https://hidden.contoh.go.id/"])
    hidden.sheet_state = "hidden"
    sheet = workbook.create_sheet("Aset")
    sheet.append(["Daftar aset Diskominfo 2026"])  # a title row above the header
    sheet.append(["Alamat URL", "Perangkat Daerah", None, "Nama Aplikasi", 42])
    sheet.merge_cells("B2:C2")  # a merged header cell
    sheet.append(["https://a.contoh.go.id/", "Dinas Kesehatan", "x", "SIMPUS", "=1/0"])
    sheet.append(["=HYPERLINK(\"https://evil.example/\")", "Bappeda", None, None, None])  # never evaluated
    sheet.append([12345, "Bappeda", None, None, None])
    workbook.save(path)


def test_hostile_workbook_hidden_sheet_merged_header_formulas(tmp_path):
    path = tmp_path / "aset.xlsx"
    _hostile_workbook(path)
    found = read_inventory(path)
    assert [t.id for t in found.targets] == ["https://a.contoh.go.id/"]
    assert found.targets[0].agency == "Dinas Kesehatan" and found.targets[0].name == "SIMPUS"
    assert found.targets[0].labels == {}  # a formula is never computed (no cached value: empty)
    assert [(p.row, "no target" in p.reason) for p in found.problems] == [(4, True), (5, False)]
    assert all(p.file == str(path) for p in found.problems)


def _broken_xml_workbook() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, b"<workbook><sheets><sheet" if item.filename == "xl/workbook.xml" else data)
    return out.getvalue()


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x03\x04garbage", b"", "broken-xml"])
def test_unreadable_workbook_is_a_message(tmp_path, content):
    path = tmp_path / "aset.xlsx"
    path.write_bytes(_broken_xml_workbook() if content == "broken-xml" else content)
    with pytest.raises(InventoryError, match=r"aset\.xlsx"):
        read_inventory(path)
    result = CliRunner().invoke(main, ["inventory", "check", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_inventory_check_exit_codes(tmp_path):
    good = tmp_path / "baik.csv"
    good.write_text("target,agency\nhttps://127.0.0.1:8443/,Dinas A\n127.0.0.1:9000,Dinas B\n")
    result = CliRunner().invoke(main, ["inventory", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert "2 target(s) in 2 agency" in result.stdout
    bad = tmp_path / "aset.csv"
    bad.write_text(CSV)
    result = CliRunner().invoke(main, ["inventory", "check", str(bad), "--no-resolve"])
    assert result.exit_code == 2
    assert f"error: {bad}:4: duplicate" in result.stderr
    scoped = CliRunner().invoke(main, ["inventory", "check", str(good), "--scope", "10.0.0.0/8"])
    assert scoped.exit_code == 2 and f"{good}:2: host '127.0.0.1' is outside the declared scope" in scoped.stderr
    unresolved = tmp_path / "dns.csv"
    unresolved.write_text("target\nhttps://tidak-ada.invalid/\n")
    result = CliRunner().invoke(main, ["inventory", "check", str(unresolved)])
    assert result.exit_code == 2 and "does not resolve" in result.stderr


def test_scan_with_inventory_keeps_agency_and_labels_in_report_and_store(tmp_path):
    listing = tmp_path / "aset.csv"
    listing.write_text("target,perangkat_daerah,nama_aplikasi,email,unit\n"
                       f"{SOURCE / 'vulnerable'},Dinas Kesehatan,SIMPUS,kepala@dinkes.go.id,TI\n"
                       f"{SOURCE / 'clean'},Bappeda,e-Plan,,\n"
                       "ftp://x/,Dinas Y,,,\n")
    store = f"sqlite:///{tmp_path / 'h.db'}"
    result = CliRunner().invoke(main, ["scan", "--probe", "code", "-l", str(listing), "--store", store,
                                       "--format", "json"])
    assert result.exit_code == 3, result.stderr  # one row was not scanned: incomplete, not clean
    assert f"warning: not scanned / tidak dipindai: {listing}:4:" in result.stderr
    data = json.loads(result.stdout)
    agencies = {t["id"]: (t["agency"], t["labels"]) for t in data["targets"]}
    assert agencies[str(SOURCE / "vulnerable")] == ("Dinas Kesehatan", {"unit": "TI"})
    assert {f["agency"] for f in data["findings"]} == {"Dinas Kesehatan"}
    assert "kepala@dinkes.go.id" not in result.stdout
    assert errors(result_validator(), data) == []
    stored = Store(store).load(data["scan_id"])
    assert {t.agency for t in stored.targets} == {"Dinas Kesehatan", "Bappeda"}
    assert "kepala@dinkes.go.id" not in json.dumps(stored.to_dict())


def test_scan_of_an_inventory_without_a_usable_row_is_a_usage_error(tmp_path):
    listing = tmp_path / "aset.csv"
    listing.write_text("target,agency\nftp://x/,Dinas A\n")
    result = CliRunner().invoke(main, ["scan", "-l", str(listing), "--no-store"])
    assert result.exit_code == 2
    assert f"error: {listing}:2: 'ftp' is not a supported scheme" in result.stderr and "no targets" in result.stderr


def test_scan_reads_an_inventory_from_standard_input():
    result = CliRunner().invoke(main, ["scan", "--probe", "code", "-l", "-", "--no-store", "--format", "json"],
                                input=f"target;opd\n{SOURCE / 'clean'};Bappeda\n")
    assert result.exit_code == 0, result.stderr
    assert [t["agency"] for t in json.loads(result.stdout)["targets"]] == ["Bappeda"]


def test_scan_with_xlsx_inventory(tmp_path):
    workbook = Workbook()
    workbook.active.append(["URL", "OPD"])
    workbook.active.append([str(SOURCE / "clean"), "Bappeda"])
    workbook.save(tmp_path / "aset.xlsx")
    result = CliRunner().invoke(main, ["scan", "--probe", "code", "-l", str(tmp_path / "aset.xlsx"), "--no-store",
                                       "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert [t["agency"] for t in json.loads(result.stdout)["targets"]] == ["Bappeda"]


def test_profile_inventory_is_the_scope_unless_narrowed(tmp_path):
    (tmp_path / "aset.csv").write_text("target,agency\nhttps://a.contoh.go.id/,Dinas A\n"
                                       "https://b.lain.go.id/,Dinas B\n")
    profile = tmp_path / "p.toml"
    profile.write_text('[inventory]\nfile = "aset.csv"\n')
    loaded = load_profile(profile)
    assert [t.id for t in loaded.targets] == ["https://a.contoh.go.id/", "https://b.lain.go.id/"]
    assert loaded.scope.allows("b.lain.go.id") and not loaded.scope.allows("c.lain.go.id")
    assert not loaded.inventory_problems
    profile.write_text('[inventory]\nfile = "aset.csv"\n[scope]\nallow = ["*.contoh.go.id"]\n')
    narrowed = load_profile(profile)
    assert [t.id for t in narrowed.targets] == ["https://a.contoh.go.id/"]
    assert [(p.row, "outside the declared scope" in p.reason) for p in narrowed.inventory_problems] == [(3, True)]
    (tmp_path / "aset.csv").write_text("target,agency,email\nhttps://a.contoh.go.id/,Dinas A,x@a.go.id y@a.go.id\n"
                                       "https://c.contoh.go.id/,Dinas A,x@a.go.id\nhttps://b.lain.go.id/,Dinas B,\n")
    assert load_profile(profile).contacts() == {"Dinas A": ("x@a.go.id", "y@a.go.id")}


def test_profile_needs_targets_or_inventory(tmp_path):
    profile = tmp_path / "p.toml"
    profile.write_text('name = "kosong"\n')
    result = CliRunner().invoke(main, ["scan", "--profile", str(profile), "--no-store"])
    assert result.exit_code == 2 and "[inventory]" in result.stderr


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("target,;\t\n\"'#:/.@ agencyemailhttps12\0\r")), max_size=300))
def test_any_text_gives_targets_and_row_problems_or_one_inventory_error(text):
    try:
        found = parse_inventory_text(text, "acak.csv")
    except InventoryError as exc:
        assert str(exc).startswith("acak.csv: ")
        return
    assert all(p.file == "acak.csv" and p.row >= 1 for p in found.problems)


def test_scan_profile_with_inventory_warns_of_rows_outside_its_scope(tmp_path):
    (tmp_path / "aset.csv").write_text(f"target,agency\n{SOURCE / 'clean'},Bappeda\nhttps://luar.lain.go.id/,Dinas X\n")
    profile = tmp_path / "p.toml"
    profile.write_text('[inventory]\nfile = "aset.csv"\n[scope]\nallow = ["*.contoh.go.id"]\n')
    result = CliRunner().invoke(main, ["scan", "--probe", "code", "--profile", str(profile), "--no-store",
                                       "--format", "json"])
    assert result.exit_code == 3, result.stderr
    assert f"{tmp_path / 'aset.csv'}:3: host 'luar.lain.go.id' is outside the declared scope" in result.stderr
    assert [t["agency"] for t in json.loads(result.stdout)["targets"]] == ["Bappeda"]
