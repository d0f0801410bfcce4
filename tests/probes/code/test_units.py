"""Unit tests of the code probe's parts: ignore files, walking, parsers, patterns, masking."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.probes.code.assignments import assignments
from scanner.probes.code.ignore import IgnoreRules, ignored
from scanner.probes.code.patterns import load_detectors
from scanner.probes.code.probe import observe_tree
from scanner.probes.code.redact import redact_line
from scanner.probes.code.secrets import scan_file
from scanner.probes.code.walk import SourceFile, walk
from tests.support import hang_detector

DETECTORS = load_detectors()


# ------------------------------------------------------------------ ignore files
@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "expected"),
    [
        ("*.log", "a/b/x.log", False, True),
        ("/build", "build", True, True),
        ("/build", "src/build", True, False),
        ("build/", "build/x.py", False, True),
        ("build/", "build", False, False),  # a file named build is not a directory
        ("docs/*.md", "docs/a.md", False, True),
        ("docs/*.md", "docs/sub/a.md", False, False),
        ("**/secret", "a/b/secret", False, True),
        ("a/**/z", "a/z", False, True),
        ("a/**/z", "a/b/c/z", False, True),
        ("fixtures/source/vulnerable/", "fixtures/source/vulnerable/app.py", False, True),
        ("fixtures/source/vulnerable/", "fixtures/source/clean/app.py", False, False),
        ("[ab].txt", "b.txt", False, True),
    ],
)
def test_ignore_patterns(pattern: str, path: str, is_dir: bool, expected: bool) -> None:
    assert ignored([IgnoreRules.parse(pattern)], path, is_dir) is expected


def test_ignore_negation_comments_and_nested_base() -> None:
    rules = IgnoreRules.parse("# comment\n\n*.log\n!keep.log\n")
    assert ignored([rules], "x.log") and not ignored([rules], "keep.log")
    nested = IgnoreRules.parse(".env\n", base="app")
    assert ignored([nested], "app/.env") and not ignored([nested], ".env")


def test_bad_ignore_lines_are_skipped_and_recorded_the_rest_still_applies() -> None:
    rules = IgnoreRules.parse("*.log\n[z-a]\n\\\n!\nsecret/\n")
    assert rules.bad_lines == [2, 3, 4]
    assert ignored([rules], "x.log") and ignored([rules], "secret/a.py") and not ignored([rules], "app.py")


@pytest.mark.parametrize("line", ["**a" * 12 + "b", "*a" * 30 + "b", "a*" * 30 + "b", "**/" * 30 + "b",
                                  "?*" * 30 + "b"])
def test_ignore_matching_is_linear_on_backtracking_patterns(line: str) -> None:
    rules = IgnoreRules.parse(line)
    with hang_detector(30):  # the regex translation took 11+ CPU-minutes on the first one
        for name in ("d/" + "a" * 60 + ".py", "a" * 4000, "/".join(["a"] * 2000)):
            assert not ignored([rules], name)


def test_bad_line_in_a_nested_gitignore_keeps_the_code_probe(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("[z-a]\n.env\n")
    (tmp_path / "sub" / ".env").write_text('DB_PASSWORD="Sup3rS3cretPassw0rd!"\n')
    facts = observe_tree(tmp_path)
    assert facts["inventory"]["skipped"]["ignore_pattern"] == {"count": 1, "paths": ["sub/.gitignore:1"]}
    assert facts["env_files"] == [{"file": "sub/.env", "template": False, "vcs_ignored": True}]
    assert facts["coverage_limits"] == [{"code": "code_ignore_lines", "limit": 0, "total": 1}]


# ------------------------------------------------------------------ walking
def test_walk_skips_and_reports_why(tmp_path: Path) -> None:
    (tmp_path / ".pindaiignore").write_text("generated/\n*.log\n!keep.log\n")
    for rel, data in {
        "app.py": b"x = 1\n",
        "keep.log": b"kept\n",
        "drop.log": b"dropped\n",
        "generated/a.py": b"a = 1\n",
        "node_modules/m/index.js": b"module.exports = 1\n",
        ".venv-test/lib.py": b"y = 2\n",
        ".git/config": b"[core]\n",
        "vendor/autoload.php": b"<?php\n",
        "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00",
        "big.sql": b"-- x\n" * (1024 * 1024 // 5 + 10),
    }.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    os.symlink(tmp_path / "app.py", tmp_path / "link.py")
    inventory = walk(tmp_path, DETECTORS)
    assert sorted(f.rel for f in inventory.files) == [".pindaiignore", "app.py", "keep.log"]
    assert inventory.skipped == {
        "binary": ["logo.png"],
        "excluded_directory": [".git/", ".venv-test/", "node_modules/", "vendor/"],
        "pindaiignore": ["generated/", "drop.log"],
        "symlink": ["link.py"],
        "too_large": ["big.sql"],
    }


# ------------------------------------------------------------------ assignment parsers
def test_dotenv_values_forms_and_quotes() -> None:
    text = "# c\nexport APP_KEY=\"base64:abc=\"\nDB_PASSWORD=\nJWT_SECRET=${OTHER}\nAPP_DEBUG=true # on\nX='a b'\n"
    got = {(a.name, a.value, a.form, a.line) for a in assignments("dotenv", text)}
    assert got == {
        ("APP_KEY", "base64:abc=", "literal", 2),
        ("DB_PASSWORD", "", "empty", 3),
        ("JWT_SECRET", "${OTHER}", "reference", 4),
        ("APP_DEBUG", "true", "literal", 5),
        ("X", "a b", "literal", 6),
    }


def test_php_syntaxes() -> None:
    text = (
        "<?php\n"
        "define('DB_PASSWORD', 'p1');\n"
        "define( 'WP_DEBUG', true );\n"
        "$db['default']['password'] = 'p2';\n"
        "$db_pass = \"p3\";\n"
        "$dsn = \"mysql:$host\";\n"
        "'password' => env('DB_PASSWORD', 'p4'),\n"
        "'username' => env('DB_USERNAME'),\n"
        "'secret' => 'p5',\n"
        "'key' => getenv('X'),\n"
        "ini_set('display_errors', '1');\n"
    )
    got = {(a.syntax, a.name, a.value, a.form) for a in assignments("php", text)}
    assert got == {
        ("php-define", "DB_PASSWORD", "p1", "literal"),
        ("php-define", "WP_DEBUG", "true", "literal"),
        ("php-variable", "password", "p2", "literal"),
        ("php-variable", "db_pass", "p3", "literal"),
        ("php-variable", "dsn", "mysql:$host", "reference"),
        ("php-env-default", "password", "p4", "env_default"),
        ("php-env-default", "username", "", "reference"),
        ("php-array", "secret", "p5", "literal"),
        ("php-ini", "display_errors", "1", "literal"),
    }


def test_python_constants_and_flask_config() -> None:
    text = 'DEBUG = True\nENV = "production"\napp.config["DEBUG"] = False\nx = compute()\n'
    got = {(a.name, a.value) for a in assignments("python", text)}
    assert got == {("DEBUG", "True"), ("ENV", "production"), ("DEBUG", "False")}


# ------------------------------------------------------------------ secret patterns
def _hits(rel: str, text: str) -> list[tuple[str, str | None, bool]]:
    secrets, _ = scan_file(SourceFile(rel, Path(rel), text), DETECTORS)
    return [(s.pattern, s.variable, s.placeholder) for s in secrets]


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        ("a.yml", "key: " + "AKIA" + "ABCDEFGHIJKLMNOP\n", [("aws-access-key-id", None, False)]),
        ("a.yml", "key: AKIA" + "SHORT\n", []),
        ("a.txt", "k=" + "AIza" + "A" * 35 + "\n", [("google-api-key", None, False)]),
        ("a.txt", "t=" + "ghp_" + "a" * 36 + "\n", [("github-token", None, False)]),
        ("a.txt", "t=" + "glpat-" + "b" * 20 + "\n", [("gitlab-token", None, False)]),
        ("a.txt", "t=" + "xoxp-" + "1234567890-abc\n", [("slack-token", None, False)]),
        ("a.js", "const JWT_SECRET = 's3cr3t-value';\n", [("jwt-secret", "JWT_SECRET", False)]),
        ("a.py", "JWT_SECRET = 's3cr3t-value'\n", []),  # Python: bandit B105 reports it
        ("a.js", "jwt.verify(token, jwtSecret, options)\n", []),
        ("a.js", "const jwtSecret = process.env.JWT_SECRET;\n", [("jwt-secret", "jwtSecret", True)]),
        ("README.md", "aws_access_key_id = " + "AKIA" + "IOSFODNN7EXAMPLE\n", [("aws-access-key-id", None, True)]),
        ("a.ini", "url = postgres://u:" + "pw1234@db.local/x\n", [("database-url", None, False)]),
        ("a.ini", "url = postgres://u:${DB_PASS}@db.local/x\n", [("database-url", None, True)]),
        ("a.ini", "url = postgres://db.local/x\n", []),
        ("k.pem", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBm" + "x" * 30 + "\n-----END EC PRIVATE KEY-----\n",
         [("private-key", "EC PRIVATE KEY", False)]),
        ("k.pem", "-----BEGIN PUBLIC KEY-----\nMFkw" + "x" * 30 + "\n-----END PUBLIC KEY-----\n", []),
        (".env", "AWS_KEY=" + "AKIA" + "ABCDEFGHIJKLMNOP\n", [("aws-access-key-id", "AWS_KEY", False)]),
        (".env.production", "REDIS_PASSWORD=abc123\nPUSHER_APP_KEY=public\n", [("dotenv", "REDIS_PASSWORD", False)]),
        (".env.example", "DB_PASSWORD=changeme\n", [("dotenv", "DB_PASSWORD", True)]),
    ],
)
def test_secret_detection(rel: str, text: str, expected: list[tuple[str, str | None, bool]]) -> None:
    assert _hits(rel, text) == expected


def test_template_files_are_marked() -> None:
    secrets, settings = scan_file(SourceFile(".env.example", Path("x"), "APP_DEBUG=true\nDB_PASSWORD=x1\n"), DETECTORS)
    assert all(s.template for s in secrets) and all(s.template for s in settings)


# ------------------------------------------------------------------ masking of code
def test_redact_masks_secret_lines_patterns_and_personal_data() -> None:
    assert redact_line('password = "hunter2-long"', DETECTORS) == 'password = "hu********ng"'
    assert "AKIA" + "ABCDEFGHIJKLMNOP" not in redact_line('k = "' + "AKIA" + 'ABCDEFGHIJKLMNOP"', DETECTORS)
    assert redact_line('q = "SELECT 1"', DETECTORS) == 'q = "SELECT 1"'
    assert redact_line('f("x", "y")', DETECTORS, force=True) == 'f("*", "*")'
    assert "3171011708450001" not in redact_line('nik = "3171011708450001"', DETECTORS)


def test_settings_that_name_or_size_a_secret_are_not_secrets() -> None:
    from scanner.probes.code.patterns import load_detectors

    detectors = load_detectors()
    for name in ("csrf_token_name", "sess_cookie_name", "token_length", "jwt_ttl"):
        assert detectors.name_class(name) is None, name
    for name in ("csrf_token", "DB_PASSWORD", "app_key", "JWT_SECRET", "api_key"):
        assert detectors.name_class(name) == "secret", name
