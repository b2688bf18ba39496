"""Turning pydantic's validation errors into plain sentences about a scenario file.

:func:`describe_error` takes one entry of ``ValidationError.errors()`` and returns the key path
as the user wrote it (``policies[1].end``) and what is wrong and what would be valid
(``end 2023-01-01 is before start 2023-03-01; end must be on or after start``). Ranges and allowed
values come from the scenario's JSON schema, so messages never drift from the models.
"""

from __future__ import annotations

from typing import Any

from sim.config.types import suggestion
from sim.policies import POLICY_TYPES
from sim.scenario.schema import schema_at

Loc = tuple[str | int, ...]

_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
_INT_ERRORS = {"int_type", "int_parsing", "int_from_float", "int_parsing_size"}
_FLOAT_ERRORS = {"float_type", "float_parsing", "finite_number"}
_BOOL_ERRORS = {"bool_type", "bool_parsing"}
_DATE_ERRORS = {
    "date_type",
    "date_parsing",
    "date_from_datetime_parsing",
    "date_from_datetime_inexact",
    "date_past",
    "date_future",
}
_MAPPING_ERRORS = {"dict_type", "model_type", "model_attributes_type", "mapping_type"}


def clean_loc(loc: Loc) -> Loc:
    """``loc`` without pydantic's markers: policy type tags after ``policies[i]``, ``[key]``."""
    cleaned: list[str | int] = []
    for index, seg in enumerate(loc):
        is_policy_tag = index == 2 and loc[0] == "policies" and isinstance(loc[1], int)
        if seg == "[key]" or (is_policy_tag and seg in POLICY_TYPES):
            continue
        cleaned.append(seg)
    return tuple(cleaned)


def key_path(loc: Loc) -> str:
    """A location as written in YAML terms: ``policies[1].eligibility.nationalities[0]``."""
    text = ""
    for seg in loc:
        if isinstance(seg, int):
            text += f"[{seg}]"
        else:
            text += f".{seg}" if text else str(seg)
    return text or "(top level)"


def describe_input(value: Any) -> str:
    """A short description of a YAML value for messages: ``'abc'``, ``a list``, ..."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def range_text(node: dict[str, Any] | None) -> str:
    """The valid range of a schema node in words, e.g. ``between 0 and 1``; '' if unbounded."""
    if not node:
        return ""
    low = node.get("minimum", node.get("exclusiveMinimum"))
    high = node.get("maximum", node.get("exclusiveMaximum"))
    low_word = "more than" if "exclusiveMinimum" in node else "at least"
    high_word = "less than" if "exclusiveMaximum" in node else "at most"
    if low is not None and high is not None:
        if "exclusiveMinimum" in node or "exclusiveMaximum" in node:
            return f"{low_word} {_number(low)} and {high_word} {_number(high)}"
        return f"between {_number(low)} and {_number(high)}"
    if low is not None:
        return f"{low_word} {_number(low)}"
    if high is not None:
        return f"{high_word} {_number(high)}"
    return ""


def _allowed_values(node: dict[str, Any] | None) -> list[str]:
    if not node:
        return []
    if "enum" in node:
        return [str(v) for v in node["enum"]]
    if "const" in node:
        return [str(node["const"])]
    return []


def describe_error(error: dict[str, Any]) -> tuple[Loc, str]:
    """The key path and a sentence for one pydantic error on a scenario."""
    kind = error["type"]
    loc = clean_loc(tuple(error["loc"]))
    ctx = error.get("ctx") or {}
    value = error.get("input")
    message = str(error["msg"]).removeprefix("Value error, ")
    got = describe_input(value)

    if kind == "unknown_key":
        return (*loc, ctx["key"]), message
    if kind == "union_tag_invalid":
        tag = ctx.get("tag")
        text = f"unknown policy type '{tag}'" + suggestion(tag, POLICY_TYPES, noun="types")
        return (*loc, "type"), text
    if kind == "union_tag_not_found":
        return (*loc, "type"), "every policy block needs a `type`" + suggestion(
            "", POLICY_TYPES, noun="types"
        )
    if kind == "missing":
        return loc, "this key is required but missing"
    node = schema_at(tuple(error["loc"]))
    if kind in _RANGE_ERRORS:
        valid = range_text(node) or message
        return loc, f"{got} is out of range; it must be {valid}"
    if kind in _INT_ERRORS:
        valid = range_text(node)
        where = f", {valid}" if valid else ""
        return loc, f"{got} is not an integer; give a whole number without a decimal point{where}"
    if kind in _FLOAT_ERRORS:
        valid = range_text(node)
        return loc, f"{got} is not a number; give a number" + (f" {valid}" if valid else "")
    if kind in _BOOL_ERRORS:
        return loc, f"{got} is not true or false; give `true` or `false`"
    if kind in _DATE_ERRORS:
        reason = message.split(",", 1)[1].strip() if "," in message else message
        return loc, f"{got} is not a valid date ({reason}); write dates as YYYY-MM-DD"
    if kind in _MAPPING_ERRORS:
        return loc, f"expected a mapping of `key: value` lines here, found {got}"
    if kind == "list_type":
        return loc, f"expected a list (`[a, b]` or lines starting with `- `), found {got}"
    if kind == "string_type":
        return loc, f"expected text, found {got}"
    if kind in ("literal_error", "enum"):
        allowed = _allowed_values(node) or [ctx.get("expected", "")]
        return loc, f"{got} is not allowed here" + suggestion(value, allowed, noun="values")
    if kind == "string_pattern_mismatch" and loc == ("name",):
        return loc, (
            f"{got} is not a valid name; use letters (of any alphabet), digits, `_`, `-` and "
            "`.`, starting with a letter or digit, no spaces"
        )
    if kind == "too_short":
        return loc, f"{got} has too few items; give at least {ctx.get('min_length', 1)}"
    if kind == "string_too_short":
        return loc, "must not be empty"
    if kind in ("too_long", "string_too_long"):
        return loc, f"{got} is too long ({message.lower()})"
    return loc, message
