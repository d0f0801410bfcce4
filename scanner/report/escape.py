"""Escaping for each output format: no renderer trusts a string because a probe made it.

Every byte a report shows may come from the scanned target. Each format has one function
here, and its renderer passes every target-derived string through it:

- ``terminal_text``: one line of plain text, without control characters (ANSI/OSC-8
  escapes, bare CR, bidi overrides) that a terminal would act upon;
- ``xml_text``: only characters XML 1.0 allows (JUnit must stay well-formed);
- ``markdown_text`` / ``markdown_code``: one line of inert CommonMark text or code-span content;
- ``sarif_text``: a SARIF plain-text message in which ``[text](target)`` is never an embedded link;
- ``encodable``: a whole rendered document without lone UTF-16 surrogates (a target's JSON can
  carry ``"\ud800"``), so that writing it as UTF-8 cannot fail.

HTML (Jinja autoescape), JSON and CSV (their standard-library writers) escape by construction.
"""

from __future__ import annotations

import re
import string

from scanner.model import encodable

__all__ = ["encodable", "markdown_code", "markdown_text", "sarif_text", "terminal_text", "xml_text"]

# C0 and C1 controls, DEL, Unicode line/paragraph separators, the bidirectional controls that
# reorder what a reader sees ("Trojan Source": U+061C, U+200E/F, U+202A-E, U+2066-9) and the other
# invisible format characters (U+180E, U+2060-4, U+FEFF).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u180e\u2028\u2029\u200e\u200f\u202a-\u202e\u2060-\u2069"
                       "\ufeff]+")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SARIF_SPECIAL = re.compile(r"([\\\[\]])")
_MARKDOWN_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")


def terminal_text(value: object) -> str:
    """``value`` as one printable line: each run of control characters becomes one space."""
    return _CONTROLS.sub(" ", str(value))


def xml_text(value: object) -> str:
    """``value`` without the characters XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/F)."""
    return _NOT_XML.sub("\ufffd", str(value))


def markdown_text(value: object) -> str:
    """``value`` as one line of literal CommonMark text (every ASCII punctuation backslash-escaped).

    No emphasis, link, image, code span, raw HTML, entity, table cell or new block can start
    inside it, whatever the target wrote.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", terminal_text(value))


def markdown_code(value: object) -> str:
    """``value`` as the content of a one-line code span (backticks become apostrophes)."""
    return terminal_text(value).replace("`", "'").strip() or "-"


def sarif_text(value: object) -> str:
    """``value`` for a SARIF ``message.text``: ``\\``, ``[`` and ``]`` backslash-escaped (SARIF 2.1.0 §3.11.6).

    Viewers turn ``[text](target)`` in a plain-text message into a link; a target's text must not.
    """
    return _SARIF_SPECIAL.sub(r"\\\1", str(value))
