"""The http probe: observe a web site's transport, headers, cookies, CORS, exposures,
judol/defacement indicators and personal data on its pages. Facts: docs/facts/http.md.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from scanner.model import Target, TargetKind
from scanner.net.html import parse
from scanner.net.urls import origin_of
from scanner.probes.base import ProbeContext, ProbeInconclusive, record_limit, record_withheld, subcheck
from scanner.probes.http import SPEC, observatory
from scanner.probes.http import cookies as cookie_mod
from scanner.probes.http.authors import mask_author_paths
from scanner.probes.http.cors import observe_cors
from scanner.probes.http.disclosure import DebugCollector, version_disclosure
from scanner.probes.http.exposures import observe_exposures
from scanner.probes.http.fetch import Fetcher, FetchError, Page
from scanner.probes.http.headers import observe_headers
from scanner.probes.http.judol import observe_judol
from scanner.probes.http.options import HttpOptions
from scanner.probes.http.pages import crawl
from scanner.probes.http.pii import observe_personal_data
from scanner.probes.http.redirect import observe_redirect
from scanner.probes.http.software import observe_software


def _is_html(page: Page) -> bool:
    return "html" in page.content_type or "<html" in page.text[:2000].lower()


def _cookies(pages: list[tuple[str, Page]], twin: list[Page]) -> dict[str, Any]:
    raw: list[tuple[str, str, str]] = []
    for path, page in pages + [(urlsplit(p.url).path or "/", p) for p in twin]:
        for hop in page.chain:
            raw.extend((h, urlsplit(hop.url).scheme, path) for h in hop.set_cookies)
    return {"status": "ok", "items": cookie_mod.observe_cookies(raw)}


def _main_page_cookies(main: Page) -> list[dict[str, Any]]:
    """Cookies set while loading the main page (every hop), marked when set by its final answer."""
    cookies = []
    for index, hop in enumerate(main.chain):
        for header in hop.set_cookies:
            cookie = cookie_mod.parse_set_cookie(header, urlsplit(hop.url).scheme)
            cookie["final_response"] = index == len(main.chain) - 1
            cookies.append(cookie)
    return cookies


def _main_facts(target: Target, main: Page) -> dict[str, Any]:
    return {
        "url": target.location,
        "final_url": main.final_url,
        "http_status": main.status,
        "scheme": main.scheme,
        "tls_verified": main.tls_verified,
        "content_type": main.content_type,
        "body_length": len(main.body),
        "body_truncated": main.truncated,
        "body_too_slow": main.too_slow,
        "redirect_chain": [h.to_dict() for h in main.chain],
        "redirect_stopped": main.stopped or None,
    }


SUB_CHECKS = ("https_redirect", "cookies", "cors", "disclosure", "software", "exposures", "judol", "judol_pages",
              "personal_data", "observatory")


def _record_incomplete_checks(facts: dict[str, Any], opts: HttpOptions, unread_pages: int) -> None:
    """Sub-checks (or judol views of linked pages) that could not finish, and linked pages that could
    not be read, make the observation partial: what they would have seen is unknown, not clean."""
    failed = [name for name in SUB_CHECKS if facts.get(name, {}).get("status") == "inconclusive"]
    if not opts.exposures:
        failed = [name for name in failed if name != "exposures"]  # switched off by the operator
    failed += [p["path"] for p in facts.get("judol_pages", {}).get("pages", []) if p.get("status") == "inconclusive"]
    if failed:
        record_limit(facts, "http_checks", len(failed))
    if unread_pages:
        record_limit(facts, "http_pages_unread", unread_pages)


def _record_cut_bodies(facts: dict[str, Any], fetcher: Fetcher, pages: list[Page]) -> None:
    """Pages read only up to the body cap or the body deadline make the observation partial."""
    cut = sum(1 for page in pages if page.truncated and not page.too_slow)
    slow = sum(1 for page in pages if page.too_slow)
    if cut:
        record_limit(facts, "http_body_bytes", fetcher.max_body, cut)
    if slow:
        record_limit(facts, "http_body_seconds", round(fetcher.body_deadline), slow)


class HttpProbe:
    """Observes http:// and https:// URL targets."""

    name = SPEC.name

    def applies_to(self, target: Target) -> bool:
        return target.kind is TargetKind.URL and urlsplit(target.location).scheme.lower() in ("http", "https")

    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        opts = HttpOptions.of(target)
        fetcher = Fetcher(ctx, verify=opts.verify, origin=origin_of(target.location))
        try:
            main = fetcher.get(target.location)
        except FetchError as exc:
            raise ProbeInconclusive(f"cannot reach {target.location}: {exc}") from exc
        if main.stopped.startswith("out-of-scope"):
            host = main.stopped.partition(": ")[2]
            raise ProbeInconclusive(f"{target.location} redirects to {host}, which is outside the scan scope; "
                                    f"add it to the scope or scan that address instead")
        doc = parse(main.text) if _is_html(main) else None
        base = urljoin(main.final_url, "/")
        main_path = urlsplit(main.final_url).path or "/"
        facts = _main_facts(target, main)
        facts["headers"] = headers = observe_headers(
            main.headers, csp_meta=doc.csp_metas if doc else None, referrer_meta=doc.referrer_metas if doc else None,
            https=main.scheme == "https")

        twin: list[Page] = []

        def redirect() -> dict[str, Any]:
            result, page = observe_redirect(fetcher, target)
            twin.extend([page] if page is not None else [])
            return result

        facts["https_redirect"] = subcheck("https_redirect", redirect)
        debug = DebugCollector()
        pages = crawl(fetcher, main, doc, opts)
        for path, page in pages.pages:
            debug.note(path, page.status, page.body)
        facts["pages_checked"] = [p for p, _ in pages.pages]
        facts["links_skipped"] = {"count": pages.links.skipped_count, "items": pages.links.skipped}
        facts["cookies"] = subcheck("cookies", lambda: _cookies(pages.pages, twin))
        cors_paths = [main_path, *opts.cors_paths]
        facts["cors"] = subcheck("cors", lambda: {"status": "ok", "items": observe_cors(fetcher, base, cors_paths)})
        facts["disclosure"] = subcheck("disclosure", lambda: {"status": "ok",
                                                            "items": version_disclosure(main.headers, doc)})
        facts["software"] = subcheck("software", lambda: observe_software(
            fetcher, base, main, doc, [c["name"] for c in facts["cookies"].get("items", [])]))
        if opts.exposures:
            def on_page(path: str, page: Page) -> None:
                if page.status >= 400:  # error pages of template requests may be debug pages
                    debug.note(path, page.status, page.body)

            facts["exposures"] = subcheck("exposures", lambda: observe_exposures(
                fetcher, base, on_page=on_page, extra=ctx.checks.get(SPEC.name, ())))
        else:
            facts["exposures"] = {"status": "inconclusive", "reason": "disabled by target option 'exposures'"}
        debug.add_template_hits(facts["exposures"].get("hits", []))
        facts["debug"] = debug.facts()
        site_host = (urlsplit(main.final_url).hostname or "").lower()
        facts["judol"] = subcheck("judol", lambda: observe_judol(fetcher, main.final_url, site_host, browser_page=main))
        subpages = [(p, pg) for p, pg in pages.pages[1:] if pg.status < 400][: opts.judol_pages]
        facts["judol_pages"] = subcheck("judol_pages", lambda: {"status": "ok", "pages": [
            {"path": path, **observe_judol(fetcher, page.final_url, site_host, browser_page=page)}
            for path, page in subpages]})
        facts["personal_data"] = subcheck("personal_data", lambda: {
            "status": "ok", "pages": [observe_personal_data(p, pg) for p, pg in pages.pages if pg.status < 400],
            "errors": pages.errors})
        facts["observatory"] = subcheck("observatory", lambda: {"status": "ok", **observatory.score(
            headers, scheme=main.scheme, tls_verified=main.tls_verified,
            cookies=_main_page_cookies(main), cors=facts["cors"].get("items", []),
            redirect=facts["https_redirect"], doc=doc, final_url=main.final_url)})
        facts["requests"] = fetcher.requests_made
        record_withheld(facts, fetcher.withheld)
        _record_cut_bodies(facts, fetcher, [page for _, page in pages.pages])
        _record_incomplete_checks(facts, opts, len(pages.errors))
        return dict(mask_author_paths(facts))
