"""``mixmig report DIR``: rebuild a comparison's report from its saved results."""

from __future__ import annotations

import argparse

from sim.analysis.report import build_report


def main(args: argparse.Namespace) -> int:
    """Rewrite ``report.html``, ``report.md`` and ``figures/`` of the folder; print where."""
    html_path, md_path = build_report(args.folder)
    print(f"report: {html_path}")
    print(f"markdown: {md_path}")
    return 0
