"""Route discovery of the black-box mode: routes that frameworks and habits create, tried once each.

A token endpoint that no page, script or API description mentions is still there; an attacker's
first step is to try ``/api/token``, ``/oauth/token``, ``/actuator`` and the like. The list is
Pindai's own (``rules/auth/routes.yaml``, grouped by framework); an agency pack adds its own
entries in the same format (``checks:`` of a pack whose ``probe`` is ``auth``), tried first.

Each path is requested once with GET on the origin under test, through the harvest (URL gate,
scope, politeness; tokens handed out are analysed like any other). A path counts as **found** when
its reply says the route exists (a 2xx reply that is not a web page, 401/403, 405, or a redirect to
a login page) and does not resemble a random sibling in the same folder (the soft-404 test, asked of
the caller). Route discovery has its own budget, ``MAX_ROUTE_REQUESTS``, siblings included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from scanner.probes.auth.client import Reply, RequestFailed, path_of
from scanner.probes.auth.harvest import REDIRECTS, Harvest, kind, refusal, resolved
from scanner.probes.base import SubStatus
from scanner.resources import rules_dir
from scanner.yamlio import load_yaml

MAX_PATHS = 50
MAX_ROUTE_REQUESTS = 200  # route discovery's share of the black-box budget, random siblings included
_ID = r"^[a-z0-9][a-z0-9-]{1,62}$"


class RouteCheck(BaseModel):
    """One group of routes: the shipped list's entries and an agency pack's ``checks:`` for the auth probe."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID)
    framework: str = Field(default="agency", pattern=_ID)
    paths: list[str] = Field(min_length=1, max_length=MAX_PATHS)
    requires: str = ""  # one of ``paths``: the others are tried only when it was found

    @field_validator("paths")
    @classmethod
    def _route_paths(cls, paths: list[str]) -> list[str]:
        for path in paths:
            if not path.startswith("/") or path.startswith("//"):
                raise ValueError(f"{path!r}: a path starts with one '/' (requests stay on the target's origin)")
            if len(path) > 300 or any(ord(c) < 33 or ord(c) == 127 or c == "\\" for c in path):
                raise ValueError(f"{path!r}: too long, or a space, control character or backslash")
            if ".." in path.split("/") or "://" in path or "#" in path or "?" in path:
                raise ValueError(f"{path!r}: a route is a plain path: no '..' segment, scheme, query or fragment")
        return paths

    @field_validator("requires")
    @classmethod
    def _one_of_its_paths(cls, requires: str, info: ValidationInfo) -> str:
        if requires and requires not in info.data.get("paths", [requires]):
            raise ValueError(f"{requires!r} is not one of this check's paths")
        return requires


@dataclass(frozen=True)
class Route:
    path: str
    check: str
    framework: str
    requires: str = ""  # tried only when this path of the same check was found


@lru_cache(maxsize=1)
def shipped() -> tuple[str, tuple[RouteCheck, ...]]:
    """Version and entries of ``rules/auth/routes.yaml``; raises on a malformed file."""
    raw = load_yaml((rules_dir() / "auth" / "routes.yaml").read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or "version" not in raw or not isinstance(raw.get("routes"), list):
        raise ValueError("rules/auth/routes.yaml: needs a 'version' and a list of 'routes'")
    return str(raw["version"]), tuple(RouteCheck.model_validate(item) for item in raw["routes"])


def route_list(extra: Iterable[dict[str, Any]] = ()) -> list[Route]:
    """The routes to try: an agency's own first, then the shipped ones; each path once (first wins),
    and a check's ``requires`` path before its other paths."""
    checks = [RouteCheck.model_validate(item) for item in extra] + list(shipped()[1])
    routes: dict[str, Route] = {}
    for check in checks:
        ordered = sorted(check.paths, key=lambda p: p != check.requires) if check.requires else check.paths
        for path in ordered:
            requires = check.requires if check.requires and path != check.requires else ""
            routes.setdefault(path, Route(path, check.id, check.framework, requires))
    return list(routes.values())


def existence(reply: Reply) -> str:
    """Why a reply says that a guessed route exists, or ``""``: content that is not a web page,
    a refusal by status or by a redirect to a login page, or a method other than GET expected."""
    if reply.status == 405:
        return "method-not-allowed"
    reason = refusal(reply)["reason"]
    if reason in ("status-401", "status-403", "login-redirect"):
        return reason
    if reply.status_class == "2xx" and kind(reply) != "html":
        return "content"
    return ""


@dataclass
class Found:
    """A route that exists, with its reply without credentials (in memory only)."""

    route: Route
    url: str
    reply: Reply
    answer: str

    @property
    def testable(self) -> bool:
        """Whether a GET endpoint was found (a 405 says only that the route takes another method)."""
        return self.answer != "method-not-allowed"


@dataclass
class RouteFinder:
    """Tries each route once; ``resembles(url, reply)`` is the caller's soft-404 test (True also when
    no sibling could be had: a route is found only when it is shown to differ)."""

    harvest: Harvest
    resembles: Callable[[str, Reply], bool]
    known: set[str]  # paths the run requests anyway (linked, described, well-known): not tried again
    found: list[Found] = field(default_factory=list)

    def run(self, routes: list[Route], version: str, agency: int) -> dict[str, Any]:
        start = self.harvest.client.sent
        tried: set[str] = set()
        found_paths: set[str] = set()
        facts: dict[str, Any] = {"status": SubStatus.OK, "list_version": version, "listed": len(routes),
                                 "agency": agency, "known": 0, "skipped_requires": 0, "tried": 0,
                                 "not_tried": 0, "failed": 0}
        for route in routes:
            if route.path in self.known or route.path in tried:
                facts["known"] += 1
                continue
            if route.requires and route.requires not in found_paths and route.requires not in self.known:
                facts["skipped_requires"] += 1
                continue
            # room for the route, a trailing-slash redirect and its folder's random sibling
            if self.harvest.client.sent - start + 3 > MAX_ROUTE_REQUESTS or self._budget_spent():
                facts["not_tried"] += 1
                continue
            facts["tried"] += 1
            tried.add(route.path)
            hit = self._try(route, tried)
            if hit is None:
                continue
            if isinstance(hit, str):
                facts["failed"] += 1
                continue
            found_paths.add(route.path)
            self.found.append(hit)
        facts["found"] = [{"path": path_of(f.url), "id": f.route.check, "framework": f.route.framework,
                           "http_status": f.reply.status, "content_kind": kind(f.reply), "answer": f.answer}
                          for f in self.found]
        facts["requests"] = self.harvest.client.sent - start
        facts["budget"] = MAX_ROUTE_REQUESTS
        return facts

    def _budget_spent(self) -> bool:
        client = self.harvest.client
        return client.budget is not None and client.sent >= client.budget

    def _try(self, route: Route, tried: set[str]) -> Found | str | None:
        """The route if found; a reason string when the request failed; None when it is not there."""
        url = urljoin(self.harvest.origin + "/", route.path.lstrip("/"))
        try:
            reply = self.harvest.get(url)
            url, reply = self._slash_redirect(url, reply, tried)
        except RequestFailed as exc:
            return str(exc)
        answer = existence(reply)
        if not answer or self.resembles(url, reply):
            return None
        return Found(route, url, reply, answer)

    def _slash_redirect(self, url: str, reply: Reply, tried: set[str]) -> tuple[str, Reply]:
        """Follow one redirect that only adds or removes the trailing slash (Django, Flask, Laravel)."""
        if reply.status not in REDIRECTS:
            return url, reply
        target = resolved(url, [reply.headers.get("location", "")])
        path = urlsplit(url).path
        if not target or target[0].split("?", 1)[0] not in (url.rstrip("/") + "/", url.rstrip("/")) \
                or target[0] == url:
            return url, reply
        new_path = urlsplit(target[0]).path
        if new_path in self.known or new_path in tried or new_path == path:
            return url, reply
        tried.add(new_path)
        return target[0], self.harvest.get(target[0])
