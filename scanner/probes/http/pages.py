"""Which pages to examine besides the main page: same-site links and profile-listed paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from scanner.net.html import HtmlDoc
from scanner.net.urls import UnsafeURL, UnsupportedScheme, destination, join
from scanner.pii import scrub
from scanner.probes.http.fetch import Fetcher, FetchError, Page
from scanner.probes.http.options import HttpOptions

_SKIP_EXTENSIONS = (".pdf", ".zip", ".rar", ".7z", ".gz", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx",
                    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".mp4", ".mp3", ".apk", ".exe")


MAX_SKIPPED = 20  # malformed links recorded per page (the count is always complete)


@dataclass
class Links:
    """Same-site paths to visit, and the links skipped because they were malformed or ambiguous."""

    paths: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    skipped_count: int = 0

    def skip(self, href: str, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < MAX_SKIPPED:
            self.skipped.append({"href": scrub(href[:200]), "reason": reason[:200]})


def same_site_links(doc: HtmlDoc, page: Page, limit: int) -> Links:
    """Up to ``limit`` distinct visible links to HTML-ish pages on the same origin.

    A malformed or ambiguous link (``http://[x]/``, a backslash, user@host) is skipped and
    recorded; it never stops the other links from being read.
    """
    site = destination(page.final_url)
    links = Links()
    for anchor in doc.anchors:
        try:
            where = join(page.final_url, anchor.href)
        except UnsupportedScheme:  # mailto:, tel:, javascript: ... nothing to crawl
            continue
        except UnsafeURL as exc:
            links.skip(anchor.href, str(exc))
            continue
        if where.origin != site.origin or anchor.hidden:
            continue
        path = where.path
        if path.split("?", 1)[0].lower().endswith(_SKIP_EXTENSIONS):  # documents and media: nothing to see
            continue
        if path not in links.paths and path != site.path and len(links.paths) < limit:
            links.paths.append(path)
    return links


@dataclass
class Crawl:
    pages: list[tuple[str, Page]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    links: Links = field(default_factory=Links)


def crawl(fetcher: Fetcher, main: Page, doc: HtmlDoc | None, options: HttpOptions) -> Crawl:
    """The main page plus ``options.pages`` and up to ``options.max_pages`` same-site links."""
    main_path = urlsplit(main.final_url).path or "/"
    result = Crawl(pages=[(main_path, main)])
    limit = options.max_pages
    extra = list(options.pages)
    if doc is not None and limit > 0:
        result.links = same_site_links(doc, main, limit)
    base = urljoin(main.final_url, "/")
    for path in list(dict.fromkeys(extra + result.links.paths))[: max(limit, len(extra))]:
        try:
            page = fetcher.get(urljoin(base, path), same_host=True)
        except FetchError as exc:
            result.errors.append({"path": path, "status": "inconclusive", "reason": str(exc)})
            continue
        if urlsplit(page.final_url).netloc == urlsplit(main.final_url).netloc:
            result.pages.append((path, page))
    return result
