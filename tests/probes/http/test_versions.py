"""Version parsing on real-world banner, header, generator and asset-URL spellings."""

from __future__ import annotations

import pytest

from scanner.probes.http.disclosure import version_disclosure
from scanner.probes.http.versions import (
    asset_versions,
    banner_versions,
    banners,
    generator_versions,
    header_versions,
    merged,
)

# (banner as sent by real servers, [(product, version, distribution or None)])
BANNERS = [
    ("Apache/2.4.41 (Ubuntu)", [("apache-httpd", "2.4.41", "Ubuntu")]),
    ("Apache/2.4.6 (CentOS) OpenSSL/1.0.2k-fips mod_fcgid/2.3.9 PHP/5.4.16",
     [("apache-httpd", "2.4.6", "CentOS"), ("openssl", "1.0.2k", "CentOS"), ("mod_fcgid", "2.3.9", "CentOS"),
      ("php", "5.4.16", "CentOS")]),
    ("Apache/2.4.71 (Debian)", [("apache-httpd", "2.4.71", "Debian")]),
    ("Apache/2.4.62 (Debian)", [("apache-httpd", "2.4.62", "Debian")]),
    ("Apache/2.2.15 (Red Hat)", [("apache-httpd", "2.2.15", "Red Hat")]),
    ("Apache/2.4.29 (Win64) OpenSSL/1.1.0g PHP/7.2.4",
     [("apache-httpd", "2.4.29", None), ("openssl", "1.1.0g", None), ("php", "7.2.4", None)]),
    ("Apache/2.4.58 (Win64) OpenSSL/3.1.3 PHP/8.2.12",
     [("apache-httpd", "2.4.58", None), ("openssl", "3.1.3", None), ("php", "8.2.12", None)]),
    ("Apache/2.4.54 (Unix) OpenSSL/1.1.1q", [("apache-httpd", "2.4.54", None), ("openssl", "1.1.1q", None)]),
    ("Apache/2.4.37 (Red Hat Enterprise Linux) OpenSSL/1.1.1k mod_fcgid/2.3.9",
     [("apache-httpd", "2.4.37", "Red Hat"), ("openssl", "1.1.1k", "Red Hat"), ("mod_fcgid", "2.3.9", "Red Hat")]),
    ("Apache/2.4.18 (Ubuntu) mod_wsgi/4.3.0 Python/3.5", [("apache-httpd", "2.4.18", "Ubuntu"),
                                                         ("mod_wsgi", "4.3.0", "Ubuntu"), ("python", "3.5", "Ubuntu")]),
    ("nginx/1.18.0 (Ubuntu)", [("nginx", "1.18.0", "Ubuntu")]),
    ("nginx/1.22.1", [("nginx", "1.22.1", None)]),
    ("nginx/1.14.1", [("nginx", "1.14.1", None)]),
    ("nginx/1.26.2", [("nginx", "1.26.2", None)]),
    ("openresty/1.21.4.1", [("openresty", "1.21.4.1", None)]),
    ("Microsoft-IIS/10.0", [("microsoft-iis", "10.0", None)]),
    ("Microsoft-IIS/7.5", [("microsoft-iis", "7.5", None)]),
    ("PHP/7.4.3", [("php", "7.4.3", None)]),
    ("PHP/7.4.3-4ubuntu2.18", [("php", "7.4.3", "Ubuntu")]),
    ("PHP/8.1.2-1ubuntu2.14", [("php", "8.1.2", "Ubuntu")]),
    ("PHP/7.3.31-1~deb10u1", [("php", "7.3.31", "Debian")]),
    ("PHP/8.2.36", [("php", "8.2.36", None)]),
    ("PHP/5.6.40", [("php", "5.6.40", None)]),
    ("PHP/5.4.16", [("php", "5.4.16", None)]),
    ("WSGIServer/0.2 CPython/3.11.7", [("wsgiserver", "0.2", None), ("python", "3.11.7", None)]),
    ("Werkzeug/3.1.9 Python/3.11.7", [("werkzeug", "3.1.9", None), ("python", "3.11.7", None)]),
    ("Werkzeug/2.0.3 Python/3.8.10", [("werkzeug", "2.0.3", None), ("python", "3.8.10", None)]),
    ("gunicorn/20.1.0", [("gunicorn", "20.1.0", None)]),
    ("Apache-Coyote/1.1", [("apache-coyote", "1.1", None)]),
    ("Jetty(9.4.z-SNAPSHOT)", []),
    ("LiteSpeed", []),
    ("Apache", []),
    ("nginx", []),
    ("cloudflare", []),
    ("Express", []),
    ("Tengine/2.3.3", [("tengine", "2.3.3", None)]),
    ("Caddy", []),
    ("Apache/2.4.25 (Debian) OpenSSL/1.0.2u", [("apache-httpd", "2.4.25", "Debian"), ("openssl", "1.0.2u", "Debian")]),
    ("Apache/2.4.57 (AlmaLinux) OpenSSL/3.0.7", [("apache-httpd", "2.4.57", "AlmaLinux"),
                                                 ("openssl", "3.0.7", "AlmaLinux")]),
    ("nginx/1.20.1 + Phusion Passenger 6.0.12", [("nginx", "1.20.1", None)]),
]


@pytest.mark.parametrize(("banner", "expected"), BANNERS, ids=[b for b, _ in BANNERS])
def test_banner_versions(banner: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert [(v.product, v.version, v.distribution) for v in banner_versions(banner, "header", "server")] == expected


def test_distribution_builds_are_low_confidence_and_plain_banners_high() -> None:
    assert [v.confidence for v in banner_versions("PHP/7.4.3-4ubuntu2.18", "header", "x-powered-by")] == ["low"]
    assert [v.confidence for v in banner_versions("PHP/7.4.3", "header", "x-powered-by")] == ["high"]


GENERATORS = [
    ("WordPress 5.2.4", ("wordpress", "5.2.4")),
    ("WordPress 6.1.9", ("wordpress", "6.1.9")),
    ("WordPress 4.9.26", ("wordpress", "4.9.26")),
    ("https://wordpress.org/?v=6.4.3", ("wordpress", "6.4.3")),
    ("Drupal 9 (https://www.drupal.org)", ("drupal", "9")),
    ("Joomla! 3.9 - Open Source Content Management", ("joomla", "3.9")),
    ("Elementor 3.5.6; features: e_dom_optimization; settings: css_print_method-external", ("elementor", "3.5.6")),
]


@pytest.mark.parametrize(("value", "expected"), GENERATORS, ids=[g for g, _ in GENERATORS])
def test_generator_versions(value: str, expected: tuple[str, str]) -> None:
    seen = generator_versions(value)
    assert [(v.product, v.version) for v in seen] == [expected]
    assert all(v.confidence == "medium" for v in seen)


def test_generator_without_version_gives_nothing() -> None:
    assert generator_versions("Joomla! - Open Source Content Management") == []
    assert generator_versions("Site Kit by Google") == []


ASSETS = [
    ("https://code.jquery.com/jquery-3.5.1.min.js", ("jquery", "3.5.1", "medium")),
    ("https://code.jquery.com/jquery-1.12.4.js", ("jquery", "1.12.4", "medium")),
    ("/assets/js/jquery-2.2.4.slim.min.js", ("jquery", "2.2.4", "medium")),
    ("https://cdnjs.cloudflare.com/ajax/libs/jquery/1.12.4/jquery.min.js", ("jquery", "1.12.4", "medium")),
    ("https://ajax.googleapis.com/ajax/libs/jquery/3.6.0/jquery.min.js", ("jquery", "3.6.0", "medium")),
    ("https://cdn.jsdelivr.net/npm/jquery@3.7.1/dist/jquery.min.js", ("jquery", "3.7.1", "medium")),
    ("https://cdn.jsdelivr.net/npm/bootstrap@5.3.2/dist/js/bootstrap.bundle.min.js", ("bootstrap", "5.3.2", "medium")),
    ("https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css", ("bootstrap", "4.3.1", "medium")),
    ("/vendor/bootstrap-3.3.7.min.css", ("bootstrap", "3.3.7", "medium")),
    ("https://kab.go.id/wp-includes/js/jquery/jquery.min.js?ver=3.6.1", ("jquery", "3.6.1", "low")),
    ("/wp-includes/css/dist/block-library/style.min.css?ver=6.1.9", ("wordpress", "6.1.9", "low")),
    ("/wp-includes/js/wp-emoji-release.min.js?ver=5.2.4", ("wordpress", "5.2.4", "low")),
]


@pytest.mark.parametrize(("url", "expected"), ASSETS, ids=[a for a, _ in ASSETS])
def test_asset_versions(url: str, expected: tuple[str, str, str]) -> None:
    assert [(v.product, v.version, v.confidence) for v in asset_versions([url])] == [expected]


def test_theme_and_plugin_ver_queries_are_not_a_wordpress_version() -> None:
    assert asset_versions(["/wp-content/themes/kab/style.css?ver=1.0.3",
                           "/wp-content/plugins/contact-form-7/includes/js/index.js?ver=5.7.4"]) == []


def test_header_versions_reads_aspnet_and_skips_versionless() -> None:
    seen = header_versions({"server": "Microsoft-IIS/10.0", "x-powered-by": "ASP.NET", "x-aspnet-version": "4.0.30319"})
    assert [(v.product, v.version) for v in seen] == [("microsoft-iis", "10.0"), ("aspnet", "4.0.30319")]


def test_two_sources_agreeing_raise_confidence() -> None:
    seen = generator_versions("WordPress 6.1.9") + asset_versions(["/wp-includes/js/wp-embed.min.js?ver=6.1.9"])
    [record] = merged(seen)
    assert record["confidence"] == "high" and len(record["seen_at"]) == 2


def test_hostile_banner_is_bounded() -> None:
    seen = banner_versions("A/1.0 " * 10000, "header", "server")
    assert len(seen) <= 60 and all(len(v.evidence) <= 120 for v in seen)


def test_one_banner_reader_for_disclosure_and_versions() -> None:
    """The disclosure facts and the software versions read the same banner headers (``BANNER_HEADERS``)."""
    headers = {"server": "Apache/2.4.6 (CentOS)", "x-debug-token": "a1b2c3", "via": "1.1 varnish",
               "x-aspnet-version": "4.0.30319", "x-other": "Thing/1.0"}
    read = banners(headers, "WordPress 6.1.9")
    assert [(b.name, b.disclosed, b.versioned, b.version) for b in read] == [
        ("server", True, True, "2.4.6"), ("x-aspnet-version", True, True, "4.0.30319"),
        ("x-debug-token", True, False, None), ("via", False, True, "1.1"), ("meta generator", True, False, "6.1.9")]
    assert [d["name"] for d in version_disclosure(headers, None)] == ["server", "x-aspnet-version", "x-debug-token"]
    assert [(v.where, v.version) for v in header_versions(headers)] == [
        ("server", "2.4.6"), ("x-aspnet-version", "4.0.30319")]
