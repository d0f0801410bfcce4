"""PDF through headless Chromium's print (A4 from the reports' print CSS); no PDF library needed.

Chromium is found as ``chromium``, ``chromium-browser``, ``google-chrome`` or in $PINDAI_CHROMIUM.
It loads the page from a private temporary file with networking off (the reports are self-contained).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_S = 600  # a 100-site fleet's full report prints in well under a minute; this only stops a hang
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


class PdfError(Exception):
    """Chromium is missing or could not print the page."""


def chromium() -> str | None:
    configured = os.environ.get("PINDAI_CHROMIUM")
    if configured:
        return shutil.which(configured) or (configured if Path(configured).is_file() else None)
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


def print_pdf(html: str, out: Path) -> Path:
    """Print the self-contained HTML page ``html`` to ``out`` as PDF."""
    binary = chromium()
    if binary is None:
        raise PdfError("--pdf needs Chromium (Debian: apt-get install chromium) or $PINDAI_CHROMIUM / "
                       "--pdf memerlukan Chromium")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pindai-pdf-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(_opened(html), encoding="utf-8", errors="surrogateescape")
        target = Path(folder) / "report.pdf"
        command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                   "--disable-background-networking", "--disable-sync", "--disable-component-update",
                   "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--no-pdf-header-footer",
                   f"--user-data-dir={Path(folder) / 'profile'}", f"--print-to-pdf={target}", page.as_uri()]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfError(f"Chromium could not print the report: {exc}") from exc
        if not target.is_file() or not target.read_bytes().startswith(b"%PDF-"):
            raise PdfError("Chromium did not write a PDF / Chromium tidak menghasilkan PDF")
        shutil.move(str(target), out)
    return out


def _opened(html: str) -> str:
    """Every <details> open, as the report's beforeprint handler does on Ctrl+P (headless print fires none).
    Text from targets is escaped, so the only ``<details`` tags are the report's own."""
    return html.replace("<details>", "<details open>").replace("<details class=", "<details open class=")


def page_count(pdf: Path) -> int:
    """Pages of a PDF Chromium wrote (its page objects are uncompressed dictionaries)."""
    return len(_PAGE.findall(pdf.read_bytes()))
