"""Evidence an auditor can read and reproduce: labelled, localised key/value lines with full (masked)
values, and one reproduction step per probe (HTTP request and response with a curl command, an
``openssl s_client`` command, the SQL query, or file:line).

Everything here comes from stored findings and facts; the target is hostile, so command lines
quote every value with :func:`shlex.quote` and renderers escape for their own format.
"""

from __future__ import annotations

import re
import shlex
from functools import cache
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

from scanner.model import Finding, Target, TargetKind
from scanner.report.common import scrub_line
from scanner.resources import templates_dir
from scanner.rules import Rule
from scanner.yamlio import load_yaml


class Line(NamedTuple):
    """One labelled line of evidence or of a reproduction step."""

    label: str
    value: str


@cache
def _labels() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml((templates_dir() / "evidence.yaml").read_text(encoding="utf-8"))
    return data


def label(key: str, lang: str) -> str:
    """Localised label of an evidence key (``first_location`` -> "First redirect target" / "Alihan pertama")."""
    texts = _labels().get(key)
    if texts and not key.startswith("_"):
        return str(texts.get(lang) or texts["en"])
    return key.replace("_", " ").capitalize()


def _words(lang: str) -> dict[str, str]:
    return {word: str(texts.get(lang) or texts["en"]) for word, texts in _labels()["_values"].items()}


def value_text(value: Any, lang: str) -> str:
    """A full, readable value: no Python reprs, nothing cut off (personal data is masked)."""
    words = _words(lang)
    if value is None or value == "":
        return words["none"]
    if isinstance(value, bool):
        return words["yes"] if value else words["no"]
    if isinstance(value, dict):
        return "; ".join(f"{label(k, lang)}: {value_text(v, lang)}" for k, v in value.items()) or words["none"]
    if isinstance(value, list):
        if not value:
            return words["none"]
        if all(not isinstance(v, (dict, list)) for v in value):
            return ", ".join(value_text(v, lang) for v in value)
        return " | ".join(value_text(v, lang) for v in value)
    return str(value)


def evidence_lines(evidence: dict[str, Any], lang: str) -> list[Line]:
    """Evidence as labelled lines, scrubbed of personal data."""
    if not isinstance(evidence, dict):
        return [Line(label("value", lang), scrub_line(value_text(evidence, lang)))]
    return [Line(label(k, lang), scrub_line(value_text(v, lang))) for k, v in evidence.items()]


def evidence_summary(evidence: dict[str, Any], lang: str) -> str:
    """Evidence on one line for CSV, SARIF and JUnit: ``Label: value; Label: value``, nothing cut off."""
    return "; ".join(f"{line.label}: {line.value}" for line in evidence_lines(evidence, lang))


# --------------------------------------------------------------------------- reproduction

_OPENSSL_FLAGS = {"SSLv2": "-ssl2", "SSLv3": "-ssl3", "TLSv1.0": "-tls1", "TLSv1.1": "-tls1_1",
                  "TLSv1.2": "-tls1_2", "TLSv1.3": "-tls1_3"}
_STARTTLS = {"postgresql": "postgres", "postgres": "postgres", "mysql": "mysql", "mariadb": "mysql"}
_HEADER_NAMES = {"strict_transport_security": "Strict-Transport-Security",
                 "content_security_policy": "Content-Security-Policy", "x_frame_options": "X-Frame-Options",
                 "x_content_type_options": "X-Content-Type-Options", "referrer_policy": "Referrer-Policy",
                 "permissions_policy": "Permissions-Policy"}

# What the database probe read, by the fact area a rule's condition uses (see docs/facts/database.md).
_SQL = {
    "settings": "SELECT name, setting FROM pg_settings WHERE name IN ('ssl', 'ssl_min_protocol_version', "
                "'password_encryption', 'log_connections', 'log_disconnections', 'listen_addresses');",
    "variables": "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('have_ssl', 'require_secure_transport', "
                 "'tls_version', 'local_infile', 'bind_address');",
    "hba_rules": "SELECT line_number, type, database, user_name, address, auth_method "
                 "FROM pg_hba_file_rules ORDER BY line_number;",
    "accounts": "SELECT User, Host, plugin, Super_priv, account_locked FROM mysql.user;",
    "roles": "SELECT rolname, rolsuper, rolcanlogin FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%';",
    "password_storage": "SELECT rolname, left(rolpassword, 3) AS storage "  # nosec B105 - a query shown, no secret
                        "FROM pg_authid WHERE rolcanlogin;",
    "public_grants": "SELECT grantee, table_schema, table_name, privilege_type "
                     "FROM information_schema.role_table_grants WHERE grantee = 'PUBLIC';",
    "test_databases": "SHOW DATABASES LIKE 'test%';",
}


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _area(rule: Rule | None) -> str:
    match = re.search(r"facts\.(?:server\.)?(\w+)", rule.spec.when) if rule else None
    return match.group(1) if match else ""


def _http(finding: Finding, target: Target, facts: dict[str, Any], s: dict[str, str]) -> list[Line]:
    ev = finding.evidence if isinstance(finding.evidence, dict) else {}
    base = str(facts.get("final_url") or target.location)
    url = str(ev.get("http_url") or ev.get("final_url") or "")
    path = ev.get("path") or ev.get("page")
    if not url:
        url = urljoin(base, str(path)) if isinstance(path, str) and path.startswith("/") else base
    method = str(ev.get("method") or "GET").upper()
    parts = urlsplit(url)
    request = f"{method} {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1 · Host: {parts.netloc}"
    lines = [Line(s["repro_request"], request)]
    status = ev.get("http_status") if url != base else facts.get("http_status", ev.get("http_status"))
    if status is not None:
        headers = facts.get("headers", {}) if url == base else {}
        seen = [f"{_HEADER_NAMES[k]}: {v.get('value')}" for k, v in headers.items()
                if k in _HEADER_NAMES and isinstance(v, dict) and v.get("present")]
        lines.append(Line(s["repro_response"], " · ".join([f"HTTP {status}", *seen])))
    flags = "-sS -i" if method == "GET" else f"-sS -i -X {shlex.quote(method)}"
    insecure = " -k" if parts.scheme == "https" and facts.get("tls_verified") is False else ""
    lines.append(Line(s["repro_command"], f"curl {flags}{insecure} {shlex.quote(url)}"))
    return lines


def _tls(finding: Finding, target: Target) -> list[Line]:
    parts = urlsplit(target.location)
    host = parts.hostname or target.location
    port = parts.port or {"https": 443, "postgresql": 5432, "postgres": 5432, "mysql": 3306,
                          "mariadb": 3306}.get(parts.scheme, 443)
    ev = finding.evidence if isinstance(finding.evidence, dict) else {}
    args = ["openssl", "s_client", "-connect", f"{host}:{port}", "-servername", host]
    if parts.scheme in _STARTTLS:
        args += ["-starttls", _STARTTLS[parts.scheme]]
    protocol = str(ev.get("protocol") or ev.get("name") or "")
    if protocol in _OPENSSL_FLAGS:
        args.append(_OPENSSL_FLAGS[protocol])
    suites = ev.get("suites")
    if isinstance(suites, list) and suites and all(isinstance(x, str) for x in suites) and protocol != "TLSv1.3":
        args += ["-cipher", ":".join(suites)]
    if finding.rule_id.startswith("PND-TLS-0") and ("certificate" in finding.title.get("en", "").lower()
                                                     or "subject" in ev or "not_after" in ev):
        args.append("-showcerts")
    return [Line("", " ".join(shlex.quote(a) for a in args) + " </dev/null")]


def _database(finding: Finding, rule: Rule | None) -> list[Line]:
    area = _area(rule)
    if area in ("columns", "credentials"):
        table, _, column = finding.item_key.rpartition(".")
        if table and column:
            source = ".".join(_quote_identifier(part) for part in table.split("."))
            sql = f"SELECT {_quote_identifier(column)} FROM {source} LIMIT 5;"  # nosec B608 - shown, never run
            return [Line("", sql)]
    if area in _SQL:
        return [Line("", _SQL[area])]
    return []


def _file_line(finding: Finding, target: Target) -> list[Line]:
    ev = finding.evidence if isinstance(finding.evidence, dict) else {}
    path = str(ev.get("file") or ev.get("path") or target.location)
    if target.kind is TargetKind.SOURCE and path != target.location and not path.startswith("/"):
        path = f"{target.location.rstrip('/')}/{path}"
    line = ev.get("line")
    return [Line("", f"{path}:{line}" if isinstance(line, int) else path)]


def reproduction(finding: Finding, target: Target | None, facts: dict[str, Any] | None, rule: Rule | None,
                 s: dict[str, str]) -> list[Line]:
    """How an auditor repeats the observation behind ``finding`` (empty when nothing fits)."""
    if target is None:
        return []
    if finding.probe == "http" or (finding.probe == "auth" and isinstance(finding.evidence, dict)
                                   and finding.evidence.get("path")):
        lines = _http(finding, target, facts or {}, s)
    elif finding.probe == "tls":
        lines = [Line(s["repro_command"], line.value) for line in _tls(finding, target)]
    elif finding.probe == "database":
        lines = [Line(s["repro_sql"], line.value) for line in _database(finding, rule)]
    elif finding.probe in ("sqlfile", "code"):
        lines = [Line(s["repro_location"], line.value) for line in _file_line(finding, target)]
    else:
        lines = []
    return [Line(line.label, scrub_line(line.value)) for line in lines]


def as_json(lines: list[Line]) -> list[dict[str, str]]:
    """Lines as JSON-able objects (SARIF properties)."""
    return [{"label": line.label, "value": line.value} for line in lines]
