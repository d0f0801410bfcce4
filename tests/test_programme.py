"""End to end (issue 27): an inventory of three agencies → `pindai daemon --once` against local sites → a dated
folder with the full and per-agency reports; one mail per agency with only its findings; a webhook that
refuses and then recovers gets exactly one delivery with its idempotency key; a stalled one is not sent twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.history.store import Store
from scanner.service.daemon import run_daemon
from scanner.service.outbox import SENT, UNCERTAIN, Outbox
from tests.services.receivers import free_port, smtp_receiver, webhook_receiver
from tests.services.targets import html_sites

AGENCIES = {
    "Dinas Kesehatan": "kepala@dinkes.contoh.go.id",
    "Bappeda": "tu@bappeda.contoh.go.id",
    "Dinas Pendidikan": "ops@disdik.contoh.go.id",
}


def _profile(folder: Path, sites: list[str], smtp_port: int, hook: str, stalled: str) -> Path:
    rows = [f"{url},{agency},Aplikasi {i},{contact},tinggi"
            for i, (url, (agency, contact)) in enumerate(zip(sites, AGENCIES.items(), strict=True))]
    rows.append(f"{sites[0]},Dinas Lain,Salinan,,")  # a duplicate row: reported, not scanned
    (folder / "aset.csv").write_text("target,perangkat_daerah,nama_aplikasi,email,kritikalitas\n"
                                     + "\n".join(rows) + "\n", encoding="utf-8")
    profile = folder / "kominfo.toml"
    profile.write_text(f"""\
name = "Diskominfo Kab. Contoh"
[inventory]
file = "aset.csv"
[schedule]
cron = "0 2 1 1 *"
[politeness]
timeout = 2
[reports]
formats = ["html", "json"]
keep = 5
[notify]
min_severity = "low"
webhook_url = "{hook}"
slack_webhook_url = "{stalled}"
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
mail_from = "pindai@kominfo.contoh.go.id"
mail_to = ["csirt@kominfo.contoh.go.id"]
agency_mail = true
timeout = 1
""", encoding="utf-8")
    return profile


def test_inventory_to_dated_reports_and_deliveries(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store_url = f"sqlite:///{tmp_path / 'history.db'}"
    refused_port = free_port()
    hook_url = f"http://127.0.0.1:{refused_port}/hooks/officer"
    with html_sites(3) as sites, smtp_receiver() as smtp, webhook_receiver(delay=30) as stalled:
        profile = _profile(tmp_path, sites, smtp.port, hook_url, stalled.url)
        run = CliRunner().invoke(main, ["daemon", "--once", str(profile), "--store", store_url, "--probe", "http"])
        assert run.exit_code == 3, run.output  # one inventory row was not scanned
        assert "3 target(s) observed, 0 not observed, 1 inventory row(s) not scanned" in run.stderr
        assert f"{tmp_path / 'aset.csv'}:5: duplicate of {tmp_path / 'aset.csv'}:2" in caplog.text
        assert "webhook FAILED / gagal (ConnectionError); will retry" in run.stderr
        assert "slack MAY HAVE ARRIVED" in run.stderr

        # the dated folder: full reports and one report per agency holding only its own target
        (folder,) = (tmp_path / "laporan").iterdir()
        assert sorted(p.name for p in folder.iterdir()) == ["agencies", "report.html", "report.json", "summary.html"]
        full = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        assert {t["agency"] for t in full["targets"]} == set(AGENCIES) and full["findings"]
        per_agency = {p.name: p.read_text(encoding="utf-8") for p in (folder / "agencies").iterdir()}
        assert sorted(per_agency) == ["bappeda.html", "dinas-kesehatan.html", "dinas-pendidikan.html"]
        for name, site in zip(["dinas-kesehatan.html", "bappeda.html", "dinas-pendidikan.html"], sites, strict=True):
            others = [s for s in sites if s != site]
            assert site in per_agency[name] and not any(o in per_agency[name] for o in others)

        # one mail per agency to its own contact with only its findings, and the officer's digest
        by_recipient = {tuple(rcpt): msg for (_, rcpt), msg in zip(smtp.envelopes, smtp.messages, strict=True)}
        assert sorted(by_recipient) == sorted([(c,) for c in AGENCIES.values()] + [("csirt@kominfo.contoh.go.id",)])
        for (agency, contact), site in zip(AGENCIES.items(), sites, strict=True):
            mail = by_recipient[(contact,)]
            assert agency in mail["Subject"]
            text = mail.get_body(("plain",)).get_content()
            assert site in text and not any(o in text for o in sites if o != site)
            (attachment,) = list(mail.iter_attachments())
            assert attachment.get_filename().endswith(".html")
            assert site in attachment.get_content() and not any(o in attachment.get_content()
                                                                 for o in sites if o != site)
        assert "kepala@dinkes" not in (folder / "report.json").read_text(encoding="utf-8")  # contacts masked

        # the refused webhook recovers: the next wake-up after the back-off delivers it exactly once
        later = datetime.now(UTC) + timedelta(minutes=10)
        with webhook_receiver(port=refused_port) as hook:
            assert run_daemon([profile], Store(store_url), once=True, now=later, probe_names=["http"]) == []
            run_daemon([profile], Store(store_url), once=True, now=later + timedelta(hours=1), probe_names=["http"])
    (delivered,) = hook.requests
    outbox = Outbox(Store(store_url))
    states = {e.channel: (e.status, e.key) for e in outbox.entries() if not e.audience}
    assert states["webhook"][0] == SENT and delivered["headers"]["Idempotency-Key"] == states["webhook"][1]
    assert delivered["json"]["idempotency_key"] == states["webhook"][1]
    assert states["slack"][0] == UNCERTAIN and len(stalled.requests) == 1  # never sent twice
    assert len(smtp.messages) == 4  # nothing mailed again
