"""Per-column facts shared by the ``database`` and ``sqlfile`` probes.

A column item says what personal data a column holds (kind, UU PDP category, confidence)
and how its values are stored (protection state). Only masked examples leave this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from scanner.pii import assess_column, classify_column_name, classify_protection, scrub
from scanner.pii.column_names import normalize
from scanner.pii.column_verdict import VALIDATED_KINDS

MAX_TEXT = 2048  # longer cell values are truncated before classification
CHILD_MIN = 2  # sampled NIKs of minors needed to call a column child data (UU PDP Pasal 4(2) huruf e)
PASSWORD_NAMES = frozenset({
    "password", "passwd", "pwd", "pass", "pw", "pass_hash", "password_hash", "hash_password", "kata_sandi",
    "katasandi", "sandi", "pin", "user_password", "password_digest", "encrypted_password",
    "pw_lama", "pwd_lama", "pass_lama", "password_lama", "sandi_lama", "old_password",
})


CHILD_BASIS = {"nik": "data-anak:nik-birth-date", "birth_date": "data-anak:birth-date"}
ENCRYPTED_UNKNOWN = "encrypted_unknown"
MIN_BLOB_SAMPLES = 5
# labels of kinds recognised from values only (no column-name entry)
VALUE_LABELS: dict[str, dict[str, str]] = {
    "free_text": {"id": "Teks bebas berisi data pribadi", "en": "Free text with personal data"},
    ENCRYPTED_UNKNOWN: {"id": "Kolom terenkripsi (jenis data tidak terlihat)",
                        "en": "Encrypted column (kind of data not visible)"},
}
PROTECTED = frozenset({"hashed-weak", "hashed-strong", "encrypted", "tokenised", "masked", "unknown"})
# name columns of adults next to a child: parents, spouses, guardians, staff
ADULT_ROLES = frozenset({
    "ayah", "ibu", "wali", "suami", "istri", "orang", "ortu", "kepala", "dokter", "dr", "petugas", "pemeriksa",
    "perawat", "bidan", "operator", "verifikator", "pegawai", "pelapor", "pemohon", "penerima", "penanggung",
    "pengantar", "pj", "atasan",
})


@dataclass(frozen=True)
class ColumnRef:
    """Where a column lives; ``key`` is the stable natural key rules use."""

    table: str
    column: str
    type: str = ""
    line: int | None = None

    @property
    def key(self) -> str:
        return f"{self.table}.{self.column}"


def _bounded(values: Iterable[object]) -> list[object]:
    out: list[object] = []
    for v in values:
        if isinstance(v, memoryview):
            v = v.tobytes()
        if isinstance(v, (bytes, bytearray)):
            out.append(bytes(v[:MAX_TEXT]))
        elif isinstance(v, str):
            out.append(v[:MAX_TEXT])
        else:
            out.append(v)
    return out


NOT_SAMPLED: dict[str, Any] = {
    "state": "not-sampled", "scheme": "", "ratio": 0.0, "distinct_ratio": 0.0, "deterministic": None,
    "work_factor": None,
    "evidence": {"id": "Tidak ada nilai yang dapat diambil sampelnya (hanya nama kolom)",
                 "en": "No values could be sampled (column name only)"},
}


def _protection(values: Sequence[object], kind: str | None) -> dict[str, Any]:
    """Protection state of the sampled values; ``not-sampled`` when there are none."""
    if not any(v is not None and v != "" for v in values):
        return dict(NOT_SAMPLED)
    p = classify_protection(values, kind=kind)
    return {
        "state": p.state,
        "scheme": p.scheme or "",
        "evidence": {"id": p.evidence.id, "en": p.evidence.en},
        "ratio": p.ratio,
        "distinct_ratio": p.distinct_ratio,
        "deterministic": p.deterministic,
        "work_factor": p.work_factor,
    }


def _short(example: str, limit: int = 40) -> str:
    """Long examples (ciphertexts, hashes) are cut: their shape is evidence, not their content."""
    return example if len(example) <= limit else f"{example[:8]}…{example[-4:]} ({len(example)} chars)"


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, str]]:
    try:
        from scanner.pii.column_names import dictionary

        return {e.kind: {"id": e.label_id, "en": e.label_en} for e in dictionary().entries}
    except Exception:  # the label is cosmetic; never fail a scan over it
        return {}


def _label(kind: str) -> dict[str, str]:
    """Human label of a personal-data kind (from the column-name dictionary), else the kind."""
    return _labels().get(kind) or VALUE_LABELS.get(kind) or {"id": kind, "en": kind}


def _base(ref: ColumnRef) -> dict[str, Any]:
    item: dict[str, Any] = {"key": ref.key, "table": ref.table, "column": ref.column, "type": ref.type}
    if ref.line is not None:
        item["line"] = ref.line
    return item


def credential_facts(ref: ColumnRef, values: Sequence[object]) -> dict[str, Any] | None:
    """A credential column (password, PIN, token): how its values are stored, or ``None``."""
    hit = classify_column_name(ref.column)
    if hit is None or hit.kind != "credential":
        return None
    values = _bounded(values)
    purpose = "password" if hit.normalized in PASSWORD_NAMES or "password" in hit.normalized else "secret"
    non_empty = [v for v in values if v is not None and v != ""]
    item = _base(ref)
    lengths = sorted({len(v) if isinstance(v, (str, bytes)) else len(str(v)) for v in non_empty})
    item.update({
        "purpose": purpose,
        "sample_size": len(non_empty),
        # hashes have one fixed length per scheme; typed passwords vary (shape only, no content)
        "value_lengths": {"min": lengths[0] if lengths else 0, "max": lengths[-1] if lengths else 0,
                          "distinct": len(lengths)},
        "protection": _protection(non_empty, None),
    })
    return item


def column_facts(ref: ColumnRef, values: Sequence[object], *, on: date | None = None) -> dict[str, Any] | None:
    """A personal-data column item, or ``None`` when neither name nor values suggest personal data.

    A name whose plain values contradict it (a ``telp`` column of random ids, ``nama_bank`` of bank
    names) is dropped; a name over protected values that nothing confirms is kept as ``name_only``
    until :func:`settle_table` sees whether the table holds confirmed personal data.
    """
    hit = classify_column_name(ref.column)
    if hit is not None and hit.kind == "credential":
        return None
    values = _bounded(values)
    assessment = assess_column(ref.column, values, on=on)
    non_empty = [v for v in values if v is not None and v != ""]
    if assessment is None:
        return _encrypted_unknown(ref, non_empty)
    if assessment.category == "none":
        return None
    protection = _protection(non_empty, assessment.kind)
    if assessment.name_hit and not assessment.value_confirmed and assessment.kind in VALIDATED_KINDS \
            and protection["state"] == "plaintext":
        return None
    # one NIK of someone born in 1915 reads as 2015 (two-digit year): ask for two, unless the sample is tiny
    child = assessment.minor_count >= (CHILD_MIN if assessment.sample_size >= 20 else 1)
    category = "specific" if child else assessment.category
    basis = [f"kind:{assessment.kind}"] + ([CHILD_BASIS.get(assessment.kind, "data-anak")] if child else [])
    if assessment.nik_or_kk:
        basis.append("nik-or-kk:not-escalated")
    item = _base(ref)
    item.update({
        "kind": assessment.kind,
        "label": _label(assessment.kind),
        "category": category,
        "sensitivity": category,
        "category_basis": basis,
        "confidence": assessment.confidence,
        "match_ratio": assessment.match_ratio,
        "sample_size": assessment.sample_size,
        "name_hit": assessment.name_hit,
        "value_confirmed": assessment.value_confirmed,
        "name_only": assessment.name_hit and not assessment.value_confirmed and protection["state"] in PROTECTED,
        "nik_or_kk": assessment.nik_or_kk,
        "minor_count": assessment.minor_count,
        "child_data": child,
        "child_evidence": child_evidence(assessment.kind, assessment.minor_count) if child else {},
        "masked_examples": [_short(str(scrub(e))) for e in assessment.masked_examples],
        "protection": protection,
    })
    if assessment.kind == "free_text":
        item["embedded"] = {"share": assessment.embedded_share, "kinds": list(assessment.embedded_kinds)}
    return item


def _encrypted_unknown(ref: ColumnRef, values: list[object]) -> dict[str, Any] | None:
    """A ciphertext column whose name and values say nothing about its content.

    Kept by :func:`settle_table` only in a table with confirmed personal data, whose highest
    category it takes: an encrypted ``catatan_enc`` in a patient table is most likely health data.
    """
    if len(values) < MIN_BLOB_SAMPLES:
        return None
    protection = _protection(values, None)
    if protection["state"] != "encrypted":
        return None
    item = _base(ref)
    item.update({
        "kind": ENCRYPTED_UNKNOWN, "label": _label(ENCRYPTED_UNKNOWN), "category": "general",
        "sensitivity": "general", "category_basis": ["table"], "confidence": "low", "match_ratio": 0.0,
        "sample_size": len(values), "name_hit": False, "value_confirmed": False, "name_only": True,
        "nik_or_kk": False, "minor_count": 0, "child_data": False, "child_evidence": {}, "masked_examples": [],
        "protection": protection,
    })
    return item


def settle_table(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table-level judgement over one table's column items.

    - protected columns known only by name are kept when another column's values confirm that
      the table holds personal data (``nik`` md5 of attachments in a file table is not);
    - a table whose own identifiers (NIK columns) show minors is about children: its people's names
      and birth dates become child data (UU PDP Pasal 4(2) huruf e); parents', spouses' and staff names
      stay as they are. A birth-date column alone marks only itself.
    """
    confirmed = [i for i in items if i.get("value_confirmed")]
    kept = [i for i in items if confirmed or not i.get("name_only")]
    top = "specific" if any(i["category"] == "specific" for i in confirmed) else "general"
    for i in kept:
        if i["kind"] == ENCRYPTED_UNKNOWN:
            i.update({"category": top, "sensitivity": top})
    child_ids = [i for i in kept if i["kind"] == "nik" and i.get("child_data")]
    if child_ids:
        minors = sum(int(i.get("minor_count") or 0) for i in child_ids)
        columns = ", ".join(i["column"] for i in child_ids)
        for i in kept:
            if i["kind"] in ("name", "birth_date") and not i.get("child_data") and not _adult_role(i["column"]):
                i.update({"category": "specific", "sensitivity": "specific", "child_data": True,
                          "child_evidence": {
                              "id": f"tabelnya memuat {minors} NIK anak di kolom {columns}",
                              "en": f"its table holds {minors} children's NIKs in column {columns}"}})
                i["category_basis"] = [*i["category_basis"], "data-anak:table"]
    return kept


def child_evidence(kind: str, minors: int) -> dict[str, str]:
    """What a column's own values showed about children, counted in words (for the finding message)."""
    if kind == "birth_date":
        return {"id": f"{minors} tanggal lahir di bawah 18 tahun", "en": f"{minors} dates of birth under 18 years"}
    return {"id": f"{minors} sampel NIK milik anak", "en": f"{minors} sampled NIKs belong to children"}


def _adult_role(column: str) -> bool:
    tokens = set(normalize(column).split("_"))
    return bool(tokens & ADULT_ROLES)
