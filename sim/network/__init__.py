"""The route network as data: places, legs, origins and states, and what is derived from them."""

from sim.network.io import CROSSINGS, DATA_DIR, KINDS, MODES, NO_ROUTE, ROUTE_SLOTS, ROUTES
from sim.network.loading import CompiledNetwork, Network, load_network, summary_text, to_json

__all__ = [
    "CROSSINGS",
    "DATA_DIR",
    "KINDS",
    "MODES",
    "NO_ROUTE",
    "ROUTE_SLOTS",
    "ROUTES",
    "CompiledNetwork",
    "Network",
    "load_network",
    "summary_text",
    "to_json",
]
