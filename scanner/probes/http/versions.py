"""Product versions a web site shows: header banners, the generator meta tag, asset URLs.

The one banner reader: :func:`banners` says which headers (and the generator meta tag) name the
site's software, for the disclosure facts and for the versions alike (``BANNER_HEADERS``).

Pure parsing, no requests: ``header_versions``, ``generator_versions`` and ``asset_versions``
turn strings a target sent into :class:`SeenVersion` records. Confidence says how much one
signal is worth: a banner token is ``high``; a distribution build (``(Debian)``, ``-4ubuntu2``,
``-fips``) is ``low`` because distributions backport security fixes without changing the
upstream number; a ``?ver=`` query or a file name is ``low`` (themes set them freely).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scanner.judging.eol import distribution_of

# banner token -> product key of rules/data/eol.yaml (or a plain name for products without EOL data)
PRODUCT_NAMES = {
    "apache": "apache-httpd", "httpd": "apache-httpd", "nginx": "nginx", "php": "php", "openssl": "openssl",
    "wordpress": "wordpress", "python": "python", "cpython": "python", "node": "nodejs", "node.js": "nodejs",
    "nodejs": "nodejs", "mariadb": "mariadb", "mysql": "mysql", "postgresql": "postgresql", "laravel": "laravel",
    "jquery": "jquery", "bootstrap": "bootstrap", "microsoft-iis": "microsoft-iis", "iis": "microsoft-iis",
    "openresty": "openresty", "litespeed": "litespeed", "express": "express", "werkzeug": "werkzeug",
    "gunicorn": "gunicorn", "uvicorn": "uvicorn", "wsgiserver": "wsgiserver", "apache-coyote": "apache-coyote",
    "jetty": "jetty", "drupal": "drupal", "joomla!": "joomla", "joomla": "joomla", "codeigniter": "codeigniter",
    "asp.net": "aspnet", "tengine": "tengine", "caddy": "caddy", "envoy": "envoy", "elementor": "elementor",
}
_TOKEN = re.compile(r"(?P<name>[A-Za-z][\w.!+-]{0,40}?)/v?(?P<version>\d{1,4}(?:\.\d{1,6}){0,3}[a-z]?)"
                    r"(?P<build>[-+~][\w.+~-]{0,40})?")
_COMMENT = re.compile(r"\(([^)]{1,60})\)")
_SPACED = re.compile(r"(?P<name>[A-Za-z][\w.!-]{1,40})[ ]v?(?P<version>\d{1,4}(?:\.\d{1,6}){0,3}[a-z]?)\b")
# Every response header that names software, in the order read: (name, disclosed, read for versions).
# ``X-Drupal-Cache`` and Symfony's ``X-Debug-Token``/``-Link`` name software but carry no product
# version token; ``Via`` names proxies (``1.1 varnish``): its protocol number is no disclosed version.
BANNER_HEADERS: tuple[tuple[str, bool, bool], ...] = (
    ("server", True, True), ("x-powered-by", True, True), ("x-aspnet-version", True, True),
    ("x-aspnetmvc-version", True, True), ("x-generator", True, True), ("x-drupal-cache", True, False),
    ("x-runtime", True, True), ("x-backend-server", True, True), ("x-debug-token", True, False),
    ("x-debug-token-link", True, False), ("via", False, True),
)
_DOTTED = re.compile(r"(?<!\d)\d+\.\d+(?:\.\d+)*")  # starts only where a digit run starts: linear
MAX_VALUE = 300


@dataclass(frozen=True)
class Banner:
    """One place a site names its software: a response header, or the generator meta tag."""

    name: str  # header name, or "meta generator"
    source: str  # header | html
    value: str
    disclosed: bool  # part of the disclosure facts
    versioned: bool  # its ``Product/1.2.3`` tokens are read as product versions (header_versions)

    @property
    def version(self) -> str | None:
        """The first dotted number in the value (``4.0.30319``), whichever product it belongs to."""
        match = _DOTTED.search(self.value)
        return match.group(0) if match else None


def banners(headers: dict[str, str], generator: str | None = None) -> list[Banner]:
    """The banner headers present in ``headers`` (lower-case names), then the generator meta tag."""
    found = [Banner(name, "header", value, disclosed, versioned)
             for name, disclosed, versioned in BANNER_HEADERS if (value := headers.get(name))]
    if generator:
        found.append(Banner("meta generator", "html", generator, True, False))  # versions: generator_versions
    return found


@dataclass(frozen=True)
class SeenVersion:
    """One product version seen on the site, where, and how much one such signal is worth."""

    product: str
    version: str
    source: str  # header | meta-generator | asset-url | file | feed
    where: str  # header name, or the path/URL it was read from
    evidence: str  # the raw token, at most 120 characters
    confidence: str  # high | medium | low
    distribution: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _product(name: str) -> str:
    return PRODUCT_NAMES.get(name.lower(), name.lower())


def banner_versions(value: str, source: str, where: str) -> list[SeenVersion]:
    """Every ``Product/1.2.3`` token in a banner such as
    ``Apache/2.4.6 (CentOS) OpenSSL/1.0.2k-fips PHP/5.4.16``."""
    value = value[:MAX_VALUE]
    comments = _COMMENT.findall(value)
    found: list[SeenVersion] = []
    for match in _TOKEN.finditer(value):
        build = match.group("build") or ""
        # a (Distro) comment in the banner says every module in it is a distribution package
        distro = distribution_of(*comments) or distribution_of(build)
        found.append(SeenVersion(_product(match.group("name")), match.group("version"), source, where,
                                 match.group(0)[:120], "low" if distro else "high", distro))
    return found


def header_versions(headers: dict[str, str]) -> list[SeenVersion]:
    """Versions in ``Server``, ``X-Powered-By``, ``X-AspNet-Version`` and similar headers."""
    found: list[SeenVersion] = []
    for banner in banners(headers):
        name, value = banner.name, banner.value
        if not banner.versioned:
            continue
        if name in ("x-aspnet-version", "x-aspnetmvc-version"):
            match = re.match(r"\s*(\d{1,4}(?:\.\d{1,6}){0,3})", value)
            if match:
                product = "aspnet" if name == "x-aspnet-version" else "aspnet-mvc"
                found.append(SeenVersion(product, match.group(1), "header", name, value[:120], "high"))
            continue
        found.extend(banner_versions(value, "header", name))
        if name == "x-powered-by" and not found:
            found.extend(_spaced(value, "header", name, "medium"))
    return found


def _spaced(value: str, source: str, where: str, confidence: str) -> list[SeenVersion]:
    return [SeenVersion(_product(m.group("name")), m.group("version"), source, where, m.group(0)[:120], confidence)
            for m in _SPACED.finditer(value[:MAX_VALUE])]


def generator_versions(value: str, where: str = "meta generator") -> list[SeenVersion]:
    """``WordPress 6.1.9``, ``Drupal 9 (https://www.drupal.org)``, ``Joomla! 3.9`` … from a generator
    tag or a feed's ``<generator>`` (``https://wordpress.org/?v=6.1.9``)."""
    value = value[:MAX_VALUE]
    feed = re.search(r"wordpress\.org/\?v=(\d{1,2}(?:\.\d{1,3}){1,2})", value, re.I)
    if feed:
        return [SeenVersion("wordpress", feed.group(1), "feed", where, value[:120], "medium")]
    banners = banner_versions(value, "meta-generator", where)
    if banners:
        return [SeenVersion(v.product, v.version, v.source, v.where, v.evidence, "medium") for v in banners]
    return _spaced(value, "meta-generator", where, "medium")


_ASSET_PATTERNS = (
    # jquery-3.6.0.min.js, jquery.3.6.0.js, bootstrap-4.6.2.min.css
    re.compile(r"/(?P<name>jquery|bootstrap)[.-](?P<version>\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)(?:\.slim)?(?:\.min)?"
               r"\.(?:js|css)\b", re.I),
    # cdnjs / jsdelivr / unpkg / code.jquery.com style: /jquery/3.6.0/..., /bootstrap@5.3.2/..., /jquery@3.7.1
    re.compile(r"/(?P<name>jquery|bootstrap)(?:/|@)(?P<version>\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)(?:/|$)", re.I),
)


def asset_versions(urls: list[str]) -> list[SeenVersion]:
    """jQuery/Bootstrap versions in script or stylesheet URLs, and WordPress's ``?ver=`` on its own
    core files under ``/wp-includes/`` (``jquery.min.js?ver=3.6.1`` is jQuery's version there)."""
    found: list[SeenVersion] = []
    for url in urls[:200]:
        try:
            parts = urlsplit(url[:2000])
        except ValueError:  # e.g. "http://[x]/a.js": one bad URL says nothing about the others
            continue
        for pattern in _ASSET_PATTERNS:
            match = pattern.search(parts.path)
            if match:
                found.append(SeenVersion(_product(match.group("name")), match.group("version"), "asset-url",
                                         parts.path[:200], match.group(0)[:120], "medium"))
                break
        else:
            ver = (parse_qs(parts.query).get("ver") or [""])[0]
            if not re.fullmatch(r"\d{1,2}\.\d{1,2}(?:\.\d{1,2})?(?:-wp)?", ver):
                continue
            name = parts.path.rsplit("/", 1)[-1].lower()
            if "/wp-includes/" in parts.path and name.startswith("jquery.") and "/jquery/" in parts.path:
                found.append(SeenVersion("jquery", ver.removesuffix("-wp"), "asset-url", parts.path[:200],
                                         f"{name}?ver={ver}", "low"))
            elif "/wp-includes/" in parts.path and "/jquery/" not in parts.path:
                found.append(SeenVersion("wordpress", ver, "asset-url", parts.path[:200], f"{name}?ver={ver}", "low"))
    return found


def merged(seen: list[SeenVersion]) -> list[dict[str, Any]]:
    """One record per product and version; two independent sources agreeing raise the confidence."""
    groups: dict[tuple[str, str], list[SeenVersion]] = {}
    for item in seen:
        groups.setdefault((item.product, item.version), []).append(item)
    records = []
    for (product, version), items in groups.items():
        best = min(items, key=lambda v: ("high", "medium", "low").index(v.confidence))
        sources = sorted({f"{v.source}:{v.where}" for v in items})
        confidence = best.confidence
        if len({v.source for v in items}) >= 2 and confidence != "high" and best.distribution is None:
            confidence = "high" if confidence == "medium" else "medium"
        records.append({"product": product, "version": version, "seen_at": sources[:5], "evidence": best.evidence,
                        "confidence": confidence, "distribution": best.distribution})
    return records
