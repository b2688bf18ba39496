"""The package's layers, read from the source (every import, including those in functions).

Layers from the bottom up (docs/architecture.md): a module imports only from its own layer or
below, the import graph between modules has no circle, no module imports inside a function
except the command line's lazy imports of command modules, and no module is much over 400 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

SIM = Path(__file__).resolve().parents[1] / "sim"

#: Each layer's packages or modules, from the bottom up.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("sim", "sim.errors"),
    ("sim.network",),
    ("sim.config",),
    ("sim.agents", "sim.rules", "sim.outputs"),
    ("sim.policies",),
    ("sim.model",),
    ("sim.scenario",),
    ("sim.execution",),
    ("sim.analysis", "sim.sweep", "sim.calibration"),
    ("sim.commands", "sim.viz"),
    ("sim.cli",),
)
MAX_LINES = 400
#: Modules allowed an import inside a function (none), and over MAX_LINES + 20 (debts).
KNOWN_FUNCTION_IMPORTS: dict[str, str] = {}
KNOWN_LONG_MODULES: dict[str, str] = {}


def module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    """The rank of the layer holding ``module`` (its longest matching package)."""
    best, rank = "", -1
    for i, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > len(best):
                best, rank = name, i
    assert rank >= 0, f"{module} is in no layer: add it to LAYERS and docs/architecture.md"
    return rank


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """``(imported sim module, inside a function)`` for every import of ``sim`` in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((a.name, in_function) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                # `from sim.x import y` may import the module sim.x.y or a name of sim.x.
                for alias in child.names:
                    candidate = f"{child.module}.{alias.name}"
                    target = candidate if _is_module(candidate) else child.module
                    found.append((target, in_function))
            visit(child, inner)

    visit(tree, False)
    return found


def _is_module(name: str) -> bool:
    relative = Path(*name.split("."))
    return (SIM.parent / relative).with_suffix(".py").is_file() or (
        SIM.parent / relative / "__init__.py"
    ).is_file()


def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(SIM.rglob("*.py"))}


def import_graph() -> tuple[nx.DiGraph, dict[str, list[str]]]:
    graph, in_functions = nx.DiGraph(), {}
    for module, path in package_modules().items():
        graph.add_node(module)
        for target, in_function in imports_of(path):
            if target == "sim" or target.startswith("sim."):
                graph.add_edge(module, target)
            if in_function:
                in_functions.setdefault(module, []).append(target)
    return graph, in_functions


def test_nothing_imports_from_a_layer_above():
    graph, _ = import_graph()
    upward = [(a, b) for a, b in graph.edges if layer_of(b) > layer_of(a)]
    assert upward == []


def test_the_import_graph_has_no_circle():
    graph, _ = import_graph()
    # A package's __init__ re-exporting its own modules is not a circle of concepts.
    edges = [(a, b) for a, b in graph.edges if not b.startswith(a + ".")]
    cycles = list(nx.simple_cycles(nx.DiGraph(edges)))
    assert cycles == []


def test_no_import_inside_a_function_but_the_cli_s_lazy_commands():
    _, in_functions = import_graph()
    cli = in_functions.pop("sim.cli", [])
    assert cli and all(target.startswith("sim.commands.") for target in cli)
    new = sorted(set(in_functions) - set(KNOWN_FUNCTION_IMPORTS))
    paid = sorted(set(KNOWN_FUNCTION_IMPORTS) - set(in_functions))
    assert new == [], "imports inside functions: fix the layering instead"
    assert paid == [], "no longer imports inside a function: remove it from the known debts"


def test_no_module_is_much_over_400_lines():
    lengths = {m: len(p.read_text().splitlines()) for m, p in package_modules().items()}
    long = sorted(m for m, n in lengths.items() if n > MAX_LINES + 20)
    assert [m for m in long if m not in KNOWN_LONG_MODULES] == []
    assert [m for m in KNOWN_LONG_MODULES if m not in long] == [], "remove it from the debts"


def test_the_checker_sees_imports_hidden_in_functions(tmp_path):
    source = tmp_path / "example.py"
    source.write_text(
        "import os\nfrom sim.network import load_network\n"
        "def f():\n    from sim.analysis import report\n    return report\n"
    )
    assert imports_of(source) == [
        ("os", False),
        ("sim.network", False),
        ("sim.analysis.report", True),
    ]
