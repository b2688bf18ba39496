"""``mixmig report DIR``: rebuild a comparison's report from its saved results."""

from __future__ import annotations

import argparse
import sys

from sim.analysis.comparison import load_saved
from sim.analysis.report import build_report


def main(args: argparse.Namespace) -> int:
    """Check the folder's tables (a damaged run table is an error naming it; damaged comparison
    tables are recomputed, with a note), then rewrite ``report.html``, ``report.md`` and
    ``figures/``; print where."""
    saved = load_saved(args.folder)
    for note in saved.notes:
        print(f"note: {note}", file=sys.stderr)
    html_path, md_path = build_report(args.folder, saved)
    print(f"report: {html_path}")
    print(f"markdown: {md_path}")
    return 0
