"""The route network as data: places, legs, origins and states, and what is derived from them."""

from sim.network.compiled import CompiledNetwork
from sim.network.describe import summary_text, to_json
from sim.network.io import (
    CROSSINGS,
    DATA_DATE,
    DATA_DIR,
    KINDS,
    MODES,
    NO_ROUTE,
    ROUTE_SLOTS,
    ROUTES,
    SEGMENTS,
)
from sim.network.loading import Network, load_network

__all__ = [
    "CROSSINGS",
    "DATA_DATE",
    "DATA_DIR",
    "KINDS",
    "MODES",
    "NO_ROUTE",
    "ROUTE_SLOTS",
    "ROUTES",
    "SEGMENTS",
    "CompiledNetwork",
    "Network",
    "load_network",
    "summary_text",
    "to_json",
]
