"""Endpoints a site refers to itself: links, GET forms, script calls, robots.txt and sitemap.xml.

Pure text functions; every result is a URL as written by the site (relative or absolute).
The caller resolves them and keeps only those on the target's origin.
"""

from __future__ import annotations

import re

from scanner.net.html import HtmlDoc

MAX_REFERENCES = 200
# fetch("..."), axios("..."), axios.get("..."), $.ajax({url: "..."}), $.get("..."), $.getJSON("...")
_JS_CALL = re.compile(
    r"""(?:\bfetch|\baxios(?:\.(?:get|head|request|delete|post|put|patch))?|\$\.(?:ajax|get|getJSON|post))"""
    r"""\s*\(\s*(?:\{[^}]{0,200}?\burl\s*:\s*)?(["'`])([^"'`\s<>]{1,300})\1"""
)
_TEMPLATE_PART = re.compile(r"\$\{[^}]{0,100}\}")
_API_LIKE = re.compile(r"(^|/)(api|rest|graphql|services?|ws|json|data)(/|$)|/v\d+(/|$)|\.json($|\?)", re.I)
_DESCRIPTION_LIKE = re.compile(r"swagger|openapi|api-docs", re.I)
_LOC = re.compile(r"<loc>\s*([^<\s]{1,500})\s*</loc>", re.I)
FORM_SAMPLE = "contoh"  # harmless value for every field of a GET form


def api_like(url: str) -> bool:
    """The path looks like an API (``/api/``, ``/v1/``, ``.json`` ...), not a web page."""
    return bool(_API_LIKE.search(url.split("#", 1)[0]))


def from_script(text: str) -> list[str]:
    """URLs passed to fetch/axios/$.ajax in JavaScript (template parts filled with ``1``)."""
    found = [_TEMPLATE_PART.sub("1", m.group(2)) for m in _JS_CALL.finditer(text)]
    return list(dict.fromkeys(found))[:MAX_REFERENCES]


def from_html(doc: HtmlDoc) -> dict[str, list[str]]:
    """References in a parsed page, by source: ``links`` (API-like anchors), ``forms`` (GET
    actions with sample values), ``inline-scripts``, ``descriptions`` (links to API docs)."""
    hrefs = [a.href for a in doc.anchors] + [href for _, href in doc.links]
    forms = []
    for form in doc.forms:
        if form.method == "get" and form.action:
            query = "&".join(f"{name}={FORM_SAMPLE}" for name in dict.fromkeys(form.fields))
            forms.append(form.action.split("?", 1)[0] + (f"?{query}" if query else ""))
    scripts = [url for text in doc.inline_scripts for url in from_script(text)]
    return {
        "links": list(dict.fromkeys(h for h in hrefs if h and api_like(h)))[:MAX_REFERENCES],
        "forms": list(dict.fromkeys(forms))[:MAX_REFERENCES],
        "inline-scripts": list(dict.fromkeys(scripts))[:MAX_REFERENCES],
        "descriptions": list(dict.fromkeys(h for h in hrefs if h and _DESCRIPTION_LIKE.search(h)))[:10],
    }


def from_robots(text: str) -> list[str]:
    """Paths in Allow/Disallow lines (without wildcards) and Sitemap URLs."""
    found = []
    for line in text.splitlines()[:2000]:
        name, _, value = line.partition(":")
        value = value.split("#", 1)[0].strip()
        if name.strip().lower() in ("allow", "disallow", "sitemap") and value and not any(c in value for c in "*$"):
            found.append(value)
    return list(dict.fromkeys(found))[:MAX_REFERENCES]


def from_sitemap(text: str) -> list[str]:
    """``<loc>`` URLs (read as text: no XML parser, so no entity expansion)."""
    return list(dict.fromkeys(_LOC.findall(text)))[:MAX_REFERENCES]
