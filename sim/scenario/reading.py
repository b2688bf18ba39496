"""Reading one scenario file's YAML so that no file, however hostile, can hurt.

A scenario is a small text file (a few kilobytes). :func:`read_yaml` reads one and returns its
data and YAML node tree, and refuses, with a one-paragraph :class:`~sim.errors.UserError` that
never quotes the file:

- anything that is not a regular file (a folder, ``/dev/zero``, a pipe, a socket), before
  opening it, so that nothing blocks or reads forever;
- a file over :data:`MAX_BYTES` (1 MB), before reading it;
- text that is not UTF-8;
- a document with more than :data:`MAX_NODES` values, counting each alias (``*name``) as the
  whole value it stands for, or more than :data:`MAX_ALIASES` aliases, or values nested deeper
  than :data:`MAX_DEPTH`: a few hundred bytes of nested anchors (a "billion laughs" bomb)
  expand to billions of values, so the size is counted on the tree before anything expands it.

The YAML dialect is PyYAML's safe one with three changes: dates stay text (the schema parses
them with clear errors), a key given twice is an error (plain YAML keeps the last), and numbers
such as ``1e-9`` are numbers (YAML 1.1 wants a dot, ``1.0e-9``; YAML 1.2 and people do not).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from sim.errors import UserError

#: Largest scenario file read, in bytes (the shipped ones are under 5 kB).
MAX_BYTES = 1_000_000
#: Most values (mappings, lists, keys and scalars) a document may hold, aliases expanded.
MAX_NODES = 20_000
#: Most aliases (``*name``) in one document.
MAX_ALIASES = 200
#: Deepest nesting of mappings and lists.
MAX_DEPTH = 40

#: YAML 1.1's float pattern, plus a number with an exponent and no dot (``1e-9``, YAML 1.2).
_FLOAT = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
    |\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_FLOAT_TAG = "tag:yaml.org,2002:float"


class _TooLarge(Exception):
    """The document outgrew a limit while being composed."""


class ScenarioLoader(yaml.SafeLoader):
    """A safe YAML loader that keeps dates as text, rejects duplicate keys, reads ``1e-9`` as
    a number and stops composing a document that outgrows :data:`MAX_NODES`,
    :data:`MAX_ALIASES` or :data:`MAX_DEPTH`."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.node_count = 0
        self.alias_count = 0
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                raise _TooLarge(f"more than {MAX_ALIASES} aliases (`*name`)")
        else:
            self.node_count += 1
            if self.node_count > MAX_NODES:
                raise _TooLarge(f"more than {MAX_NODES:,} values")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooLarge(f"values nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                continue  # PyYAML reports unhashable keys itself
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first given on line {seen[key]})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


ScenarioLoader.yaml_implicit_resolvers = {
    first: [
        (tag, _FLOAT if tag == _FLOAT_TAG else regexp)
        for tag, regexp in resolvers
        if tag != "tag:yaml.org,2002:timestamp"
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def expanded_size(node: yaml.Node, limit: int = MAX_NODES) -> int:
    """The number of values in ``node`` with every alias counted as what it stands for, up to
    just over ``limit`` (counting stops there). Shared subtrees are sized once, so a bomb of
    nested aliases is measured in time proportional to the file, not to its expansion."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(item: yaml.Node) -> int:
        key = id(item)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise _TooLarge("a value that contains itself (an alias inside its own anchor)")
        in_progress.add(key)
        total = 1
        if isinstance(item, yaml.MappingNode):
            children = [part for pair in item.value for part in pair]
        elif isinstance(item, yaml.SequenceNode):
            children = list(item.value)
        else:
            children = []
        for child in children:
            total += size(child)
            if total > limit:
                break
        in_progress.discard(key)
        sizes[key] = min(total, limit + 1)
        return sizes[key]

    return size(node)


def _check_file(path: Path, what: str) -> int:
    """The size of ``path`` in bytes, after checking that it is a regular file under the cap."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UserError(f"{what}: scenario file not found.") from None
    except OSError as err:
        raise UserError(f"{what}: cannot be read ({err.strerror}).") from None
    if stat.S_ISDIR(info.st_mode):
        raise UserError(f"{what}: is a directory; give the path of a scenario .yaml file.")
    if not stat.S_ISREG(info.st_mode):
        raise UserError(
            f"{what}: is not a regular file (a device, pipe or socket); a scenario is a YAML "
            "text file."
        )
    if info.st_size > MAX_BYTES:
        raise UserError(
            f"{what}: is {info.st_size:,} bytes; a scenario file may be at most "
            f"{MAX_BYTES:,} bytes (1 MB), and a real one is a few kilobytes."
        )
    return info.st_size


def _read_text(path: Path, what: str) -> str:
    _check_file(path, what)
    try:
        with open(path, "rb", buffering=0) as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        raise UserError(f"{what}: cannot be read ({err.strerror}).") from None
    if len(data) > MAX_BYTES:  # it grew since we looked
        raise UserError(f"{what}: is over {MAX_BYTES:,} bytes, the most a scenario file may be.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{what}: is not a UTF-8 text file; a scenario is a YAML file.") from None


def read_yaml(path: str | os.PathLike[str], what: str) -> tuple[Any, yaml.Node | None]:
    """The YAML data of one scenario file and its node tree (for line numbers), or a
    :class:`UserError` naming ``what`` (the file as shown to the user)."""
    text = _read_text(Path(path), what)
    loader = ScenarioLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None and expanded_size(node) > MAX_NODES:
            raise _TooLarge(f"more than {MAX_NODES:,} values once its aliases are expanded")
        data = loader.construct_document(node) if node is not None else None
    except _TooLarge as err:
        raise UserError(
            f"{what}: the YAML holds {err}; a scenario holds a few hundred values, so it is "
            "refused unread (anchors `&name` and aliases `*name` are allowed within these "
            "limits)."
        ) from None
    except RecursionError:
        raise UserError(f"{what}: the YAML is nested too deeply to be a scenario.") from None
    except yaml.MarkedYAMLError as err:
        raise yaml_syntax_error(what, err) from None
    except yaml.YAMLError as err:
        problem = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise UserError(f"{what}: YAML syntax error: {problem}.") from None
    finally:
        loader.dispose()
    return data, node


def yaml_syntax_error(what: str, err: yaml.MarkedYAMLError) -> UserError:
    """The one-paragraph error for a YAML syntax error in ``what`` (a file), with its place."""
    mark = err.problem_mark or err.context_mark
    where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = ": ".join(str(p) for p in (err.context, err.problem) if p)
    return UserError(
        f"{what}{where}: YAML syntax error: {problem}. Check the indentation, colons and "
        "quotes around that place."
    )
