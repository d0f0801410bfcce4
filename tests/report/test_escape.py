"""Every renderer escapes for its own format: hostile target text never creates structure.

A property test puts generated hostile strings (Rich markup, ANSI/OSC-8 escapes, bare CR,
Markdown links/images/emphasis, HTML, XML-forbidden controls, CSV quotes) into every field a
target can influence, renders every format, parses the output with a real parser and compares
its structure with the same report rendered from benign text.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from scanner.judging.rules import RuleSet
from scanner.model import Facts, ScanResult
from scanner.report import renderer
from scanner.report.escape import markdown_text, sarif_text, terminal_text, xml_text
from tests.report.fixtures import sample_result, synthetic_ruleset

HOSTILE_PARTS = [
    "[/]", "[bold red]", "[link=http://evil.example]x[/link]", "\x1b[31m", "\x1b]8;;http://evil.example/\x07",
    "\x1b]8;;\x07", "\x9b2J", "\r", "\n", "\r\n", "\r# heading", "\r[l]: http://evil.example", "**", "__", "`", "```",
    "![x](http://evil.example/p.png)", "[l](http://evil.example)", "[r](1)", "<http://evil.example>", "<script>",
    "</td>", "<!--", "]]>", "&amp;", "&#0;", "&#x2a;", "\x00", "\x01", "\x0b", "\x0c", "\x1f", "\x7f", "\ufffe",
    "\ufeff", "\u2028", "\u202e", "|", "\\", '"', "'", "=cmd|' /C calc'!A0", "---", "> ", "1. ", "* ", "#", "~~", "$x$",
]
hostile = st.lists(st.one_of(st.sampled_from(HOSTILE_PARTS), st.text(max_size=8)), min_size=1, max_size=8).map(
    lambda parts: "x" + "".join(parts) + "x")


def with_text(result: ScanResult, text: str) -> ScanResult:
    """``result`` with ``text`` in every field a scanned target can influence."""
    out = copy.deepcopy(result)
    for f in out.findings:
        f.message = {"id": f"{text} id", "en": f"{text} en"}
        f.item_key = text
        f.evidence = {key: text for key in f.evidence} or {"seen": text}
    for facts in out.facts:
        if not facts.conclusive:
            facts.reason = text
    for error in out.evaluation_errors:
        error.message = text
    out.facts.append(Facts("sqlfile", out.targets[-1].id, {"coverage_limits": [
        {"code": "sqlfile_bytes", "limit": 4096, "total": 9000}]}))
    return out


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag + " " + " ".join(sorted(name for name, _ in attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.tags.append("/" + tag)


def _html(out: str) -> list[str]:
    parser = _Tags()
    parser.feed(out)
    parser.close()
    return parser.tags


def _xml(out: str) -> list[str]:
    return [element.tag for element in ET.fromstring(out.encode()).iter()]


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shape(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return type(value).__name__


def _json(out: str) -> Any:
    return _shape(json.loads(out))


def _unescaped(text: str) -> str:
    """``text`` with every backslash-escaped character replaced by ``_`` (SARIF message escapes)."""
    return re.sub(r"\\.", "_", text)


def _sarif(out: str) -> Any:
    log = json.loads(out)
    run = log["runs"][0]
    texts = [r["message"]["text"] for r in run["results"]]
    texts += [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert not any(re.search(r"\[[^\]]*\]\(", _unescaped(t)) for t in texts), "embedded link"
    return _shape(log)


def _csv(out: str) -> list[int]:
    return [len(row) for row in csv.reader(io.StringIO(out.lstrip("\ufeff")))]


_MARKDOWN = MarkdownIt("commonmark").enable("table")
_TEXT_TOKENS = {"text", "text_special"}


def _markdown(out: str) -> list[str]:
    structure: list[str] = []
    for token in _MARKDOWN.parse(out):
        structure.append(f"{token.type}:{token.tag}")
        structure += [f"{c.type}:{c.tag}" for c in token.children or [] if c.type not in _TEXT_TOKENS]
    return structure


def _terminal(out: str) -> int:
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out), repr(out)
    return 0


STRUCTURE = {"html": _html, "junit": _xml, "sarif": _sarif, "json": _json, "csv": _csv, "markdown": _markdown,
             "table": _terminal}

_RULESET: list[RuleSet] = []


def _ruleset(tmp_path_factory: Any) -> RuleSet:
    if not _RULESET:
        _RULESET.append(synthetic_ruleset(tmp_path_factory.mktemp("escape-rules")))
    return _RULESET[0]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile)
def test_hostile_text_creates_no_structure_in_any_format(tmp_path_factory: Any, text: str) -> None:
    ruleset = _ruleset(tmp_path_factory)
    base = sample_result(ruleset)
    for fmt, structure in STRUCTURE.items():
        for lang in ("id", "en"):
            # a dotted item key names a table and column, which adds a SQL reproduction step: same shape
            benign = structure(renderer(fmt)(with_text(base, "ben.ign" if "." in text else "benign"), ruleset, lang))
            assert structure(renderer(fmt)(with_text(base, text), ruleset, lang)) == benign, fmt


def test_junit_is_well_formed_with_c0_controls(tmp_path_factory: Any) -> None:
    ruleset = _ruleset(tmp_path_factory)
    out = renderer("junit")(with_text(sample_result(ruleset), "a\x00b\x01c\x0bd\x1fe\ufffe"), ruleset, "en")
    ET.fromstring(out.encode())
    assert "a\ufffdb\ufffdc" in out


def test_markdown_bare_cr_cannot_start_a_heading_link_or_image(tmp_path_factory: Any) -> None:
    ruleset = _ruleset(tmp_path_factory)
    text = "x\r# Owned\r![t](http://evil.example/p.png) [c](http://evil.example) **b** `c`"
    html = MarkdownIt("commonmark").render(renderer("markdown")(with_text(sample_result(ruleset), text), ruleset, "en"))
    assert "<h1>" not in html and "<img" not in html and "evil.example\"" not in html
    assert "<strong>b</strong>" not in html and "<code>c</code>" not in html


def test_escape_functions() -> None:
    assert terminal_text("a\x1b]8;;http://e/\x07b\rc\u202ed") == "a ]8;;http://e/ b c d"
    # every bidi control (U+061C ARABIC LETTER MARK too) and invisible format character is dropped
    for control in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2063\u180e\ufeff":
        assert terminal_text(f"a{control}b") == "a b", repr(control)
    assert xml_text("a\x00b\tc") == "a\ufffdb\tc"
    assert sarif_text("see [x](http://e) \\") == "see \\[x\\](http://e) \\\\"
    assert markdown_text("**x** [l](u) `c` <b> |\r# h") == r"\*\*x\*\* \[l\]\(u\) \`c\` \<b\> \| \# h"


def test_a_lone_surrogate_from_a_target_does_not_stop_any_report(tmp_path: Any) -> None:
    """A target's JSON can carry ``"\\ud800"``; every file and the terminal view are still written."""
    from click.testing import CliRunner

    from scanner.cli import main

    (tmp_path / "rules").mkdir()
    ruleset = synthetic_ruleset(tmp_path / "rules")
    stored = tmp_path / "result.json"
    stored.write_text(json.dumps(with_text(sample_result(ruleset), "warga\ud800x").to_dict()))  # \\ud800 escaped
    outputs = {fmt: tmp_path / f"out.{fmt}" for fmt in ("json", "html", "sarif", "junit", "csv", "markdown")}
    args = ["report", str(stored), "--rules", str(tmp_path / "rules"), "--no-default-rules",
            "--per-agency-dir", str(tmp_path / "agencies")]
    for fmt, path in outputs.items():
        args += [f"--{fmt}", str(path)]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    for path in outputs.values():
        assert "warga\ufffdx" in path.read_text(encoding="utf-8") or path.suffix == ".junit"
    assert "warga\ufffdx" in done.stdout
    assert list((tmp_path / "agencies").glob("*.html"))
