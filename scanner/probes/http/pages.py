"""Which pages to examine besides the main page: same-site links and profile-listed paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from scanner.probes.http.fetch import Fetcher, FetchError, Page
from scanner.probes.http.html import HtmlDoc

DEFAULT_MAX_PAGES = 10
_SKIP_EXTENSIONS = (".pdf", ".zip", ".rar", ".7z", ".gz", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx",
                    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".mp4", ".mp3", ".apk", ".exe")


def same_site_links(doc: HtmlDoc, page: Page, limit: int) -> list[str]:
    """Up to ``limit`` distinct visible links to HTML-ish pages on the same host and port."""
    site = urlsplit(page.final_url)
    paths: list[str] = []
    for anchor in doc.anchors:
        url = urlsplit(urljoin(page.final_url, anchor.href))
        if url.scheme not in ("http", "https") or url.netloc != site.netloc or anchor.hidden:
            continue
        path = url.path or "/"
        if path.lower().endswith(_SKIP_EXTENSIONS):  # documents and media: nothing for this probe
            continue
        if url.query:
            path += "?" + url.query
        if path not in paths and path != (site.path or "/"):
            paths.append(path)
        if len(paths) >= limit:
            break
    return paths


@dataclass
class Crawl:
    pages: list[tuple[str, Page]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def crawl(fetcher: Fetcher, main: Page, doc: HtmlDoc | None, options: dict[str, Any]) -> Crawl:
    """The main page plus ``options.pages`` and up to ``options.max_pages`` same-site links."""
    main_path = urlsplit(main.final_url).path or "/"
    result = Crawl(pages=[(main_path, main)])
    limit = int(options.get("max_pages", DEFAULT_MAX_PAGES))
    extra = [str(p) for p in options.get("pages", [])]
    links = same_site_links(doc, main, limit) if doc is not None and limit > 0 else []
    base = urljoin(main.final_url, "/")
    for path in list(dict.fromkeys(extra + links))[: max(limit, len(extra))]:
        try:
            page = fetcher.get(urljoin(base, path), same_host=True)
        except FetchError as exc:
            result.errors.append({"path": path, "status": "inconclusive", "reason": str(exc)})
            continue
        if urlsplit(page.final_url).netloc == urlsplit(main.final_url).netloc:
            result.pages.append((path, page))
    return result
