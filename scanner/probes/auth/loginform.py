"""Login forms: parse the page, log in, observe transport, CAPTCHA/MFA hints and throttling."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from scanner.probes.auth.client import Client, CredentialsWithheld, Reply, RequestFailed, origin_of, path_of
from scanner.probes.auth.options import LoginOption
from scanner.probes.base import SubStatus, inconclusive

CAPTCHA_HINTS = re.compile(r"g-recaptcha|recaptcha|h-captcha|hcaptcha|cf-turnstile|turnstile|captcha", re.I)
MFA_HINTS = re.compile(
    r"\b(otp|totp|2fa|mfa|two[- ]factor|multi[- ]factor|authenticator|kode verifikasi|kode otp|"
    r"verifikasi dua langkah|autentikasi dua faktor)\b", re.I)
THROTTLE_HINTS = re.compile(
    r"too many|rate.?limit|locked|lockout|try again (?:later|in)|terlalu banyak|"
    r"coba lagi (?:dalam|setelah|nanti|beberapa)|dikunci|diblokir|captcha", re.I)
THROTTLE_STATUSES = {423, 429, 503}


@dataclass
class Form:
    action: str = ""
    method: str = "GET"
    inputs: list[dict[str, str]] = field(default_factory=list)

    @property
    def has_password(self) -> bool:
        return any(i.get("type", "").lower() == "password" for i in self.inputs)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(values.get("action", ""), values.get("method", "GET").upper() or "GET"))
        elif tag in ("input", "select", "textarea") and self.forms:
            self.forms[-1].inputs.append({"name": values.get("name", ""), "type": values.get("type", "text")})


def parse_forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def login_form(html: str) -> Form | None:
    """The first form with a password field."""
    return next((f for f in parse_forms(html) if f.has_password), None)


def _hidden_fields(form: Form, html: str) -> dict[str, str]:
    """Hidden inputs (CSRF tokens) with their values, so the login can succeed."""
    values: dict[str, str] = {}
    for match in re.finditer(r"<input[^>]*>", html, re.I):
        tag = match.group(0)
        if re.search(r'type\s*=\s*["\']?hidden', tag, re.I):
            name = re.search(r'name\s*=\s*["\']([^"\']*)', tag, re.I)
            value = re.search(r'value\s*=\s*["\']([^"\']*)', tag, re.I)
            if name:
                values[name.group(1)] = value.group(1) if value else ""
    return values


@dataclass
class LoginResult:
    facts: dict[str, Any]
    cookies: dict[str, str]
    replies: list[Reply]


def _join(base: str, link: str) -> str:
    """``link`` (a form action or Location from the target) resolved on ``base``; RequestFailed if malformed."""
    try:
        return urljoin(base, link)
    except ValueError as exc:
        raise RequestFailed(f"malformed link from the target: {exc}") from exc


def follow(client: Client, url: str, cookies: dict[str, str] | None = None, hops: int = 3) -> Reply:
    """GET ``url`` and follow up to ``hops`` redirects (each one scope-checked by the client).

    A redirect to another origin while cookies are held is not followed (credentials stay home).
    """
    jar = dict(cookies or {})
    reply = client.send("GET", url, cookies=jar)
    for _ in range(hops):
        location = reply.headers.get("location")
        if not (300 <= reply.status < 400 and location):
            break
        jar.update(reply.cookies)
        target = _join(reply.url, location)
        if jar and origin_of(target) != client.origin:
            break  # the session cookies stay with the target's origin: stop at this reply
        reply = client.send("GET", target, cookies=jar)
        reply.cookies = {**jar, **reply.cookies}
    return reply


def _post(client: Client, url: str, form: Form | None, page: Reply, fields: dict[str, str]) -> Reply:
    data = {**(_hidden_fields(form, page.text) if form else {}), **fields}
    return client.send("POST", url, data=data, cookies=page.cookies)


def log_in(client: Client, base: str, option: LoginOption, password: str) -> LoginResult:
    """Fetch the login page, observe it, post the credentials and keep the session cookies."""
    facts: dict[str, Any] = {"status": SubStatus.OK, "path": path_of(urljoin(base, option.url))}
    page = follow(client, urljoin(base, option.url))
    page_url = page.url
    form = login_form(page.text)
    action_url = _join(page_url, form.action) if form and form.action else page_url
    hints_text = page.text
    facts.update(
        page_scheme=urlsplit(page_url).scheme,
        redirected_to=path_of(page_url) if path_of(page_url) != facts["path"] else "",
        page_http_status=page.status,
        form_found=form is not None,
        form_method=form.method if form else "",
        form_action_scheme=urlsplit(action_url).scheme,
        form_action_path=path_of(action_url),
        form_action_other_origin=origin_of(action_url) != client.origin,
        password_field=bool(form and form.has_password),
        captcha_hint=bool(CAPTCHA_HINTS.search(hints_text)),
        mfa_hint=bool(MFA_HINTS.search(hints_text)),
    )
    if not password:
        facts["login"] = inconclusive(f"environment variable {option.password_env} is not set")
        return LoginResult(facts, {}, [page])
    try:
        reply = _post(client, action_url, form, page, {option.user_field: option.user,
                                                       option.password_field: password})
    except CredentialsWithheld as exc:  # the form posts to another origin: the password stays here
        facts["login"] = {"status": SubStatus.SKIPPED, "reason": str(exc)}
        return LoginResult(facts, {}, [page])
    cookies = {**page.cookies, **reply.cookies}
    replies = [page, reply]
    landing = _join(action_url, reply.headers["location"]) if 300 <= reply.status < 400 \
        and reply.headers.get("location") else ""
    if landing and origin_of(landing) == client.origin:  # the session stays with the target's origin
        reply = follow(client, landing, cookies, hops=2)
        cookies.update(reply.cookies)
        replies.append(reply)
    marker = "not-configured" if not option.success_marker else (
        "present" if option.success_marker in reply.text else "absent")
    facts["login"] = {"status": SubStatus.OK, "http_status": reply.status, "marker": marker,
                      "cookies_set": sorted(reply.cookies)}
    facts["mfa_hint"] = facts["mfa_hint"] or bool(MFA_HINTS.search(reply.text))
    return LoginResult(facts, cookies, replies)


def failed_logins(client: Client, base: str, option: LoginOption, attempts: int) -> dict[str, Any]:
    """Post ``attempts`` wrong passwords for the configured user; observe throttling signals."""
    page_url = urljoin(base, option.url)
    statuses: list[int] = []
    signals: list[str] = []
    first_signal: int | None = None
    for n in range(1, attempts + 1):
        try:
            page = follow(client, page_url)
            form = login_form(page.text)
            action = _join(page.url, form.action) if form and form.action else page.url
            wrong = "pindai-wrong-" + secrets.token_hex(6)
            reply = _post(client, action, form, page, {option.user_field: option.user, option.password_field: wrong})
        except RequestFailed as exc:
            return inconclusive(str(exc), attempts=n - 1, http_statuses=statuses)
        statuses.append(reply.status)
        found = []
        if reply.status in THROTTLE_STATUSES:
            found.append(f"status {reply.status}")
        if "retry-after" in reply.headers:
            found.append("Retry-After header")
        if THROTTLE_HINTS.search(reply.text):
            found.append("throttle/lockout wording")
        if found:
            first_signal, signals = n, found
            break  # throttling seen: no need to keep hammering the login
    return {"status": SubStatus.OK, "attempts": len(statuses), "http_statuses": statuses, "throttled": bool(signals),
            "first_throttled_at": first_signal, "signals": signals}
