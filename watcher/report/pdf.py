"""Print a report's HTML to PDF with Debian's headless chromium."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from watcher.domain.errors import WatcherError

#: Where Debian's `chromium` package puts it; PATH is searched first.
CHROMIUM_PATHS = ("chromium", "/usr/bin/chromium", "chromium-browser")
#: Flags for a quiet, offline, throw-away browser: no sandbox (containers, root), no GPU, no
#: first-run or background network traffic, a fresh profile in a temporary directory.
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


class PdfError(WatcherError):
    """Printing to PDF failed: chromium missing, crashed, or wrote nothing."""


def find_chromium() -> str:
    """The chromium executable, or PdfError saying how to get it."""
    for name in CHROMIUM_PATHS:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        "--pdf needs chromium, which was not found: install it (Debian: apt-get install chromium) "
        "or open the HTML report in a browser and print it"
    )


def print_pdf(html: Path, pdf: Path, *, chromium: str | None = None, timeout: float = 120) -> Path:
    """Print `html` to `pdf` with headless chromium; PdfError with a one-line reason on failure."""
    browser = chromium or find_chromium()
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="watcher-chromium-") as profile:
        command = [
            browser,
            *_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf.resolve()}",
            html.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(
                command, check=False, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            raise PdfError(
                f"chromium did not finish printing {html.name} in {timeout:.0f}s"
            ) from None
        except OSError as exc:
            raise PdfError(f"cannot run {browser}: {exc.strerror}") from None
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise PdfError(f"chromium could not print {html.name} (exit {done.returncode}): {last}")
    return pdf
