"""The annual report as PDF, printed server-side by headless Chromium (``--print-to-pdf``).

Chromium is the one dependency: Debian's ``chromium`` package (``apt-get install -y chromium``), the
same binary the browser tests drive; ``COOPGOV_CHROMIUM`` names another path.  The report is written
to a temporary directory as a self-contained HTML file (its print stylesheet inlined, charts as
inline SVG, no network) and printed from there with networking disabled.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CSS = Path(__file__).parent / "static" / "engagement" / "engagement.css"
TIMEOUT_SECONDS = 60


class PdfUnavailable(RuntimeError):
    pass


def chromium_path() -> str | None:
    configured = os.environ.get("COOPGOV_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def print_css() -> str:
    return CSS.read_text(encoding="utf-8")


def html_to_pdf(html: str) -> bytes:
    exe = chromium_path()
    if exe is None:
        raise PdfUnavailable("Chromium is not installed (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="coopgov-pdf-") as tmp:
        src = Path(tmp) / "report.html"
        out = Path(tmp) / "report.pdf"
        src.write_text(html, encoding="utf-8")
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={out}",
            src.as_uri(),
        ]
        try:
            subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(f"Chromium did not print the report ({exc})") from exc
        if not out.exists() or out.stat().st_size == 0:
            raise PdfUnavailable("Chromium did not produce a PDF")
        return out.read_bytes()
