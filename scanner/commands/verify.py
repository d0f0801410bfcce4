"""``pindai verify`` and ``pindai sign``: does a report belong to a result, unchanged; Ed25519 signatures.

verify exit codes: 0 the report names this result and its own digest matches; 1 it does not (a
changed byte in the result or the report, or another scan); 2 unreadable input; 3 the report carries
no digest to check (made before this feature, or a format without one).
"""

from __future__ import annotations

import base64
from pathlib import Path

import click

from scanner.commands.common import EXIT_CONFIG, EXIT_FINDINGS, EXIT_OK, EXIT_SCAN_ERROR, fail, read_result


def _report_text(path: Path) -> str:
    if path.suffix.lower() == ".xlsx":
        from scanner.report.xlsx import integrity_text

        return integrity_text(path)
    try:
        return path.read_bytes().decode("utf-8-sig", "surrogateescape")
    except OSError as exc:
        fail(f"{path}: cannot read the report: {exc.strerror}")


def _canonical(result_file: Path) -> bytes:
    from scanner.audit import canonical_json

    return canonical_json(read_result(result_file))


@click.command()
@click.argument("result_file", metavar="RESULT.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("report_file", metavar="REPORT", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Also check RESULT.json.sig (from pindai sign) with this Ed25519 public key (PEM).")
def verify(result_file: Path, report_file: Path, public_key: Path | None) -> None:
    """Check that REPORT was rendered from RESULT.json and that neither was changed since.

    Periksa bahwa LAPORAN dibuat dari HASIL.json dan keduanya tidak berubah.
    """
    import hashlib

    from scanner.report.integrity import report_intact, result_digest_in

    canonical = _canonical(result_file)
    expected = hashlib.sha256(canonical).hexdigest()
    text = _report_text(report_file)
    named = result_digest_in(text)
    intact = report_intact(text)
    if named is None:
        click.echo(f"{report_file}: carries no result digest; cannot verify / tidak memuat nilai integritas")
        raise SystemExit(EXIT_SCAN_ERROR)
    problems = []
    if named != expected:
        problems.append(f"the report names result {named}, but {result_file} is {expected} "
                        "/ laporan tidak cocok dengan hasil ini")
    if intact is False:
        problems.append("the report text was changed after it was written / isi laporan telah berubah")
    if public_key is not None:
        problems += _signature_problems(canonical, result_file, public_key)
    for problem in problems:
        click.echo(f"MISMATCH: {problem}")
    if problems:
        raise SystemExit(EXIT_FINDINGS)
    sealed = "" if intact else " (the report has no digest of its own / laporan tanpa nilai integritas sendiri)"
    click.echo(f"OK: {report_file} belongs to {result_file} (SHA-256 {expected}){sealed}")
    raise SystemExit(EXIT_OK)


def _signature_problems(canonical: bytes, result_file: Path, public_key: Path) -> list[str]:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    sig_path = result_file.with_name(result_file.name + ".sig")
    try:
        key = load_pem_public_key(public_key.read_bytes())
        signature = base64.b64decode(sig_path.read_text(encoding="ascii").strip(), validate=True)
    except (OSError, ValueError) as exc:
        fail(f"cannot read the signature or key: {exc}", EXIT_CONFIG)
    if not isinstance(key, Ed25519PublicKey):
        fail(f"{public_key}: not an Ed25519 public key", EXIT_CONFIG)
    try:
        key.verify(signature, canonical)
    except InvalidSignature:
        return [f"{sig_path} is not a valid signature of {result_file} by this key / tanda tangan tidak sah"]
    return []


@click.command()
@click.argument("result_file", metavar="RESULT.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Ed25519 private key (PEM, unencrypted), e.g. from: openssl genpkey -algorithm ed25519")
def sign(result_file: Path, key_file: Path) -> None:
    """Sign RESULT.json (its canonical form) with an Ed25519 key; writes RESULT.json.sig.

    Tandatangani HASIL.json dengan kunci Ed25519; menulis HASIL.json.sig.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(key_file.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        fail(f"{key_file}: cannot load the private key: {exc}")
    if not isinstance(key, Ed25519PrivateKey):
        fail(f"{key_file}: not an Ed25519 private key")
    sig_path = result_file.with_name(result_file.name + ".sig")
    sig_path.write_text(base64.b64encode(key.sign(_canonical(result_file))).decode("ascii") + "\n", encoding="ascii")
    click.echo(f"wrote {sig_path}")
