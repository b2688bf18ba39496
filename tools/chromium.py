"""How the tools and the browser tests start Debian's Chromium (``make test`` installs it with
apt): the executable and the flags for a headless run as root, without the background
connections this machine's closed network refuses."""

from __future__ import annotations

from pathlib import Path

#: Debian's Chromium.
CHROMIUM = Path("/usr/bin/chromium")
#: Headless, as root, with no background networking.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
