"""The dashboard as a Starlette application; ``create_app`` wires it to one history store.

Security in one place: every page needs a live session (server-side, see ``accounts``); every
POST carries the session's CSRF token (the login form a pre-session one); an agency user's scope is
passed into every query, so pages, downloads, exports and direct URLs answer 404 outside it; a
role that may not act gets 403; every response carries a strict CSP (no inline script) and no-store.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from scanner.followup.states import ACTIONS, State
from scanner.followup.tracker import Filters, FollowUpError, Tracker, export_log
from scanner.history.store import Store, StoreError
from scanner.report.common import slug
from scanner.web import queries
from scanner.web.accounts import Accounts, LoginError, Session
from scanner.web.strings import words

HERE = Path(__file__).parent
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
REPORT_FORMATS = {"html": "text/html", "json": "application/json", "csv": "text/csv", "sarif": "application/json",
                  "markdown": "text/markdown", "junit": "application/xml"}
EXTENSIONS = {"markdown": "md", "junit": "xml", "sarif": "sarif"}
AGENCY_ACTIONS = ("ack", "fixed")
LOGIN_WINDOW_S, LOGIN_ATTEMPTS = 300.0, 20


class _LoginRequired(Exception):
    pass


class _Headers(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        headers["Cache-Control"] = "no-store"
        if request.url.scheme == "https":
            headers["Strict-Transport-Security"] = "max-age=31536000"
        return response


class Dashboard:
    """The pages and actions over one store."""

    def __init__(self, store: Store, profiles: Sequence[Path] = (), now: Callable[[], datetime] | None = None,
                 session_hours: float = 8.0) -> None:
        clock = now or (lambda: datetime.now(UTC))
        self.store = store
        self.tracker = Tracker(store, now=clock)
        self.accounts = Accounts(store, now=clock, session_hours=session_hours)
        self.profiles = list(profiles)
        self.now = clock
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self.attempts: dict[str, deque[float]] = defaultdict(deque)
        self._ruleset: Any = None
        self._sync_lock = threading.Lock()

    # --- plumbing ------------------------------------------------------------------------------------

    def _cookie(self, request: Request, name: str) -> str:
        return f"__Host-{name}" if request.url.scheme == "https" else name

    def _set_cookie(self, request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
        response.set_cookie(self._cookie(request, name), value, max_age=max_age, path="/", httponly=True,
                            samesite="strict", secure=request.url.scheme == "https")

    def _lang(self, request: Request) -> str:
        lang = request.query_params.get("lang") or request.cookies.get(self._cookie(request, "pindai_lang"), "id")
        return lang if lang in ("id", "en") else "id"

    def session(self, request: Request) -> Session:
        found = self.accounts.session(request.cookies.get(self._cookie(request, "pindai_session"), ""))
        if found is None:
            raise _LoginRequired
        with self._sync_lock:
            self.tracker.sync()
        return found

    def page(self, request: Request, name: str, session: Session | None, status: int = 200, **context: Any) -> Response:
        lang = self._lang(request)
        response = self.templates.TemplateResponse(request, name, {
            "w": words(lang), "lang": lang, "session": session, "user": session.user if session else None,
            "severities": queries.SEVERITIES, "states": [s.value for s in State], **context}, status_code=status)
        if "lang" in request.query_params:
            self._set_cookie(request, response, "pindai_lang", lang, 365 * 86400)
        return response

    async def _checked_form(self, request: Request, expected: str) -> Any:
        form = await request.form()
        token = str(form.get("csrf", ""))
        if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
            raise HTTPException(403, "CSRF token missing or wrong / token CSRF tidak ada atau salah")
        return form

    # --- login ---------------------------------------------------------------------------------------

    def login_page(self, request: Request, error: str = "", status: int = 200) -> Response:
        token = secrets.token_urlsafe(32)
        response = self.page(request, "login.html", None, status, login_csrf=token, error=error)
        self._set_cookie(request, response, "pindai_login", token, 600)
        return response

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            return self.login_page(request)
        await self._checked_form(request, request.cookies.get(self._cookie(request, "pindai_login"), ""))
        form = await request.form()
        client = request.client.host if request.client else ""
        now = time.monotonic()
        if len(self.attempts) > 10_000:  # many addresses: forget those with no recent attempt
            for stale in [ip for ip, times in self.attempts.items() if not times or times[-1] < now - LOGIN_WINDOW_S]:
                del self.attempts[stale]
        recent = self.attempts[client]
        while recent and recent[0] < now - LOGIN_WINDOW_S:
            recent.popleft()
        if len(recent) >= LOGIN_ATTEMPTS:
            return self.login_page(request, "slow_down", 429)
        recent.append(now)
        try:
            token, _ = await run_in_threadpool(self.accounts.login, str(form.get("username", "")),
                                               str(form.get("password", "")))
        except LoginError as exc:
            return self.login_page(request, "locked" if exc.locked else "bad_login", 401)
        response = RedirectResponse("/", status_code=303)
        self._set_cookie(request, response, "pindai_session", token, int(self.accounts.session_hours * 3600))
        response.delete_cookie(self._cookie(request, "pindai_login"), path="/")
        return response

    async def logout(self, request: Request) -> Response:
        session = await run_in_threadpool(self.session, request)
        await self._checked_form(request, session.csrf)
        await run_in_threadpool(self.accounts.logout, request.cookies.get(self._cookie(request, "pindai_session"), ""))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(self._cookie(request, "pindai_session"), path="/")
        return response

    # --- pages ---------------------------------------------------------------------------------------

    def fleet(self, request: Request) -> Response:
        s = self.session(request)
        return self.page(request, "fleet.html", s, fleet=queries.fleet(self.store.engine, s.user.scope,
                                                                       self.now().date()))

    def trend(self, request: Request) -> Response:
        s = self.session(request)
        weeks = queries.trend(self.store.engine, s.user.scope, 12, self.now().date())
        return self.page(request, "trend.html", s, weeks=weeks)

    def agency(self, request: Request) -> Response:
        s = self.session(request)
        name = request.path_params["name"]
        if s.user.scope is not None and name != s.user.scope:
            raise HTTPException(404)
        rows = queries.targets(self.store.engine, s.user.scope, agency=name)
        if not rows:
            raise HTTPException(404)
        items = self.tracker.items(Filters(agency=name, active_only=True))
        return self.page(request, "agency.html", s, agency=name, targets=rows, items=items)

    def target(self, request: Request) -> Response:
        s = self.session(request)
        target_id = request.query_params.get("id", "")
        row = queries.target(self.store.engine, s.user.scope, target_id)
        if row is None:
            raise HTTPException(404)
        return self.page(request, "target.html", s, target=row,
                         history=queries.target_history(self.store.engine, target_id),
                         items=self.tracker.items(Filters(agency=s.user.scope, target=target_id)))

    def findings(self, request: Request) -> Response:
        s = self.session(request)
        q = request.query_params
        scope = s.user.scope
        wanted = q.get("agency", "") or None
        if scope is not None and wanted not in (None, scope):
            raise HTTPException(404)
        filters = Filters(agency=scope if scope is not None else wanted, severity=q.get("severity", ""),
                          rule=q.get("rule", ""), state=q.get("state", ""), overdue=q.get("overdue") == "1",
                          new_since=q.get("new_since", ""), active_only=not q.get("state"))
        return self.page(request, "findings.html", s, items=self.tracker.items(filters), q=q,
                         agencies=queries.agencies(self.store.engine, scope))

    def finding(self, request: Request, error: str = "", status: int = 200) -> Response:
        s = self.session(request)
        item = self._item(s, request.path_params["fingerprint"])
        allowed = [a for a, (_, starts) in ACTIONS.items() if item.state in starts and self._may(s, a)]
        return self.page(request, "finding.html", s, status, item=item, log=self.tracker.log(item.fingerprint),
                         actions=allowed, error=error)

    def _item(self, s: Session, fingerprint: str) -> Any:
        try:
            item = self.tracker.item(fingerprint, agency=s.user.scope)
        except FollowUpError:
            item = None
        if item is None or item.fingerprint != fingerprint:
            raise HTTPException(404)
        return item

    @staticmethod
    def _may(s: Session, action: str) -> bool:
        return s.user.role in ("admin", "officer") or (s.user.role == "agency" and action in AGENCY_ACTIONS)

    async def act(self, request: Request) -> Response:
        s = await run_in_threadpool(self.session, request)
        form = await self._checked_form(request, s.csrf)
        fingerprint = request.path_params["fingerprint"]
        await run_in_threadpool(self._item, s, fingerprint)
        action = str(form.get("action", ""))
        if action not in ACTIONS:
            raise HTTPException(400, "unknown action")
        if not self._may(s, action):
            raise HTTPException(403)
        details = {k: str(form.get(k, "")) for k in ("assignee", "target_date", "approver", "reason", "expires")}
        try:
            await run_in_threadpool(lambda: self.tracker.act(fingerprint, action, s.user.username,
                                                             note=str(form.get("note", "")), agency=s.user.scope,
                                                             **details))
        except FollowUpError as exc:
            return await run_in_threadpool(self.finding, request, str(exc), 400)
        return RedirectResponse(f"/findings/{fingerprint}", status_code=303)

    def scans(self, request: Request) -> Response:
        s = self.session(request)
        return self.page(request, "scans.html", s, scans=queries.scan_list(self.store.engine, s.user.scope),
                         formats=list(REPORT_FORMATS))

    def report(self, request: Request) -> Response:
        """One scan's report in any format, whole or for one agency; an agency user gets only its own."""
        from dataclasses import replace

        from scanner.report import renderer
        from scanner.report.agencies import split_by_agency

        s = self.session(request)
        scan_id, fmt = request.path_params["scan_id"], request.query_params.get("format", "html")
        agency = request.query_params.get("agency", "") or s.user.scope
        if fmt not in REPORT_FORMATS or (s.user.scope is not None and agency != s.user.scope):
            raise HTTPException(404)
        if not queries.scan_visible(self.store.engine, s.user.scope, scan_id):
            raise HTTPException(404)
        result = self.store.load(scan_id)  # with where each rule applied, as the judge recorded it
        if result.applicable is None:  # stored before revision 0004 recorded it: from the stored facts
            from scanner.running.scan import with_applicability

            result = with_applicability(result, self.ruleset())
        if agency is not None:
            part = split_by_agency(result).get(agency)
            if part is None or not part.targets:
                raise HTTPException(404)
            result = replace(part, profile={**part.profile, "agency": agency})
        body = renderer(fmt)(result, self.ruleset(), self._lang(request))
        name = f"pindai-{scan_id[:12]}-{slug(agency) if agency else 'all'}.{EXTENSIONS.get(fmt, fmt)}"
        return Response(body, media_type=REPORT_FORMATS[fmt], headers={
            "Content-Disposition": f'attachment; filename="{name}"', "Content-Security-Policy": "sandbox"})

    def ruleset(self) -> Any:
        if self._ruleset is None:
            from scanner.judging.rules import load_rules

            self._ruleset = load_rules()
        return self._ruleset

    def audit_log(self, request: Request) -> Response:
        s = self.session(request)
        fmt = request.query_params.get("format", "csv")
        if fmt not in ("csv", "json"):
            raise HTTPException(404)
        body = export_log(self.tracker.log(agency=s.user.scope), fmt)
        return Response(body, media_type="text/csv" if fmt == "csv" else "application/json",
                        headers={"Content-Disposition": f'attachment; filename="pindai-audit-log.{fmt}"'})

    def schedules(self, request: Request) -> Response:
        from scanner.service.daemon import load_scheduled

        s = self.session(request)
        scheduled, errors = load_scheduled(self.profiles, self.store) if self.profiles else ([], [])
        now = self.now()
        rows = [{"name": p.profile.spec.name or p.path.name, "cron": p.cron, "tz": str(p.tz),
                 "last_run": p.last_run.astimezone(p.tz).isoformat(timespec="minutes") if p.last_run else "",
                 "next_run": p.next_fire(now).astimezone(p.tz).isoformat(timespec="minutes")} for p in scheduled]
        return self.page(request, "schedules.html", s, rows=rows, errors=errors)

    def deliveries(self, request: Request) -> Response:
        s = self.session(request)
        return self.page(request, "deliveries.html", s, rows=queries.deliveries(self.store.engine, s.user.scope))

    async def users(self, request: Request) -> Response:
        from scanner.web.accounts import AccountError

        s = await run_in_threadpool(self.session, request)
        if s.user.role != "admin":
            raise HTTPException(403)
        error = ""
        if request.method == "POST":
            form = await self._checked_form(request, s.csrf)
            try:
                await run_in_threadpool(self.accounts.add, str(form.get("username", "")), str(form.get("role", "")),
                                        str(form.get("password", "")), str(form.get("agency", "")))
            except AccountError as exc:
                error = str(exc)
            else:
                return RedirectResponse("/users", status_code=303)
        listed = await run_in_threadpool(self.accounts.list)
        return self.page(request, "users.html", s, 400 if error else 200, users=listed, error=error)


def create_app(store: Store, profiles: Sequence[Path] = (), now: Callable[[], datetime] | None = None,
               session_hours: float = 8.0) -> Starlette:
    """The dashboard application over ``store`` (``profiles``: scheduled profiles to show)."""
    d = Dashboard(store, profiles, now, session_hours)

    async def login_required(request: Request, exc: Exception) -> Response:
        return RedirectResponse("/login", status_code=303)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        lang = d._lang(request)
        w = words(lang)
        text = {403: w["forbidden"], 404: w["not_found"]}.get(exc.status_code, str(exc.detail))
        return d.templates.TemplateResponse(request, "error.html", {"w": w, "lang": lang, "message": text,
                                                                    "user": None}, status_code=exc.status_code)

    async def store_error(request: Request, exc: Exception) -> Response:
        return HTMLResponse("history store unavailable / penyimpanan riwayat tidak tersedia", status_code=503)

    routes = [
        Route("/login", d.login, methods=["GET", "POST"]),
        Route("/logout", d.logout, methods=["POST"]),
        Route("/", d.fleet),
        Route("/trend", d.trend),
        Route("/agencies/{name:path}", d.agency),
        Route("/target", d.target),
        Route("/findings", d.findings),
        Route("/findings/{fingerprint}", d.finding),
        Route("/findings/{fingerprint}/act", d.act, methods=["POST"]),
        Route("/scans", d.scans),
        Route("/scans/{scan_id}/report", d.report),
        Route("/audit-log", d.audit_log),
        Route("/schedules", d.schedules),
        Route("/deliveries", d.deliveries),
        Route("/users", d.users, methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(_Headers)], exception_handlers={
        _LoginRequired: login_required, HTTPException: http_error, StoreError: store_error})
