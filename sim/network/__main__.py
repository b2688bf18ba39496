"""``python -m sim.network docs/network.md`` (``make docs``): regenerate the page's tables."""

import sys
from pathlib import Path

from sim.network.describe import with_network_tables
from sim.network.loading import load_network

path = Path(sys.argv[1])
path.write_text(with_network_tables(path.read_text(encoding="utf-8"), load_network()), "utf-8")
