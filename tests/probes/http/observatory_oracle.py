"""Run the MDN HTTP Observatory (vendored test oracle, fixtures/oracles/observatory) and Pindai's
http probe on the same locally served pages, and compare each test's result and modifier."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

from fixtures.headers import HOSTS, ORACLE_DIR, Site
from scanner.model import Target, TargetKind
from scanner.probes.base import ProbeContext
from scanner.probes.http.probe import HttpProbe
from scanner.running.politeness import HostGate, PolitenessPolicy
from scanner.running.runner import observe
from scanner.running.scope import Scope


def oracle_available() -> bool:
    return shutil.which("node") is not None and (ORACLE_DIR / "node_modules" / "axios").is_dir()


def run_oracle(site: Site, cases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The Observatory's verdict per case id (one node process for all cases)."""
    jobs = []
    for case in cases:
        url, http_port, https_port = site.target(case)
        jobs.append({"id": case["id"], "host": HOSTS[0], "httpPort": http_port, "httpsPort": https_port,
                     "path": url.split(str(https_port if case["tls"] != "none" else http_port), 1)[1]})
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(site.trusted_ca), "ABORT_TIMEOUT": "30000",
           "CLIENT_TIMEOUT": "25000"}
    proc = subprocess.run(["node", str(ORACLE_DIR / "oracle.mjs")], input="\n".join(json.dumps(j) for j in jobs),
                          capture_output=True, text=True, env=env, timeout=600, check=True)
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return {r["id"]: r for r in results}


def run_pindai(site: Site, case: dict[str, Any]) -> dict[str, Any]:
    """Pindai's observatory facts for one case."""
    url, http_port, _ = site.target(case)
    policy = PolitenessPolicy(per_host_concurrency=4, requests_per_second=1000, timeout_s=5)
    ctx = ProbeContext(gate=HostGate(policy), scope=Scope(patterns=HOSTS))
    options = {"ca_bundle": str(site.trusted_ca), "http_port": http_port, "exposures": False, "judol_pages": 0}
    facts = observe(HttpProbe(), Target(TargetKind.URL, url, options=options), ctx)
    return dict(facts.data.get("observatory") or {})


def compare(pindai: dict[str, Any], oracle: dict[str, Any]) -> list[str]:
    """Differences between Pindai's and the Observatory's test results, modifiers, score and grade."""
    if "error" in oracle:
        return [f"oracle error: {oracle['error']}"]
    if pindai.get("status") != "ok":
        return [f"pindai observatory status {pindai.get('status')}: {pindai.get('reason')}"]
    ours = {t["name"]: (t["expectation"], t["modifier"]) for t in pindai["tests"]}
    diffs = []
    for name, theirs in oracle["tests"].items():
        mine = ours.get(name)
        if mine is None or mine != (theirs["result"], theirs["modifier"]):
            diffs.append(f"{name}: pindai {mine} != observatory {(theirs['result'], theirs['modifier'])}")
    if (pindai["score"], pindai["grade"]) != (oracle["score"], oracle["grade"]):
        diffs.append(f"score/grade: pindai {pindai['score']}/{pindai['grade']} "
                     f"!= observatory {oracle['score']}/{oracle['grade']}")
    return diffs
