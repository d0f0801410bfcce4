"""``pindai users`` and ``pindai serve`` as a user runs them: first admin, refusal without users, a real server."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests
from click.testing import CliRunner

from scanner.cli import main
from tests.probes.tls.servers import free_port


def test_serve_needs_a_user_then_serves_on_loopback(tmp_path):
    url = f"sqlite:///{tmp_path / 'history.db'}"
    refused = CliRunner().invoke(main, ["serve", "--store", url])
    assert refused.exit_code == 2 and "pindai users add" in refused.output
    weak = CliRunner().invoke(main, ["users", "add", "admin", "--role", "admin", "--store", url, "--password-stdin"],
                              input="pendek\n")
    assert weak.exit_code == 2 and "12" in weak.output
    added = CliRunner().invoke(main, ["users", "add", "admin", "--role", "admin", "--store", url,
                                      "--password-stdin"], input="kata-sandi-admin-1\n")
    assert added.exit_code == 0, added.output
    agency = CliRunner().invoke(main, ["users", "add", "dinkes", "--role", "agency", "--store", url,
                                       "--password-stdin"], input="kata-sandi-dinkes-1\n")
    assert agency.exit_code == 2 and "--agency" in agency.output
    assert "admin" in CliRunner().invoke(main, ["users", "list", "--store", url]).output
    port = free_port()
    pindai = str(Path(sys.executable).parent / "pindai")
    server = subprocess.Popen([pindai, "serve", "--store", url, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = requests.get(f"http://127.0.0.1:{port}/login", timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and server.poll() is None, "pindai serve did not start"
                time.sleep(0.2)
        assert page.status_code == 200 and 'name="csrf"' in page.text
        assert "server" not in page.headers
    finally:
        server.terminate()
        server.wait(timeout=30)
