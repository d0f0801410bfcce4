"""Pindai scans its own dashboard behind a TLS-terminating nginx (as deployed): nothing at medium or above."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.probes.tls.pki import issue, make_pki
from tests.probes.tls.servers import NGINX, free_port, nginx_conf, start_nginx
from tests.web.fleet import serving

PROXY_SERVER = """
    server_tokens off;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384;
        ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384;
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-For $remote_addr;
        }}
    }}
"""


@pytest.mark.skipif(NGINX is None, reason="nginx not installed")
def test_scan_of_the_dashboard_finds_nothing_at_medium_or_above(tmp_path: Path, fleet_store, clock) -> None:
    pki = make_pki(tmp_path)
    cert, key, chain = pki.write("dashboard", issue("localhost", issuer=pki.intermediate, ec_key=True),
                                 [pki.intermediate])
    assert chain is not None
    fullchain = tmp_path / "fullchain.pem"
    fullchain.write_bytes(cert.read_bytes() + chain.read_bytes())
    port = free_port()
    with serving(fleet_store, clock) as upstream:
        server = PROXY_SERVER.format(port=port, cert=fullchain, key=key, upstream=upstream.rsplit(":", 1)[1])
        nginx = start_nginx(tmp_path, nginx_conf(tmp_path, server, connections=64), port)
        try:
            profile = tmp_path / "dogfood.toml"
            profile.write_text(f'name = "dogfood"\n[scope]\nallow = ["localhost"]\n[[targets]]\n'
                               f'target = "https://localhost:{port}/"\nexposure = "internet"\n'
                               f'[targets.options]\nca_file = "{pki.ca_file}"\nca_bundle = "{pki.ca_file}"\n')
            out = tmp_path / "result.json"
            run = subprocess.run([str(Path(sys.executable).parent / "pindai"), "scan", "--profile", str(profile),
                                  "--no-store", "--json", str(out), "--fail-on", "medium"],
                                 capture_output=True, text=True, timeout=600)
        finally:
            nginx.terminate()
            nginx.wait(timeout=30)
    result = json.loads(out.read_text(encoding="utf-8"))
    assert {f["probe"]: f["status"] for f in result["facts"]} == {"tls": "ok", "http": "ok", "auth": "ok"}
    serious = [(f["severity"], f["rule_id"], f["title"]["en"]) for f in result["findings"]
               if f["severity"] in ("critical", "high", "medium")]
    assert serious == [], serious
    assert run.returncode == 0, run.stderr[-2000:]
