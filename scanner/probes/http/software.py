"""Which products and versions a site runs, from what it already shows plus a few WordPress files.

Sources: response headers, the generator meta tag, script/stylesheet URLs of the main page and,
only when the page shows WordPress paths, ``/readme.html``, the ``/feed/`` generator and
``readme.txt`` of up to five plugins the page references. Framework tells without a version
(default session cookies of Laravel, CodeIgniter, Symfony, PHP) are listed apart: a version is never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urljoin

from scanner.judging.eol import software_facts
from scanner.net.html import HtmlDoc
from scanner.probes.http.fetch import Fetcher, FetchError, Page
from scanner.probes.http.versions import SeenVersion, asset_versions, generator_versions, header_versions, merged

MAX_PLUGINS = 5
_PLUGIN = re.compile(r"/wp-content/plugins/([a-z0-9][a-z0-9_-]{0,60})/", re.I)
_README_VERSION = re.compile(r"<br\s*/?>\s*[Vv]ersi(?:on|) (\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)")
_STABLE_TAG = re.compile(r"(?im)^\s*Stable tag:\s*v?(\d{1,4}(?:\.\d{1,6}){0,3})\s*$")
_FEED_GENERATOR = re.compile(r"<generator>([^<]{1,200})</generator>")
# cookie name -> framework it is the default of (no version can be read from it)
FRAMEWORK_COOKIES = {"laravel_session": "laravel", "ci_session": "codeigniter", "symfony": "symfony",
                     "phpsessid": "php", "wordpress_test_cookie": "wordpress"}


def _urls(doc: HtmlDoc | None) -> list[str]:
    if doc is None:
        return []
    return [src for src, _ in doc.scripts] + [href for rel, href in doc.links if "stylesheet" in rel.lower()]


def _text(fetcher: Fetcher, base: str, path: str) -> str | None:
    try:
        page = fetcher.get(urljoin(base, path), same_host=True)
    except FetchError:
        return None
    return page.text[:65536] if page.status == 200 else None


def _wordpress(fetcher: Fetcher, base: str, urls: list[str], html: str) -> list[SeenVersion]:
    found: list[SeenVersion] = []
    readme = _text(fetcher, base, "/readme.html")
    if readme and "WordPress" in readme and (match := _README_VERSION.search(readme)):
        found.append(SeenVersion("wordpress", match.group(1), "file", "/readme.html", match.group(0)[-40:], "medium"))
    feed = _text(fetcher, base, "/feed/")
    if feed and (match := _FEED_GENERATOR.search(feed)):
        found.extend(generator_versions(match.group(1), "/feed/"))
    slugs = list(dict.fromkeys(m.group(1).lower() for m in _PLUGIN.finditer(" ".join(urls) + html)))
    for slug in slugs[:MAX_PLUGINS]:
        text = _text(fetcher, base, f"/wp-content/plugins/{slug}/readme.txt")
        if text and (match := _STABLE_TAG.search(text)):
            found.append(SeenVersion(f"wp-plugin:{slug}", match.group(1), "file",
                                     f"/wp-content/plugins/{slug}/readme.txt", match.group(0).strip()[:120], "medium"))
    return found


def framework_tells(cookie_names: list[str]) -> list[dict[str, str]]:
    """Frameworks named by their default cookie names (evidence: the cookie name only)."""
    tells = {FRAMEWORK_COOKIES[n.lower()]: n for n in cookie_names if n.lower() in FRAMEWORK_COOKIES}
    return [{"framework": fw, "evidence": f"cookie {name}"} for fw, name in sorted(tells.items())]


def observe_software(fetcher: Fetcher, base: str, main: Page, doc: HtmlDoc | None,
                     cookie_names: list[str], on: dt.date | None = None) -> dict[str, Any]:
    """The ``software`` facts: versions seen, each with its end-of-life lookup."""
    urls = _urls(doc)
    seen = header_versions(main.headers) + asset_versions(urls)
    if doc is not None and doc.metas.get("generator"):
        seen += generator_versions(doc.metas["generator"])
    html = main.text[:262144]
    if any(s.product == "wordpress" for s in seen) or "/wp-content/" in html or "/wp-includes/" in html:
        seen += _wordpress(fetcher, base, urls, html)
    facts = software_facts(merged(seen), on or dt.datetime.now(dt.UTC).date())
    facts["frameworks"] = framework_tells(cookie_names)
    return facts
