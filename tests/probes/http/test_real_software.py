"""Signatures proven on real software: each framework or server runs on 127.0.0.1 weak (debug on,
listing on, files served) and hardened; the weak one must raise the rule, the hardened one must not.
Which software and version each signature was tested on: docs/facts/http.md.

Not here, because they cannot be produced from packages reachable in the test set-up (not in
Debian 12; the tests fetch no Composer packages): Laravel Ignition, Whoops, Telescope, Horizon,
phpMyAdmin and Adminer. Their signatures are tested on attack fixtures (fixtures/web)."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from fixtures.realweb import httpd, node, php, python_apps

DJANGO_DEBUG = ("django-debug", partial(python_apps.start_django, debug=True))
DJANGO_OFF = ("django-off", partial(python_apps.start_django, debug=False))
FLASK_DEBUG = ("flask-debug", partial(python_apps.start_flask, debug=True))
FLASK_OFF = ("flask-off", partial(python_apps.start_flask, debug=False))
FASTAPI_DOCS = ("fastapi-docs", partial(python_apps.start_fastapi, docs=True))
FASTAPI_NODOCS = ("fastapi-nodocs", partial(python_apps.start_fastapi, docs=False))
PHP_WEAK = ("php-weak", partial(php.start_php, hardened=False))
PHP_HARD = ("php-hardened", partial(php.start_php, hardened=True))
APACHE_WEAK = ("apache-weak", partial(httpd.start_apache, hardened=False))
APACHE_HARD = ("apache-hardened", partial(httpd.start_apache, hardened=True))
NGINX_WEAK = ("nginx-weak", partial(httpd.start_nginx, hardened=False))
NGINX_HARD = ("nginx-hardened", partial(httpd.start_nginx, hardened=True))
EXPRESS_DEV = ("express-dev", partial(node.start_express, hardened=False))
EXPRESS_PROD = ("express-prod", partial(node.start_express, hardened=True))

DJANGO_PAGES = {"pages": ["/broken/"]}


def test_django_debug_true_404_and_500_pages_are_debug_pages(scan_real: Any) -> None:
    scan = scan_real(*DJANGO_DEBUG, DJANGO_PAGES)
    assert "django-debug" in scan.debug_frameworks()
    assert "PND-HTTP-015" in scan.rule_ids()


def test_django_debug_false_raises_no_debug_finding(scan_real: Any) -> None:
    scan = scan_real(*DJANGO_OFF, DJANGO_PAGES)
    assert scan.debug_frameworks() == set()
    assert "PND-HTTP-015" not in scan.rule_ids()


def test_flask_werkzeug_debugger_page_and_console_are_found(scan_real: Any) -> None:
    scan = scan_real(*FLASK_DEBUG)
    assert {"werkzeug-debugger", "werkzeug-console"} <= scan.debug_frameworks()
    assert "PND-HTTP-015" in scan.rule_ids()


def test_flask_without_debugger_raises_no_debug_finding(scan_real: Any) -> None:
    scan = scan_real(*FLASK_OFF)
    assert scan.debug_frameworks() == set()
    assert "PND-HTTP-015" not in scan.rule_ids()


def test_fastapi_docs_and_openapi_are_found(scan_real: Any) -> None:
    scan = scan_real(*FASTAPI_DOCS)
    assert {"openapi-spec", "swagger-ui", "redoc"} <= scan.exposure_ids()
    assert "PND-HTTP-023" in scan.rule_ids()


def test_fastapi_with_docs_off_raises_no_api_docs_finding(scan_real: Any) -> None:
    scan = scan_real(*FASTAPI_NODOCS)
    assert not {"openapi-spec", "swagger-ui", "redoc"} & scan.exposure_ids()
    assert "PND-HTTP-023" not in scan.rule_ids()


PHP_RULES = {"PND-HTTP-014": "X-Powered-By: PHP/x", "PND-HTTP-015": "display_errors=On",
             "PND-HTTP-017": ".env served", "PND-HTTP-019": "storage/logs/laravel.log served",
             "PND-HTTP-024": "phpinfo()"}


@pytest.mark.parametrize("rule_id", sorted(PHP_RULES))
def test_php_misdeployed_raises(scan_real: Any, rule_id: str) -> None:
    assert rule_id in scan_real(*PHP_WEAK).rule_ids(), PHP_RULES[rule_id]


@pytest.mark.parametrize("rule_id", sorted(PHP_RULES))
def test_php_hardened_raises_nothing(scan_real: Any, rule_id: str) -> None:
    assert rule_id not in scan_real(*PHP_HARD).rule_ids(), PHP_RULES[rule_id]


def test_php_warning_and_fatal_error_pages_are_both_recognised(scan_real: Any) -> None:
    scan = scan_real(*PHP_WEAK)
    hit = next(h for h in scan.facts["debug"]["hits"] if h["framework"] == "php-error")
    assert hit["pages"] >= 2  # /berita.php (warning) and /agenda.php (fatal error)


SERVER_RULES = {"PND-HTTP-014": "Server banner with version", "PND-HTTP-016": "autoindex of /uploads/",
                "PND-HTTP-017": "config.php.bak served", "PND-HTTP-018": ".git served",
                "PND-HTTP-019": "backup.sql served", "PND-HTTP-022": "status page open"}


@pytest.mark.parametrize("rule_id", sorted(SERVER_RULES))
@pytest.mark.parametrize("server", [APACHE_WEAK, NGINX_WEAK], ids=["apache", "nginx"])
def test_weak_web_server_raises(scan_real: Any, server: tuple[str, Any], rule_id: str) -> None:
    assert rule_id in scan_real(*server).rule_ids(), SERVER_RULES[rule_id]


@pytest.mark.parametrize("rule_id", sorted(SERVER_RULES))
@pytest.mark.parametrize("server", [APACHE_HARD, NGINX_HARD], ids=["apache", "nginx"])
def test_hardened_web_server_raises_nothing(scan_real: Any, server: tuple[str, Any], rule_id: str) -> None:
    assert rule_id not in scan_real(*server).rule_ids(), SERVER_RULES[rule_id]


def test_apache_server_status_and_server_info_are_both_found(scan_real: Any) -> None:
    assert {"apache-server-status", "apache-server-info"} <= scan_real(*APACHE_WEAK).exposure_ids()


def test_express_development_error_handler_stack_trace_is_found(scan_real: Any) -> None:
    scan = scan_real(*EXPRESS_DEV)
    assert "stack-trace" in scan.debug_frameworks()
    assert "PND-HTTP-015" in scan.rule_ids()
    powered = [d for d in scan.facts["disclosure"]["items"] if d["name"] == "x-powered-by"]
    assert powered and powered[0]["value"] == "Express"


def test_express_production_shows_no_stack_and_no_x_powered_by(scan_real: Any) -> None:
    scan = scan_real(*EXPRESS_PROD)
    assert "PND-HTTP-015" not in scan.rule_ids()
    assert not [d for d in scan.facts["disclosure"]["items"] if d["name"] == "x-powered-by"]


def test_debian_nginx_1_22_banner_is_past_upstream_end_of_support(scan_real: Any) -> None:
    scan = scan_real(*NGINX_WEAK)
    findings = [f for f in scan.findings if f.rule_id == "PND-HTTP-040"]
    assert [f.item_key for f in findings] == ["nginx 1.22"]
    assert findings[0].confidence == "high"  # nginx's banner never names the distribution


def test_no_outdated_software_finding_without_an_observed_version(scan_real: Any) -> None:
    for server in (NGINX_HARD, APACHE_HARD, PHP_HARD):
        scan = scan_real(*server)
        assert not {"PND-HTTP-040", "PND-HTTP-041"} & scan.rule_ids(), server[0]
        assert not [i for i in scan.facts["software"]["items"] if i["product"] in ("nginx", "php")]


def test_supported_apache_2_4_raises_no_outdated_software_finding(scan_real: Any) -> None:
    scan = scan_real(*APACHE_WEAK)
    apache = next(i for i in scan.facts["software"]["items"] if i["product"] == "apache-httpd")
    assert apache["eol"]["status"] == "supported" and apache["distribution"] == "Debian"
    assert apache["confidence"] == "low"
    assert not {"PND-HTTP-040", "PND-HTTP-041"} & scan.rule_ids()
