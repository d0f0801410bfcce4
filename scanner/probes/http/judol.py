"""Online-gambling (judol) injection, cloaking and defacement observations.

The page is fetched as a browser and as Googlebot. For each view we record gambling
keywords (text, title, meta), links to gambling-looking hosts, hidden blocks with links or
keywords, external canonical/AMP links and defacement signatures; then how the views differ.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from scanner.net.html import HtmlDoc, parse
from scanner.net.urls import link_host
from scanner.pii import scrub
from scanner.probes.base import SubStatus
from scanner.probes.http.data import load
from scanner.probes.http.fetch import BROWSER_UA, GOOGLEBOT_UA, Fetcher, FetchError, Page

MAX_ITEMS = 20
_META_FIELDS = ("description", "keywords", "og:title", "og:description", "twitter:title")


@dataclass(frozen=True)
class Lexicon:
    version: str
    keywords: re.Pattern[str]
    hosts: list[re.Pattern[str]]
    defacement: re.Pattern[str]


def _alternation(words: list[str]) -> re.Pattern[str]:
    parts = sorted({re.escape(w.lower()) for w in words}, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(" + "|".join(parts) + r")(?![a-z0-9])")


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    data = load("judol-keywords")
    return Lexicon(
        version=str(data["version"]),
        keywords=_alternation([str(k) for k in data["keywords"]]),
        hosts=[re.compile(str(p), re.I) for p in data.get("host_patterns", [])],
        defacement=_alternation([str(k) for k in data.get("defacement", [])]),
    )


def keywords_in(text: str) -> list[str]:
    """Distinct gambling keywords in ``text`` (lower-cased), in first-seen order."""
    found = lexicon().keywords.findall(text.lower())
    return list(dict.fromkeys(found))


def _gambling_host(host: str) -> bool:
    return any(p.search(host) for p in lexicon().hosts)


def _view(name: str, page: Page, site_host: str) -> dict[str, Any]:
    text = page.text
    doc = parse(text) if "html" in page.content_type or "<html" in text[:2000].lower() else HtmlDoc(text=text)
    lex = lexicon()
    meta_text = " ".join(doc.metas.get(f, "") for f in _META_FIELDS)
    links: list[dict[str, Any]] = []
    for anchor in doc.anchors:
        host = link_host(page.final_url, anchor.href)
        if not host or host == site_host:
            continue
        words = keywords_in(anchor.text)
        if words or _gambling_host(host):
            links.append({"host": host, "text_keywords": words, "gambling_host_pattern": _gambling_host(host),
                          "hidden": anchor.hidden})
    hidden: list[dict[str, Any]] = []
    for block in doc.hidden_blocks:
        hosts = sorted({link_host(page.final_url, h) for h in block.hrefs} - {""})
        external = [h for h in hosts if h != site_host]
        words = keywords_in(block.text)
        if words or external:
            hidden.append({"view": name, "technique": block.reason[:80], "keywords": words,
                           "link_hosts": external[:MAX_ITEMS], "link_count": len(block.hrefs)})
    alternates = []
    for rel, href in doc.links:
        if rel in ("canonical", "amphtml") and href:
            host = link_host(page.final_url, href)
            alternates.append({"view": name, "rel": rel, "host": host, "external": bool(host) and host != site_host})
    body_text = doc.text
    return {
        "name": name,
        "http_status": page.status,
        "final_url": page.final_url,
        "length": len(page.body),
        "title": scrub(doc.title[:200]),
        "keywords": keywords_in(" ".join([doc.title, meta_text, body_text])),
        "title_keywords": keywords_in(doc.title),
        "meta_keywords": keywords_in(meta_text),
        "gambling_links": links[:MAX_ITEMS],
        "gambling_link_count": len(links),
        "hidden_blocks": hidden[:MAX_ITEMS],
        "alternates": alternates,
        "defacement": list(dict.fromkeys(lex.defacement.findall(f"{doc.title} {body_text}".lower()))),
        "_text": body_text,
    }


GOOGLE_REFERER = "https://www.google.com/"
_VIEWS = (
    ("browser", {"User-Agent": BROWSER_UA}),
    ("googlebot", {"User-Agent": GOOGLEBOT_UA}),
    ("search-visitor", {"User-Agent": BROWSER_UA, "Referer": GOOGLE_REFERER}),
)


def _offsite_redirect(page: Page, site_host: str) -> str:
    """Host outside the site that the response chain redirects to ('' when none)."""
    for hop in page.chain:
        if hop.location:
            host = link_host(hop.url, hop.location)
            if host and host != site_host:
                return host
    return ""


def observe_judol(fetcher: Fetcher, url: str, site_host: str, browser_page: Page | None = None) -> dict[str, Any]:
    """Compare the browser view of ``url`` with the Googlebot and search-visitor views.

    The search visitor is a browser arriving from Google (``Referer``); cloaking kits often
    redirect only those visitors to a gambling site while admins typing the address see nothing.
    """
    lex = lexicon()
    views: list[dict[str, Any]] = []
    redirects: dict[str, str] = {}
    for name, headers in _VIEWS:
        try:
            reuse = name == "browser" and browser_page is not None
            page = browser_page if reuse and browser_page else fetcher.get(url, headers, same_host=True)
        except FetchError as exc:
            return {"status": SubStatus.INCONCLUSIVE, "reason": f"{name} view: {exc}", "keywords_version": lex.version}
        view = _view(name, page, site_host)
        view["offsite_redirect"] = redirects[name] = _offsite_redirect(page, site_host)
        views.append(view)
    browser, bot, visitor = views
    texts = [v.pop("_text").split()[:3000] for v in views]
    similarity = (difflib.SequenceMatcher(None, texts[0], texts[1], autojunk=False).ratio()
                  if texts[0] or texts[1] else 1.0)
    return {
        "status": SubStatus.OK,
        "keywords_version": lex.version,
        "views": views,
        "text_similarity": round(similarity, 3),
        "same_final_url": browser["final_url"] == bot["final_url"],
        "keywords_only_in_googlebot": [k for k in bot["keywords"] if k not in browser["keywords"]],
        "keywords_only_for_search_visitors": [k for k in visitor["keywords"] if k not in browser["keywords"]],
        "search_visitor_offsite_redirect": redirects["search-visitor"] if not redirects["browser"] else "",
        "googlebot_offsite_redirect": redirects["googlebot"] if not redirects["browser"] else "",
        "hidden_blocks": _merge(
            [b for v in views for b in v["hidden_blocks"]], ("technique", "keywords", "link_hosts")),
        "external_alternates": _merge([a for v in views for a in v["alternates"] if a["external"]], ("rel", "host")),
        "defacement": _merge([{"view": v["name"], "signature": s} for v in views for s in v["defacement"]],
                             ("signature",)),
    }


def _merge(items: list[dict[str, Any]], key: tuple[str, ...]) -> list[dict[str, Any]]:
    """Collapse items seen in several views into one with ``views: [...]``."""
    merged: dict[str, dict[str, Any]] = {}
    for item in items:
        k = repr([item[f] for f in key])
        if k in merged:
            merged[k]["views"].append(item["view"])
        else:
            merged[k] = {**{f: v for f, v in item.items() if f != "view"}, "views": [item["view"]]}
    return list(merged.values())
