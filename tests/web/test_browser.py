"""The dashboard in headless Chromium: log in, fleet, filters, a follow-up action, an agency report download;
an agency user cannot reach another agency's data by clicking, editing the URL or calling endpoints; a form
posted without its CSRF token is refused; five wrong passwords lock the account; no CSP violation anywhere."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.report.webdriver import Browser, available
from tests.web.fleet import FINDINGS, PASSWORD

pytestmark = pytest.mark.skipif(not available(), reason="chromium and chromedriver are not installed")

POST = """var f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];
for (const [k, v] of [['csrf', document.querySelector('input[name=csrf]').value], ['action', arguments[1]]]) {
  const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i); }
document.body.appendChild(f); f.submit();"""


@pytest.fixture
def browser() -> Iterator[Browser]:
    with Browser() as b:
        yield b


def log_in(browser: Browser, base: str, user: str, password: str = PASSWORD) -> None:
    browser.get(f"{base}/login")
    browser.type("#username", user)
    browser.type("#password", password)
    navigate(browser, "#login")


def navigate(browser: Browser, css: str) -> None:
    """Click what loads a new page and wait until it has loaded (a click returns before the answer does)."""
    browser.js("window.pindaiOldPage = true")
    browser.click(css)
    deadline = time.monotonic() + 30
    while not browser.js("return window.pindaiOldPage === undefined && document.readyState === 'complete'"):
        assert time.monotonic() < deadline, f"no new page after clicking {css}"
        time.sleep(0.05)


def text(browser: Browser, css: str) -> str:
    return str(browser.js("return document.querySelector(arguments[0]).textContent", css)).strip()


def severe(browser: Browser) -> list[dict[str, object]]:
    """Console errors other than HTTP statuses the tests provoke on purpose (401, 403, 404): CSP violations,
    script errors, missing assets."""
    return [e for e in browser.console() if e.get("level") == "SEVERE"
            and not re.search(r"status of 40[134]", str(e.get("message")))]


def wait_for_file(folder: Path, timeout: float = 30) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if not p.name.endswith(".crdownload")]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError("no download")


def test_officer_logs_in_filters_acts_and_downloads_an_agency_report(browser, base_url, tmp_path):
    log_in(browser, base_url, "petugas")
    assert browser.js("return location.pathname") == "/"
    assert text(browser, "#n-critical") == "1" and text(browser, "#n-high") == "1"
    navigate(browser, 'a[href="/findings"]')
    browser.click('#f-severity option[value="high"]')
    navigate(browser, "#f-submit")
    severities = browser.js("return Array.from(document.querySelectorAll('table.items tbody tr .sev'))"
                            ".map(e => e.textContent)")
    assert severities == ["high"] and "severity=high" in browser.js("return location.search")
    navigate(browser, "table.items tbody tr td a")
    browser.type("#act-ack input[name=assignee]", "tim-infra-bkpsdm")
    navigate(browser, "#act-ack button")
    assert browser.js("return document.getElementById('state').dataset.state") == "acknowledged"
    assert "tim-infra-bkpsdm" in text(browser, "dl.facts")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.cdp("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    navigate(browser, 'a[href="/scans"]')
    browser.click('tr[data-scan="' + "b2" * 16 + '"] .agency-dl a[href$="format=html&agency=BKPSDM"]')
    report = wait_for_file(downloads).read_text(encoding="utf-8")
    assert "simpeg.bkpsdm" in report and "sikda.dinkes" not in report and "portal.diskominfo" not in report
    assert severe(browser) == []


def test_agency_user_cannot_reach_another_agency(browser, base_url):
    log_in(browser, base_url, "dinkes")
    assert "sikda.dinkes" in browser.js("return document.body.textContent")
    links = browser.js("return Array.from(document.querySelectorAll('a')).map(a => a.href).join(' ')")
    assert "BKPSDM" not in links and "Diskominfo" not in links and "simpeg" not in links
    navigate(browser, 'a[href="/findings"]')
    assert browser.js("return document.getElementById('f-agency')") is None  # no agency choice to make
    assert "simpeg" not in browser.js("return document.body.textContent")
    other = FINDINGS["simpeg-tls"]
    for path in (f"/findings/{other.fingerprint}", "/agencies/BKPSDM", "/findings?agency=BKPSDM",
                 "/target?id=https%3A%2F%2Fsimpeg.bkpsdm.contoh.go.id%2F"):
        browser.get(base_url + path)
        assert browser.js("return document.getElementById('error') !== null"), path
        assert "simpeg" not in browser.js("return document.body.textContent")
    scan = "b2" * 16
    for path in (f"/scans/{scan}/report?format=html&agency=BKPSDM",
                 f"/scans/{scan}/report?format=csv&agency=Diskominfo"):
        browser.get(base_url + path)
        assert "simpeg" not in browser.js("return document.body.textContent"), path
    browser.get(f"{base_url}/findings")
    browser.js(POST, f"/findings/{other.fingerprint}/act", "ack")  # a hand-made form with a valid token
    assert browser.js("return document.getElementById('error') !== null")
    assert severe(browser) == []


def test_form_without_csrf_token_is_refused(browser, base_url):
    log_in(browser, base_url, "petugas")
    fp = FINDINGS["sikda-tls"].fingerprint
    browser.get(f"{base_url}/findings/{fp}")
    browser.js("document.querySelector('#act-fixed input[name=csrf]').remove()")
    navigate(browser, "#act-fixed button")
    assert browser.js("return document.getElementById('error') !== null")
    browser.get(f"{base_url}/findings/{fp}")
    assert browser.js("return document.getElementById('state').dataset.state") == "open"


def test_five_wrong_passwords_lock_the_account(browser, base_url):
    for _ in range(5):
        log_in(browser, base_url, "bkpsdm", "bukan-kata-sandinya")
    assert "dikunci" in text(browser, "#login-error")
    log_in(browser, base_url, "bkpsdm")
    assert browser.js("return location.pathname") == "/login" and "dikunci" in text(browser, "#login-error")
    assert severe(browser) == []


def test_english_pages(browser, base_url):
    log_in(browser, base_url, "auditor")
    browser.get(f"{base_url}/trend?lang=en")
    assert text(browser, "h1") == "Weekly trend"
    browser.get(f"{base_url}/")
    assert text(browser, "h1").startswith("Fleet posture")
    assert severe(browser) == []
