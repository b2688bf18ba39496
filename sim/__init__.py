"""mixmig: an agent-based simulation of mixed-migration routes to Europe.

The import package is ``sim``; the distribution is ``mixmig``.
"""

__version__ = "0.1.0"
