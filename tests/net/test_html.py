"""The forgiving HTML reader: hidden blocks (inline style, hiding classes), anchors, title; never raises."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scanner.net.html import parse


def test_hidden_blocks_via_inline_style_and_class() -> None:
    doc = parse("""<html><head><title>T</title><style>.x{display:none}</style></head><body>
      <div class="x"><a href="https://slot88.example/">Slot Gacor</a></div>
      <span style="font-size:0">togel</span><p>terlihat</p></body></html>""")
    assert [b.reason for b in doc.hidden_blocks] == ["class x: display:none", "font-size:0"]
    assert doc.hidden_blocks[0].hrefs == ["https://slot88.example/"]
    assert doc.anchors[0].hidden is True
    assert doc.title == "T"


@given(st.text(max_size=400))
def test_html_reader_never_raises(text: str) -> None:
    doc = parse("<div style='display:none'><a href='x'>" + text)
    assert isinstance(doc.text, str)
