"""Asset inventories: a CSV or XLSX sheet of targets with agency, owner and labels (``-l``, ``[inventory]``).

The first row naming a target column is the header; column names are matched case-insensitively
in Indonesian or English (``target``/``url``, ``perangkat_daerah``/``agency``, ``nama_aplikasi``/``name``,
``exposure``/``paparan``, ``zone``/``zona``, ``email``/``kontak``, ``criticality``/``kritikalitas``);
any other column is kept as a label. A file without such a header is a plain list, one target a line.
Rows that cannot be scanned (malformed, duplicated, outside a declared scope) are returned as
:class:`RowProblem` with file and row number, never raised: one bad row must not stop the others.
XLSX is read through openpyxl (values only, never formulas; the first visible sheet).
"""

from __future__ import annotations

import csv
import io
import re
import socket
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from email.utils import getaddresses
from functools import partial
from pathlib import Path

from scanner.errors import Problem
from scanner.model import Exposure, Target
from scanner.pii.email import is_valid_email
from scanner.pii.masked_forms import mask
from scanner.running.scope import Scope
from scanner.targets import TargetError, parse_target

MAX_ROWS = 100_000
MAX_COLUMNS = 256
HEADER_SEARCH_ROWS = 20  # title rows above the header are skipped

COLUMNS: dict[str, tuple[str, ...]] = {
    "target": ("target", "url", "host", "alamat", "alamat_url", "sasaran", "target_url", "address"),
    "agency": ("agency", "perangkat_daerah", "opd", "skpd", "instansi", "unit_kerja"),
    "name": ("name", "nama_aplikasi", "nama", "aplikasi", "application", "nama_layanan"),
    "exposure": ("exposure", "paparan", "keterpaparan", "akses"),
    "zone": ("zone", "zona"),
    "contacts": ("contact", "contacts", "email", "e_mail", "kontak", "owner", "owner_email", "pemilik",
                 "email_pemilik", "kontak_pemilik", "owner_contact"),
    "criticality": ("criticality", "kritikalitas", "kekritisan", "tingkat_kritis"),
}
_FIELD_OF = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}

_EXPOSURES = {
    "public": Exposure.INTERNET, "publik": Exposure.INTERNET, "internet": Exposure.INTERNET,
    "internal": Exposure.INTERNAL, "intranet": Exposure.INTERNAL,
    "": Exposure.UNKNOWN, "unknown": Exposure.UNKNOWN, "tidak_diketahui": Exposure.UNKNOWN,
}
_CRITICALITY = {
    "critical": "critical", "kritis": "critical", "sangat_tinggi": "critical",
    "high": "high", "tinggi": "high", "medium": "medium", "sedang": "medium",
    "low": "low", "rendah": "low", "": "",
}
_COMMENT = re.compile(r"(^|\s)#.*")
_SPLIT = re.compile(r"[;,\s]+")


class InventoryError(Exception):
    """An inventory file that cannot be read at all (the message names the file)."""


@dataclass(frozen=True)
class RowProblem(Problem):
    """One row that is not scanned, with the reason (both languages): ``file:row: reason``."""

    file: str
    row: int
    reason: str

    @property
    def where(self) -> str:
        return f"{self.file}:{self.row}"


@dataclass
class Inventory:
    """The targets an inventory declares, and the rows it could not use."""

    path: str
    targets: list[Target] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    has_header: bool = False

    @property
    def scope(self) -> Scope:
        """The inventory as a scope: exactly its hosts."""
        return Scope(tuple(sorted({t.host for t in self.targets if t.host})))


def _key(header: object) -> str:
    return re.sub(r"[\s\-./]+", "_", str(header or "").strip().lower()).strip("_")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_index(rows: list[list[str]]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(_FIELD_OF.get(_key(cell)) == "target" for cell in row):
            return index
    return None


def _rows_of_csv(text: str, name: str) -> list[list[str]]:
    sample = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [row[:MAX_COLUMNS] for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:  # a NUL byte, a field over the size limit
        raise InventoryError(f"{name}: not a readable CSV / CSV tidak terbaca: {exc}") from exc
    return rows[: MAX_ROWS + HEADER_SEARCH_ROWS]


def _rows_of_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # not a zip, no workbook part, broken XML: one message, never a traceback
        raise InventoryError(f"{path}: not a readable XLSX workbook / bukan buku kerja XLSX yang terbaca: "
                             f"{type(exc).__name__}: {exc}") from exc
    try:
        sheet = next((ws for ws in workbook.worksheets if ws.sheet_state == "visible"), None)
        if sheet is None:
            raise InventoryError(f"{path}: no visible sheet / tidak ada lembar yang terlihat")
        rows = []
        for row in sheet.iter_rows(max_row=MAX_ROWS + HEADER_SEARCH_ROWS, max_col=MAX_COLUMNS, values_only=True):
            rows.append([_text(v) for v in row])
        return rows
    except InventoryError:
        raise
    except Exception as exc:  # a hostile workbook (bad XML, odd cell types) must be a message, not a traceback
        raise InventoryError(f"{path}: cannot read the workbook / buku kerja tidak terbaca: "
                             f"{type(exc).__name__}: {exc}") from exc
    finally:
        workbook.close()


def _contacts(cell: str) -> tuple[tuple[str, ...], str]:
    """The addresses of a contact cell (``a@x.go.id, b@x.go.id`` or ``Budi <b@x.go.id>``; names are dropped)."""
    if "<" in cell:
        addresses = tuple(address for _, address in getaddresses([cell.replace(";", ",")]) if address)
    else:
        addresses = tuple(a for a in _SPLIT.split(cell) if a)
    bad = [a for a in addresses if not is_valid_email(a)]
    if bad:
        return (), f"not an e-mail address / bukan alamat surel: {', '.join(mask('email', a) for a in bad)}"
    return addresses, ""


def _row_target(values: dict[str, str], labels: dict[str, str], where: str, base_dir: Path | None) -> Target:
    """A Target from one row's named values; TargetError says what is wrong."""
    exposure_key = _key(values.get("exposure", ""))
    if exposure_key not in _EXPOSURES:
        raise TargetError(f"exposure {values['exposure']!r} is not public or internal / "
                          "paparan harus public atau internal")
    criticality_key = _key(values.get("criticality", ""))
    if criticality_key not in _CRITICALITY:
        raise TargetError(f"criticality {values['criticality']!r} is not critical, high, medium or low / "
                          "kritikalitas harus kritis, tinggi, sedang atau rendah")
    zone = values.get("zone", "").lower()
    if not re.fullmatch(r"[a-z0-9_-]*", zone):
        raise TargetError(f"zone {zone!r}: use letters, digits, '-' and '_' / zona hanya huruf, angka, - dan _")
    contacts, problem = _contacts(values.get("contacts", ""))
    if problem:
        raise TargetError(problem)
    target = parse_target(values["target"], agency=values.get("agency", ""), exposure=_EXPOSURES[exposure_key],
                          name=values.get("name", ""), zone=zone, declared_at=where, base_dir=base_dir)
    return replace(target, criticality=_CRITICALITY[criticality_key], contacts=contacts, labels=labels)


def _plain(lines: Iterable[tuple[int, str]], name: str, base_dir: Path | None) -> Inventory:
    inventory = Inventory(name)
    for number, line in lines:
        text = _COMMENT.sub("", line).strip()
        if text:
            _add(inventory, number, partial(parse_target, text, declared_at=f"{name}:{number}", base_dir=base_dir))
    return inventory


def _add(inventory: Inventory, row: int, make: Callable[[], Target]) -> None:
    """Append the target ``make`` builds, or a row problem when it fails or repeats an earlier row."""
    try:
        target = make()
    except TargetError as exc:
        inventory.problems.append(RowProblem(inventory.path, row, str(exc)))
        return
    if any(t.id == target.id for t in inventory.targets):
        first = next(t for t in inventory.targets if t.id == target.id)
        inventory.problems.append(RowProblem(inventory.path, row, f"duplicate of {first.declared_at} "
                                             f"({target.id}) / duplikat baris sebelumnya"))
        return
    inventory.targets.append(target)


def _tabular(rows: list[list[str]], header_at: int, name: str, base_dir: Path | None) -> Inventory:
    inventory = Inventory(name, has_header=True)
    header = rows[header_at]
    columns: dict[int, str] = {}
    labels: dict[int, str] = {}
    for index, cell in enumerate(header):
        key = _key(cell)
        field_name = _FIELD_OF.get(key)
        if field_name and field_name not in columns.values():
            columns[index] = field_name
        elif key:  # a blank header (e.g. the tail of a merged cell) names nothing
            labels[index] = key
    for offset, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if not any(cell.strip() for cell in row):
            continue
        values = {columns[i]: row[i].strip() for i in columns if i < len(row)}
        if not values.get("target"):
            inventory.problems.append(RowProblem(name, offset, "no target in this row / baris tanpa target"))
            continue
        row_labels = {labels[i]: row[i].strip() for i in labels if i < len(row) and row[i].strip()}
        _add(inventory, offset, partial(_row_target, values, row_labels, f"{name}:{offset}", base_dir))
    return inventory


def parse_inventory_text(text: str, name: str, base_dir: Path | None = None) -> Inventory:
    """An inventory from CSV/TSV text with a header row, or a plain one-target-a-line list.

    InventoryError when the text is not readable as CSV; every other problem is a row problem.
    """
    rows = _rows_of_csv(text, name)
    header_at = _header_index(rows)
    if header_at is None:
        return _plain(enumerate(text.splitlines(), start=1), name, base_dir)
    return _tabular(rows, header_at, name, base_dir)


def read_inventory(path: Path, base_dir: Path | None = None) -> Inventory:
    """Read a CSV, TSV, plain text or XLSX inventory; InventoryError when the file is unreadable.

    Relative paths in it resolve against ``base_dir`` (None: the working directory).
    """
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _rows_of_xlsx(path)
        header_at = _header_index(rows)
        if header_at is None:
            raise InventoryError(f"{path}: no header row naming a target column (target, url, host, alamat) "
                                 "in the first rows / tidak ada baris judul dengan kolom target")
        return _tabular(rows, header_at, str(path), base_dir)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InventoryError(f"{path}: cannot read the inventory / inventaris tidak terbaca: {exc}") from exc
    return parse_inventory_text(text, str(path), base_dir)


def outside_scope(inventory: Inventory, scope: Scope) -> Inventory:
    """``inventory`` without the targets ``scope`` does not allow, each reported as a row problem."""
    kept: list[Target] = []
    problems = list(inventory.problems)
    for target in inventory.targets:
        if target.host and not scope.allows(target.host):
            row = int(target.declared_at.rsplit(":", 1)[-1])
            problems.append(RowProblem(inventory.path, row, f"host {target.host!r} is outside the declared scope "
                                       "([scope] allow) / di luar cakupan yang dinyatakan"))
        else:
            kept.append(target)
    return Inventory(inventory.path, kept, sorted(problems, key=lambda p: p.row), inventory.has_header)


def _resolves(host: str) -> bool:
    try:
        socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError, OSError):
        return False
    return True


def unresolvable(inventory: Inventory, workers: int = 16) -> list[RowProblem]:
    """A problem for each target whose host name does not resolve (looked up in parallel)."""
    targets = [t for t in inventory.targets if t.host]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = list(pool.map(lambda t: _resolves(t.host), targets))
    return [RowProblem(inventory.path, int(t.declared_at.rsplit(":", 1)[-1]),
                       f"host name {t.host!r} does not resolve / nama host tidak dapat di-resolve")
            for t, ok in zip(targets, answers, strict=True) if not ok]

