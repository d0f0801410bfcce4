"""`pindai verify RESULT.json REPORT` ties a report to its result and detects a changed byte in either;
`pindai sign` adds an Ed25519 signature that verify checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from scanner.cli import main
from scanner.report import html, json_report
from tests.report.fixtures import demo_result


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    result, rules = demo_result()
    folder = tmp_path_factory.mktemp("verify")
    (folder / "result.json").write_text(json_report.render(result, rules, "id"), encoding="utf-8")
    (folder / "report.html").write_text(html.render(result, rules, "id"), encoding="utf-8")
    return folder / "result.json", folder / "report.html"


def _verify(*args: str) -> tuple[int, str]:
    run = CliRunner().invoke(main, ["verify", *args])
    return run.exit_code, run.output


def _changed(path: Path, old: str, new: str, tmp_path: Path) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text
    changed = tmp_path / path.name
    changed.write_text(text.replace(old, new, 1), encoding="utf-8")
    return changed


def test_report_belongs_to_its_result(files: tuple[Path, Path]) -> None:
    code, out = _verify(str(files[0]), str(files[1]))
    assert code == 0, out
    assert out.startswith("OK:")


def test_one_changed_byte_in_the_result_is_detected(files: tuple[Path, Path], tmp_path: Path) -> None:
    changed = _changed(files[0], '"scan_id": "demo00000001"', '"scan_id": "demo00000002"', tmp_path)
    code, out = _verify(str(changed), str(files[1]))
    assert code == 1 and "MISMATCH" in out


def test_one_changed_byte_in_the_report_is_detected(files: tuple[Path, Path], tmp_path: Path) -> None:
    changed = _changed(files[1], "Kritis", "Kritiz", tmp_path)
    code, out = _verify(str(files[0]), str(changed))
    assert code == 1 and "changed" in out


def test_report_without_a_digest_cannot_be_verified(files: tuple[Path, Path], tmp_path: Path) -> None:
    plain = tmp_path / "old.html"
    plain.write_text("<html>no digest</html>", encoding="utf-8")
    assert _verify(str(files[0]), str(plain))[0] == 3


def test_ed25519_signature(files: tuple[Path, Path], tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    private = tmp_path / "key.pem"
    public = tmp_path / "key.pub"
    private.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    result = tmp_path / "result.json"
    result.write_bytes(files[0].read_bytes())
    assert CliRunner().invoke(main, ["sign", str(result), "--key", str(private)]).exit_code == 0
    assert _verify(str(result), str(files[1]), "--public-key", str(public))[0] == 0
    other = Ed25519PrivateKey.generate().public_key()
    public.write_bytes(other.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    code, out = _verify(str(result), str(files[1]), "--public-key", str(public))
    assert code == 1 and "signature" in out
