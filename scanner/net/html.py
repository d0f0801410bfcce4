"""A forgiving HTML reader: title, meta tags, links, anchors, scripts and hidden blocks."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]
)
_HIDING = [
    ("display:none", re.compile(r"display\s*:\s*none", re.I)),
    ("visibility:hidden", re.compile(r"visibility\s*:\s*hidden", re.I)),
    ("off-screen", re.compile(r"(left|top|right|text-indent|margin-left)\s*:\s*-\d{3,}", re.I)),
    ("font-size:0", re.compile(r"font-size\s*:\s*0(px|em|rem|%)?\s*(;|$|!)", re.I)),
    ("opacity:0", re.compile(r"opacity\s*:\s*0(\.0+)?\s*(;|$|!)", re.I)),
    ("height:0", re.compile(r"(?<![-\w])height\s*:\s*0(px)?\s*(;|$|!)", re.I)),
]
_CLASS_RULE = re.compile(r"\.([A-Za-z_][\w-]*)\s*\{([^{}]*)\}")  # "{" ends a body: each rule scans to the next
_STYLE_OPEN = re.compile(r"<style[^<>]*>", re.I)
_STYLE_CLOSE = re.compile(r"</style", re.I)


def hiding_reason(style: str) -> str:
    """Which hiding technique a CSS declaration block uses ('' when none)."""
    for name, pattern in _HIDING:
        if pattern.search(style):
            return name
    return ""


@dataclass
class Anchor:
    href: str
    text: str
    hidden: bool = False


@dataclass
class HiddenBlock:
    reason: str
    text: str = ""
    hrefs: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    method: str
    fields: list[str] = field(default_factory=list)


MAX_INLINE_SCRIPT = 256_000


@dataclass
class HtmlDoc:
    title: str = ""
    metas: dict[str, str] = field(default_factory=dict)
    csp_metas: list[str] = field(default_factory=list)  # <meta http-equiv="Content-Security-Policy"> contents
    referrer_metas: list[str] = field(default_factory=list)  # <meta name="referrer"> contents
    links: list[tuple[str, str]] = field(default_factory=list)  # (rel, href)
    anchors: list[Anchor] = field(default_factory=list)
    scripts: list[tuple[str, str]] = field(default_factory=list)  # (src, integrity)
    inline_scripts: list[str] = field(default_factory=list)  # first MAX_INLINE_SCRIPT characters in all
    forms: list[Form] = field(default_factory=list)
    text: str = ""
    hidden_blocks: list[HiddenBlock] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self, hidden_classes: dict[str, str]) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = HtmlDoc()
        self.hidden_classes = hidden_classes
        self.stack: list[tuple[str, HiddenBlock | None]] = []  # (tag, hidden block in effect inside it)
        self.open_tags: Counter[str] = Counter()  # tags on the stack, so a stray end tag costs O(1)
        self.in_title = False
        self.skip = 0  # inside <script>/<style>
        self.anchor: Anchor | None = None
        self.texts: list[str] = []
        self.title_parts: list[str] = []
        self.inline: list[str] | None = None  # parts of the <script> being read, if it has no src
        self.inline_size = 0

    def _block(self) -> HiddenBlock | None:
        return self.stack[-1][1] if self.stack else None

    def _hiding(self, attrs: dict[str, str]) -> str:
        if "hidden" in attrs:
            return "hidden-attribute"
        reason = hiding_reason(attrs.get("style", ""))
        if reason:
            return reason
        for cls in attrs.get("class", "").split():
            if cls in self.hidden_classes:
                return f"class {cls}: {self.hidden_classes[cls]}"
        return ""

    def _policy_meta(self, attrs: dict[str, str]) -> None:
        """Policies a browser applies from meta tags (as the MDN HTTP Observatory reads them)."""
        content = attrs.get("content")
        if "http-equiv" in attrs and content is not None:
            if attrs["http-equiv"].strip().lower() == "content-security-policy" and content:
                self.doc.csp_metas.append(content)
        elif attrs.get("name", "").strip().lower() == "referrer" and content:
            self.doc.referrer_metas[:] = [content]

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k.lower(): (v or "") for k, v in attrs_list}
        if tag == "meta":
            key = (attrs.get("name") or attrs.get("property") or attrs.get("http-equiv") or "").lower()
            if key and key not in self.doc.metas:
                self.doc.metas[key] = attrs.get("content", "")
            self._policy_meta(attrs)
            return
        if tag == "link":
            for rel in attrs.get("rel", "").lower().split():
                self.doc.links.append((rel, attrs.get("href", "")))
            return
        if tag == "form":
            self.doc.forms.append(Form(attrs.get("action", ""), (attrs.get("method") or "get").lower()))
        elif tag in ("input", "select", "textarea") and self.doc.forms and attrs.get("name"):
            self.doc.forms[-1].fields.append(attrs["name"])
        if tag == "script":
            if attrs.get("src"):
                self.doc.scripts.append((attrs["src"], attrs.get("integrity", "")))
            else:
                self.inline = []
            self.skip += 1
        elif tag == "style":
            self.skip += 1
        elif tag == "title":
            self.in_title = True
        if tag in _VOID:
            return
        reason = self._hiding(attrs) if self._block() is None else ""
        block = HiddenBlock(reason) if reason else None
        if block is not None:
            self.doc.hidden_blocks.append(block)
        self.stack.append((tag, block or self._block()))
        self.open_tags[tag] += 1
        if tag == "a":
            self.anchor = Anchor(attrs.get("href", ""), "", self._block() is not None)
            self.doc.anchors.append(self.anchor)
            current = self._block()
            if current is not None and self.anchor.href:
                current.hrefs.append(self.anchor.href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if tag == "script" and self.inline is not None:
            self.doc.inline_scripts.append("".join(self.inline))
            self.inline = None
        if tag == "title":
            self.in_title = False
        if tag == "a":
            self.anchor = None
        if self.open_tags[tag]:  # pop up to the innermost open ``tag``: each entry is popped once (linear)
            while (popped := self.stack.pop()[0]) != tag:
                self.open_tags[popped] -= 1
            self.open_tags[tag] -= 1

    def handle_data(self, data: str) -> None:
        if self.inline is not None and self.inline_size < MAX_INLINE_SCRIPT:
            self.inline.append(data[:MAX_INLINE_SCRIPT - self.inline_size])
            self.inline_size += len(data)
        if self.skip:
            return
        if self.in_title:
            self.title_parts.append(data)
            return
        self.texts.append(data)
        if self.anchor is not None:
            self.anchor.text += data
        block = self._block()
        if block is not None and len(block.text) < 4000:
            block.text += data + " "


def _styles(text: str) -> Iterator[str]:
    """The contents of ``<style>`` elements, in one pass over ``text``."""
    pos = 0
    while (start := _STYLE_OPEN.search(text, pos)) and (end := _STYLE_CLOSE.search(text, start.end())):
        yield text[start.end() : end.start()]
        pos = end.end()


def _closed_markup(text: str) -> str:
    """``text`` with each ``<`` after the last ``>`` escaped: that tail can only be character data.

    HTMLParser treats such a ``<`` as data too, but only after rescanning the rest of the document
    from it, once per ``<``: quadratic on a tail of ``<a <a <a ...``.
    """
    tail = text.rfind(">") + 1
    return text[:tail] + text[tail:].replace("<", "&lt;") if "<" in text[tail:] else text


def parse(text: str) -> HtmlDoc:
    """Parse an HTML document; never raises on malformed markup."""
    hidden_classes: dict[str, str] = {}
    for style in _styles(text):
        for name, decl in _CLASS_RULE.findall(style):
            reason = hiding_reason(decl)
            if reason:
                hidden_classes[name] = reason
    reader = _Reader(hidden_classes)
    try:
        reader.feed(_closed_markup(text))
        reader.close()
    except Exception:  # HTMLParser is lenient, but never let odd markup break a probe
        pass
    doc = reader.doc
    doc.title = " ".join("".join(reader.title_parts).split())
    doc.text = " ".join(" ".join(reader.texts).split())
    for block in doc.hidden_blocks:
        block.text = " ".join(block.text.split())
    return doc
