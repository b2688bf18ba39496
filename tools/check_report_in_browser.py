"""Open a comparison report in headless Chromium and confirm that its figures render.

Usage::

    python tools/check_report_in_browser.py results/compare-.../report.html [--screenshot PNG]

The report is copied to a temporary folder with a small script appended that, once the page has
loaded, writes every image's ``naturalWidth``/``naturalHeight`` into the page. Chromium
(Debian's ``chromium`` package) dumps the resulting DOM (``--dump-dom``), and the check passes
when there is at least one image and every image decoded to a non-empty bitmap. A screenshot is
also taken and checked not to be blank. Exit code 0 on success, 1 on failure, 77 when no
Chromium is installed (the conventional "skipped" code).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from chromium import CHROMIUM_ARGS

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (*CHROMIUM_ARGS, "--virtual-time-budget=10000")
PROBE = """
<script>
window.addEventListener("load", function () {
  var images = Array.prototype.map.call(document.images, function (img) {
    return {alt: img.alt, complete: img.complete, width: img.naturalWidth,
            height: img.naturalHeight};
  });
  var out = document.createElement("pre");
  out.id = "mixmig-image-check";
  out.textContent = JSON.stringify(images);
  document.body.appendChild(out);
});
</script>
"""


def find_browser() -> str | None:
    """The path of a Chromium-family browser, or None."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(browser: str, profile: str, *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{browser} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def image_sizes(report: Path, browser: str) -> list[dict]:
    """Every ``<img>`` of ``report`` as rendered by ``browser``: alt, complete, width, height."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        text = report.read_text(encoding="utf-8")
        page.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
        dom = _run(browser, str(Path(tmp) / "profile"), "--dump-dom", page.as_uri())
    found = re.search(r'<pre id="mixmig-image-check">(.*?)</pre>', dom, re.S)
    if not found:
        raise RuntimeError("the page did not run the image check (no result in the DOM)")
    return json.loads(html.unescape(found.group(1)))


def screenshot(report: Path, browser: str, out: Path, size: str = "1400,3000") -> float:
    """Take a screenshot of ``report`` to ``out``; return the share of non-white pixels."""
    with tempfile.TemporaryDirectory() as tmp:
        _run(
            browser,
            str(Path(tmp) / "profile"),
            f"--screenshot={out.resolve()}",
            f"--window-size={size}",
            report.resolve().as_uri(),
        )
    from PIL import Image

    with Image.open(out) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
    return 1 - sum(histogram[250:]) / max(sum(histogram), 1)


def check_report(report: str | Path, shot: str | Path | None = None) -> dict:
    """Render ``report`` headless; return what was seen. Raises RuntimeError on failure and
    FileNotFoundError when no browser is installed."""
    report = Path(report)
    browser = find_browser()
    if browser is None:
        raise FileNotFoundError("no Chromium found (Debian: apt-get install chromium)")
    images = image_sizes(report, browser)
    broken = [i for i in images if not (i["complete"] and i["width"] > 0 and i["height"] > 0)]
    if not images:
        raise RuntimeError(f"{report}: no images in the page")
    if broken:
        raise RuntimeError(f"{report}: {len(broken)} image(s) did not render: {broken}")
    ink = None
    if shot is not None:
        ink = screenshot(report, browser, Path(shot))
        if ink < 0.01:
            raise RuntimeError(f"{report}: the screenshot {shot} is blank ({ink:.1%} ink)")
    return {"browser": browser, "images": images, "ink": ink}


def main(argv: list[str] | None = None) -> int:
    """Command line: check one report; print what rendered."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", help="path of report.html")
    parser.add_argument("--screenshot", help="also save a screenshot here and check it")
    args = parser.parse_args(argv)
    try:
        seen = check_report(args.report, args.screenshot)
    except FileNotFoundError as error:
        print(f"skipped: {error}", file=sys.stderr)
        return 77
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    for image in seen["images"]:
        print(f"ok  {image['width']}x{image['height']}  {image['alt']}")
    print(f"{len(seen['images'])} figure(s) rendered in {seen['browser']}")
    if seen["ink"] is not None:
        print(f"screenshot {args.screenshot}: {seen['ink']:.1%} of pixels not white")
    return 0


if __name__ == "__main__":
    sys.exit(main())
