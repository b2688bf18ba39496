"""A plain per-agent Mesa version of the movement rules (one ``mesa.Agent`` per migrant).

It exists for two reasons (``../shared/DESIGN.md``): tests check that it and the array engine
give the same distributions on small cases (``tests/test_reference.py``), and the benchmark
(``tools/bench.py``) measures how much faster the array engine is per agent-step.
"""

from .agent_model import ReferenceModel, runs_policy
from .migrant import Migrant

__all__ = ["Migrant", "ReferenceModel", "runs_policy"]
