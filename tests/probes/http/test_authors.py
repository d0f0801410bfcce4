"""WordPress login names in crawled author-archive paths never reach the facts unmasked (issue 24)."""

from __future__ import annotations

import json

from fixtures.hostile.recording import RecordingSite
from scanner.model import Target, TargetKind
from scanner.probes.base import ProbeContext
from scanner.probes.http.authors import mask_author_paths
from scanner.probes.http.probe import HttpProbe
from scanner.running.politeness import HostGate, PolitenessPolicy
from scanner.running.runner import observe
from scanner.running.scope import Scope

LOGINS = ("budi-santoso", "siti.rahmawati")


def test_author_archive_paths_are_masked_in_every_fact() -> None:
    home = ("<html><body>" + "".join(f"<a href='/author/{login}/'>{login}</a>" for login in LOGINS)
            + "</body></html>").encode()
    users = json.dumps([{"id": i, "slug": login, "name": "Penulis"} for i, login in enumerate(LOGINS)]).encode()
    routes = {"/": (200, {}, home), **{f"/author/{login}/": (200, {}, b"<html>arsip</html>") for login in LOGINS},
              "/wp-json/wp/v2/users": (200, {"Content-Type": "application/json"}, users)}
    ctx = ProbeContext(gate=HostGate(PolitenessPolicy(requests_per_second=1000, timeout_s=3)),
                       scope=Scope(("127.0.0.1",)))
    with RecordingSite("127.0.0.1", routes) as site:
        facts = observe(HttpProbe(), Target(TargetKind.URL, site.url), ctx)
    assert facts.conclusive, facts.reason
    text = json.dumps(facts.to_dict())
    assert "/author/bu********so/" in text  # the crawl did reach the archives
    for login in LOGINS:
        assert login not in text


def test_mask_author_paths_keeps_other_text() -> None:
    facts = {"p": ["/author/budi%20santoso/page/2", "/authors/", "/x?author=3"], "n": 1}
    assert mask_author_paths(facts) == {"p": ["/author/bu********so/page/2", "/authors/", "/x?author=3"], "n": 1}
