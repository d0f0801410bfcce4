"""Is a sampled column stored as plaintext, masked, hashed, encrypted or tokenised?

Decided per column, never per value (see the reference, section 3):

1. known formats (bcrypt, argon2, scrypt, PBKDF2, unsalted hex digests, Fernet,
   Laravel ``Crypt``, PGP / pgcrypto, JWE) — a state shared by >= 90 % of values decides;
2. personal-data validators (NIK, phone, e-mail, ...) — >= 50 % valid means plaintext;
3. masking characters (``3201********0001``);
4. base64/hex blobs: decoded lengths that are multiples of 16 plus pooled entropy
   normalised by the observed alphabet (>= 0.9; ciphertext measures ~0.99, Faker
   names/addresses 0.83-0.86) mean encrypted; decoded printable text means plaintext;
5. digit strings that do not validate for an expected ``kind`` suggest tokenisation or
   format-preserving encryption — reported as "cannot confirm".
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from scanner.pii.detectors import classify_value, matches_kind
from scanner.pii.entropy import pooled_normalised
from scanner.pii.types import Bilingual, Protection, ProtectionState

DECIDE_RATIO = 0.9
PLAINTEXT_RATIO = 0.5
ENTROPY_CIPHER = 0.9
AEAD_MIN_BYTES = 28  # 12-byte nonce + 16-byte tag around even an empty plaintext
SHAPE_SHARE = 0.8  # share of values that fit the few most common layouts
SHORTEST_CIPHERTEXT = 16  # one AES block is 24 base64 or 32 hex characters; the shortest digest is 32 hex

_FORMATS: list[tuple[str, ProtectionState, re.Pattern[str]]] = [
    ("bcrypt", "hashed-strong", re.compile(r"^\$2[abxy]?\$(\d{2})\$[./A-Za-z0-9]{53}$")),
    (
        "argon2",
        "hashed-strong",
        re.compile(r"^\$argon2(?:id|i|d)\$(?:v=\d+\$)?m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$"),
    ),
    ("scrypt", "hashed-strong", re.compile(r"^(?:\$scrypt\$ln=\d+|scrypt:\d+:\d+:\d+\$|\$7\$)\S+$")),
    ("pbkdf2", "hashed-strong", re.compile(r"^pbkdf2_sha(?:256|1)\$(\d+)\$[^$]+\$[A-Za-z0-9+/=]+$")),
    ("pbkdf2", "hashed-strong", re.compile(r"^pbkdf2:sha(?:256|1|512):(\d+)\$\S+$")),
    ("pbkdf2", "hashed-strong", re.compile(r"^\$pbkdf2(?:-sha\d+)?\$(\d+)\$\S+$")),
    ("sha512-crypt", "hashed-strong", re.compile(r"^\$6\$(?:rounds=(\d+)\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}$")),
    ("sha256-crypt", "hashed-strong", re.compile(r"^\$5\$(?:rounds=(\d+)\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43}$")),
    ("scram-sha-256", "hashed-strong", re.compile(r"^SCRAM-SHA-256\$(\d+):[^$]+\$[^:]+:.+$")),
    ("md5-crypt", "hashed-weak", re.compile(r"^\$1\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22}$")),
    ("mysql-native", "hashed-weak", re.compile(r"^\*[0-9A-F]{40}$")),
    ("postgres-md5", "hashed-weak", re.compile(r"^md5[0-9a-f]{32}$")),
    ("md5", "hashed-weak", re.compile(r"^[0-9a-fA-F]{32}$")),
    ("sha1", "hashed-weak", re.compile(r"^[0-9a-fA-F]{40}$")),
    ("sha256", "hashed-weak", re.compile(r"^[0-9a-fA-F]{64}$")),
    ("sha512", "hashed-weak", re.compile(r"^[0-9a-fA-F]{128}$")),
    ("fernet", "encrypted", re.compile(r"^gAAAAA[A-Za-z0-9_\-]{50,}={0,2}$")),
    ("pgp", "encrypted", re.compile(r"^-----BEGIN PGP MESSAGE-----")),
    ("pgcrypto-pgp", "encrypted", re.compile(r"^\\x(?:c30d04|c30c04|c32e04|c31e04|c10c03|c15e03)[0-9a-f]+$", re.I)),
    ("jwe", "encrypted", re.compile(r"^eyJ[\w-]+\.[\w-]*\.[\w-]+\.[\w-]+\.[\w-]+$")),
    ("jws", "plaintext", re.compile(r"^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*$")),
    ("token", "tokenised", re.compile(r"^(?:tok|tkn|token|pseudo|psd)[_\-][A-Za-z0-9_\-]{8,}$", re.I)),
]
# raw images and biometric records: readable by anyone who opens them (plaintext specific data)
_RAW_MEDIA: tuple[tuple[bytes, str], ...] = (
    (b"FMR\x00", "iso19794-2-fmr"),  # ISO/IEC 19794-2 / ANSI 378 finger minutiae record
    (b"FIR\x00", "iso19794-4-fir"),  # finger image record
    (b"FAC\x00", "iso19794-5-fac"),  # face image record
    (b"IIR\x00", "iso19794-6-iir"),  # iris image record
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF8", "gif"),
    (b"BM", "bmp"),
    (b"\x00\x00\x00\x0cjP  ", "jpeg2000"),
    (b"WSQ", "wsq"),
)
_MEDIA_SCHEMES = frozenset(scheme for _, scheme in _RAW_MEDIA)
# e-mail whose local part is masked: b***@x.go.id, bu•••@gmail.com, bxxxx@mail.com
_MASKED_EMAIL = re.compile(r"^[^@\s*•#]{0,3}(?:[*•#]{2,}|[xX]{3,})[^@\s]{0,2}@[^@\s]+\.[^@\s]+$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I)
_MASK_RUN = re.compile(r"[*\u2022#]{2,}|(?<![A-Za-wyz])[xX]{3,}(?![A-Za-wyz])")
_B64 = re.compile(r"^[A-Za-z0-9+/_\-]+={0,2}$")
_HEX = re.compile(r"^(?:\\x)?[0-9a-fA-F]+$")
_DIGITS = re.compile(r"^[\d\s.\-+]+$")
_HEX_DIGESTS = {"md5", "sha1", "sha256", "sha512"}
_RANDOMISED = {
    "bcrypt",
    "argon2",
    "scrypt",
    "pbkdf2",
    "sha512-crypt",
    "sha256-crypt",
    "md5-crypt",
    "scram-sha-256",
    "fernet",
    "laravel-crypt",
    "pgp",
    "pgcrypto-pgp",
    "jwe",
}
_LABEL_ID = {
    "plaintext": "teks biasa",
    "masked": "disamarkan",
    "hashed-strong": "hash kuat",
    "hashed-weak": "hash lemah",
    "encrypted": "terenkripsi",
    "tokenised": "tokenisasi",
    "unknown": "tidak diketahui",
}


def _is_laravel(value: str) -> bool:
    if not value.startswith("eyJpdiI6"):
        return False
    try:
        data = json.loads(base64.b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, binascii.Error):
        return False
    return isinstance(data, dict) and {"iv", "value", "mac"} <= set(data)


def _is_masked(value: str) -> bool:
    runs = _MASK_RUN.findall(value)
    if not runs:
        return False
    masked_chars = sum(len(r) for r in runs)
    return masked_chars / max(len(value), 1) >= 0.25


def _text(value: object) -> str | bytes | None:
    if value is None:
        return None
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytearray):
        value = bytes(value)
    if isinstance(value, bytes):
        try:
            decoded = value.decode("utf-8")
        except UnicodeDecodeError:
            return value
        return decoded.strip() if decoded.isprintable() else value
    text = str(value).strip()
    return text or None


def _recognise(value: str | bytes) -> tuple[str, ProtectionState, int | None] | None:
    if isinstance(value, bytes):
        if value[:2] in (b"\xc3\x0d", b"\xc3\x0c", b"\xc1\x0c", b"\xc3\x2e", b"\xc3\x1e"):
            return "pgcrypto-pgp", "encrypted", None
        for magic, scheme in _RAW_MEDIA:
            if value.startswith(magic):
                return scheme, "plaintext", None
        return None
    for name, state, pattern in _FORMATS:
        m = pattern.match(value)
        if m:
            factor = int(m.group(1)) if m.groups() and m.group(1) else None
            return name, state, factor
    if _is_laravel(value):
        return "laravel-crypt", "encrypted", None
    if _is_masked(value) or _MASKED_EMAIL.match(value):
        return "masked", "masked", None
    return None


def _decode_blob(value: str | bytes) -> bytes | None:
    if isinstance(value, bytes):
        return value
    if value.startswith("\\x") and _HEX.match(value) and len(value) % 2 == 0:
        return bytes.fromhex(value[2:])
    if _HEX.match(value) and len(value) % 2 == 0 and len(value) >= 32:
        return bytes.fromhex(value)
    if _B64.match(value) and len(value) >= 16:
        padded = value + "=" * (-len(value) % 4)
        try:
            if "-" in value or "_" in value:
                return base64.urlsafe_b64decode(padded)
            return base64.b64decode(padded, validate=True)
        except (ValueError, binascii.Error):
            return None
    return None


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def _result(
    state: ProtectionState,
    scheme: str | None,
    en: str,
    id_: str,
    ratio: float,
    n: int,
    distinct: float,
    deterministic: bool | None = None,
    work_factor: int | None = None,
    **extra: object,
) -> Protection:
    return Protection(
        state,
        scheme,
        Bilingual(en, id_),
        round(ratio, 4),
        n,
        round(distinct, 4),
        deterministic,
        work_factor,
        dict(extra),
    )


def classify_protection(values: Iterable[object], *, kind: str | None = None) -> Protection:
    """Classify how a column's sampled values are protected.

    ``kind`` is the personal-data kind expected from the column name (e.g. ``"nik"``);
    it lets digit strings that fail validation be reported as possible tokenisation.
    The steps of the module docstring are tried in order; the first that decides wins.
    """
    items = [t for t in (_text(v) for v in values) if t is not None]
    if not items:
        return _result("unknown", None, "No values sampled", "Tidak ada nilai yang diambil sampelnya", 0, 0, 0)
    sample = _Sample(items, kind)
    for step in (_known_formats, _readable_personal_data, _digit_strings, _encoded_blobs):
        decided = step(sample)
        if decided is not None:
            return decided
    return _readable_text(sample)


@dataclass(frozen=True)
class _Sample:
    """A column's sampled values (text or bytes) and the personal-data kind its name suggests."""

    items: list[str | bytes]
    kind: str | None

    @property
    def n(self) -> int:
        return len(self.items)

    @property
    def distinct(self) -> float:
        return len(set(self.items)) / len(self.items)


def _known_formats(sample: _Sample) -> Protection | None:
    """Step 1: a known hash, cipher or token format shared by most values."""
    items, n, distinct = sample.items, sample.n, sample.distinct
    recognised = [_recognise(v) for v in items]
    states = Counter(r[1] for r in recognised if r)
    if states:
        state, count = states.most_common(1)[0]
        share = count / n
        if share >= DECIDE_RATIO:
            schemes = Counter(r[0] for r in recognised if r and r[1] == state)
            scheme = schemes.most_common(1)[0][0]
            hex_lengths = {len(str(v)) for v, r in zip(items, recognised, strict=True) if r and r[0] in _HEX_DIGESTS}
            if scheme in _HEX_DIGESTS and len(hex_lengths) > 1:
                return _result(
                    "encrypted",
                    "aes-hex",
                    f"{_pct(share)} of {n} values are hex strings of varying lengths (multiples of 32): "
                    "ciphertext, not a digest",
                    f"{_pct(share)} dari {n} nilai berupa hex dengan panjang berbeda-beda (kelipatan 32): "
                    "ciphertext, bukan hash",
                    share,
                    n,
                    distinct,
                    deterministic=distinct < 1.0 or None,
                )
            factors = [r[2] for r in recognised if r and r[0] == scheme and r[2] is not None]
            factor = min(factors) if factors else None
            deterministic: bool | None
            if scheme in _RANDOMISED:
                deterministic = False
            elif scheme in _HEX_DIGESTS or scheme in ("mysql-native",):
                deterministic = True
            else:
                deterministic = None
            return _known_format(state, scheme, share, n, distinct, deterministic, factor)
    return None


def _readable_personal_data(sample: _Sample) -> Protection | None:
    """Step 2: values that validate as personal data are plaintext."""
    items, n, distinct, kind = sample.items, sample.n, sample.distinct, sample.kind
    text_items = [v for v in items if isinstance(v, str)]
    valid = [m for m in (classify_value(v) for v in text_items) if m is not None and m.kind != "health"]
    if kind and matches_kind(kind, "x") is not None:
        expected_valid = sum(1 for v in text_items if matches_kind(kind, v))
        if expected_valid / n >= PLAINTEXT_RATIO:
            return _result(
                "plaintext",
                None,
                f"{_pct(expected_valid / n)} of {n} values are readable {kind} values",
                f"{_pct(expected_valid / n)} dari {n} nilai adalah {kind} yang terbaca (tidak terlindungi)",
                expected_valid / n,
                n,
                distinct,
            )
    if len(valid) / n >= PLAINTEXT_RATIO:
        top = Counter(m.kind for m in valid).most_common(1)[0][0]
        return _result(
            "plaintext",
            None,
            f"{_pct(len(valid) / n)} of {n} values are readable personal data (mostly {top})",
            f"{_pct(len(valid) / n)} dari {n} nilai adalah data pribadi yang terbaca (terutama {top})",
            len(valid) / n,
            n,
            distinct,
        )
    return None


def _digit_strings(sample: _Sample) -> Protection | None:
    """Step 3: digit strings (plain numbers, or tokens / format-preserving encryption) and UUIDs."""
    items, n, distinct, kind = sample.items, sample.n, sample.distinct, sample.kind
    text_items = [v for v in items if isinstance(v, str)]
    if text_items and all(_DIGITS.match(v) for v in text_items) and len(text_items) == n:
        if kind in ("nik", "kk", "npwp", "nip", "phone"):
            return _result(
                "tokenised",
                "format-preserving?",
                f"Digit strings that mostly fail {kind} validation: tokens or format-preserving encryption "
                "(cannot confirm; ask the owner)",
                f"Deretan angka yang sebagian besar tidak valid sebagai {kind}: token atau enkripsi "
                "format-preserving (tidak dapat dipastikan; tanyakan pemilik sistem)",
                1.0,
                n,
                distinct,
            )
        return _result("plaintext", None, "Values are plain numbers", "Nilai berupa angka biasa", 1.0, n, distinct)

    if all(isinstance(v, str) and _UUID.match(v) for v in items):
        state_uuid: ProtectionState = "tokenised" if kind else "unknown"
        return _result(
            state_uuid,
            "uuid",
            "Values are UUIDs: random identifiers, not readable personal data",
            "Nilai berupa UUID: pengenal acak, bukan data pribadi yang terbaca",
            1.0,
            n,
            distinct,
        )
    return None


def _encoded_blobs(sample: _Sample) -> Protection | None:
    """Step 4: base64/hex/binary blobs: encoded text, ciphertext or raw digests."""
    items, n, distinct = sample.items, sample.n, sample.distinct
    blobs = [_decode_blob(v) for v in items]
    if all(b is not None for b in blobs):
        decoded = [b for b in blobs if b is not None]
        printable = [b for b in decoded if _printable(b)]
        if len(printable) / n >= DECIDE_RATIO:
            inner = [m for m in (classify_value(b.decode()) for b in printable) if m is not None]
            return _result(
                "plaintext",
                "base64",
                "Values are only base64/hex-encoded readable text"
                + (" containing personal data" if inner else "")
                + "; encoding is not encryption",
                "Nilai hanya di-encode base64/hex dari teks terbaca"
                + (" yang berisi data pribadi" if inner else "")
                + "; encoding bukan enkripsi",
                len(printable) / n,
                n,
                distinct,
            )
        lengths = {len(b) for b in decoded}
        entropy, alphabet = pooled_normalised(v if isinstance(v, str) else v.hex() for v in items)
        if all(length % 16 == 0 and length > 0 for length in lengths) and entropy >= ENTROPY_CIPHER:
            encoding = (
                "binary"
                if all(isinstance(v, bytes) for v in items)
                else ("hex" if all(_HEX.match(str(v)) for v in items) else "base64")
            )
            ambiguous = lengths <= {16, 32}
            return _result(
                "encrypted",
                f"aes-{encoding}",
                f"All values decode to {sorted(lengths)}-byte blocks (multiples of 16) with pooled entropy "
                f"{entropy:.2f} of the maximum: block-cipher ciphertext"
                + (" (a raw MD5/SHA-256 digest has the same shape)" if ambiguous else ""),
                f"Semua nilai ter-decode menjadi blok {sorted(lengths)} byte (kelipatan 16) dengan entropi gabungan "
                f"{entropy:.2f} dari maksimum: ciphertext block cipher"
                + (" (digest MD5/SHA-256 mentah berbentuk sama)" if ambiguous else ""),
                1.0,
                n,
                distinct,
                deterministic=True if distinct < 1.0 else None,
                pooled_entropy=round(entropy, 3),
                alphabet=alphabet,
            )
        if min(lengths) >= AEAD_MIN_BYTES and entropy >= ENTROPY_CIPHER and not printable:
            return _result(
                "encrypted",
                "aead-like",
                f"All values decode to high-entropy binary of {min(lengths)}-{max(lengths)} bytes (pooled entropy "
                f"{entropy:.2f}), the shape of nonce + ciphertext + tag (AES-GCM/ChaCha20-Poly1305): encrypted, "
                "or hashed with a salt (medium confidence)",
                f"Semua nilai ter-decode menjadi biner berentropi tinggi {min(lengths)}-{max(lengths)} byte (entropi "
                f"gabungan {entropy:.2f}), bentuk nonce + ciphertext + tag (AES-GCM/ChaCha20-Poly1305): terenkripsi, "
                "atau di-hash dengan salt (keyakinan sedang)",
                1.0,
                n,
                distinct,
                deterministic=True if distinct < 1.0 else None,
                confidence="medium",
                pooled_entropy=round(entropy, 3),
            )
        if lengths in ({20}, {64}):
            return _result(
                "hashed-weak",
                f"raw-digest-{lengths.pop()}",
                "Values decode to constant-length raw digests (SHA-1/SHA-512 size)",
                "Nilai ter-decode menjadi digest mentah dengan panjang tetap (ukuran SHA-1/SHA-512)",
                1.0,
                n,
                distinct,
                deterministic=True,
            )
    return None


def _readable_text(sample: _Sample) -> Protection:
    """Step 5: what is left is readable text, or unknown."""
    items, n, distinct, kind = sample.items, sample.n, sample.distinct, sample.kind
    str_items = [v for v in items if isinstance(v, str)]
    if str_items and len(str_items) == n and max(len(v) for v in str_items) < SHORTEST_CIPHERTEXT:
        return _result(
            "plaintext",
            None,
            f"All {n} values are shorter than {SHORTEST_CIPHERTEXT} characters and match no hash or cipher "
            "format: too short to be a digest or ciphertext",
            f"Semua {n} nilai lebih pendek dari {SHORTEST_CIPHERTEXT} karakter dan tidak cocok dengan format "
            "hash atau sandi: terlalu pendek untuk digest atau ciphertext",
            1.0,
            n,
            distinct,
        )
    if str_items and len(str_items) == n and _structured(str_items):
        return _result(
            "plaintext",
            "structured-identifier",
            f"{n} values share a fixed layout of digits, letters and separators (a document number such as "
            "3273-LT-…): readable, not ciphertext",
            f"{n} nilai memiliki pola tetap angka, huruf dan pemisah (nomor dokumen seperti 3273-LT-…): "
            "terbaca, bukan ciphertext",
            1.0,
            n,
            distinct,
        )
    if kind == "password" and str_items:
        return _result(
            "plaintext",
            None,
            f"None of the {n} password values matches a hash format, and they do not decode as ciphertext",
            f"Tidak satu pun dari {n} nilai kata sandi cocok dengan format hash, dan tidak ter-decode sebagai "
            "ciphertext",
            1.0,
            n,
            distinct,
        )
    entropy = pooled_normalised(str_items)[0]
    spaced = sum(1 for v in str_items if " " in v) / n
    if str_items and (spaced >= 0.3 or entropy < ENTROPY_CIPHER):
        return _result(
            "plaintext",
            None,
            f"Values are readable text (pooled entropy {entropy:.2f} of the maximum)",
            f"Nilai berupa teks terbaca (entropi gabungan {entropy:.2f} dari maksimum)",
            1.0,
            n,
            distinct,
            pooled_entropy=round(entropy, 3),
        )
    return _result(
        "unknown",
        None,
        "No known format; values look random but do not decode as ciphertext",
        "Format tidak dikenal; nilai tampak acak tetapi tidak ter-decode sebagai ciphertext",
        0.0,
        n,
        distinct,
        pooled_entropy=round(entropy, 3),
    )


def _shape(value: str) -> str:
    """``3273-LT-01022015-0001`` -> ``9-A-9-9``: runs of digits/letters, separators kept."""
    return re.sub(r"[A-Za-z]+", "A", re.sub(r"\d+", "9", value))


def _structured(values: list[str]) -> bool:
    """Values that fit at most three layouts with separators: document numbers, not random blobs."""
    shapes = Counter(_shape(v) for v in values)
    top = shapes.most_common(3)
    covered = sum(c for _, c in top)
    return covered >= SHAPE_SHARE * len(values) and all(any(ch in "-/." for ch in shape) for shape, _ in top)


def _printable(b: bytes) -> bool:
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(s) and s.isprintable()


def _known_format(
    state: ProtectionState,
    scheme: str,
    share: float,
    n: int,
    distinct: float,
    deterministic: bool | None,
    factor: int | None,
) -> Protection:
    factor_en = f" (work factor {factor})" if factor is not None else ""
    if scheme in _MEDIA_SCHEMES:
        return _result(
            state, scheme,
            f"{_pct(share)} of {n} values are raw {scheme} data: an image or biometric record readable without a key",
            f"{_pct(share)} dari {n} nilai berupa data {scheme} mentah: gambar atau rekaman biometrik yang terbaca "
            "tanpa kunci",
            share, n, distinct,
        )
    notes_en = {
        "hashed-strong": "a salted, slow password hash",
        "hashed-weak": "a fast or unsalted hash: NIKs, phones and passwords can be brute-forced",
        "encrypted": "ciphertext",
        "masked": "partially masked values (prefix/suffix still visible)",
        "plaintext": "a signed token whose payload is readable",
        "tokenised": "tokens that replace the original values",
    }
    notes_id = {
        "hashed-strong": "hash kata sandi yang lambat dan ber-salt",
        "hashed-weak": "hash cepat atau tanpa salt: NIK, nomor HP dan kata sandi dapat ditebak (brute force)",
        "encrypted": "ciphertext",
        "masked": "nilai disamarkan sebagian (awalan/akhiran masih terlihat)",
        "plaintext": "token bertanda tangan yang isinya dapat dibaca",
        "tokenised": "token pengganti nilai asli",
    }
    return _result(
        state,
        scheme,
        f"{_pct(share)} of {n} values are {scheme}{factor_en}: {notes_en.get(state, state)}",
        f"{_pct(share)} dari {n} nilai berformat {scheme}{factor_en.replace('work factor', 'faktor kerja')}: "
        f"{notes_id.get(state, _LABEL_ID[state])}",
        share,
        n,
        distinct,
        deterministic=deterministic,
        work_factor=factor,
    )
