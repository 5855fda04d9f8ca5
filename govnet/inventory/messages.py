"""Plain-language messages for schema (pydantic) errors, with "did you mean" and a docs link."""

from __future__ import annotations

import re
import types
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from govnet.errors import did_you_mean

DOCS = "docs/inventory.md"

_PATTERNS = {
    r"^[a-z0-9][a-z0-9-]*$": (
        "must be lowercase letters, digits and '-'",
        "use a short ASCII name such as 'xinhe'; put the display name in 'title:'",
    ),
    r"^[A-Z][A-Z0-9_]*$": ("must be upper-case letters, digits and '_'", "write it like 'PUBLIC_SERVICE'"),
}


def unwrap(annotation: Any) -> Any:
    """The model or item type inside ``X | None``, ``list[X]`` and ``dict[K, X]``."""
    while True:
        origin = get_origin(annotation)
        if origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        elif origin in (list, tuple, set, frozenset):
            annotation = get_args(annotation)[0]
        elif origin is dict:
            annotation = get_args(annotation)[1]
        else:
            return annotation


def model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The schema model holding the last key of ``loc`` (list indexes and mapping keys are skipped)."""
    current: Any = model
    for part in loc[:-1]:
        fields = current.model_fields if isinstance(current, type) and issubclass(current, BaseModel) else {}
        if isinstance(part, str) and part in fields:
            current = unwrap(fields[part].annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def anchor(model: type[BaseModel] | None) -> str:
    """The docs link of a model's key table."""
    return f"{DOCS}#{model.__name__.lower()}" if model is not None else DOCS


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _choices(model: type[BaseModel] | None, name: str) -> list[str]:
    if model is None or name not in model.model_fields:
        return []
    ann = unwrap(model.model_fields[name].annotation)
    if get_origin(ann) is Literal:
        return [str(a) for a in get_args(ann)]
    return []


def describe(err: dict[str, Any], model: type[BaseModel]) -> tuple[str, str]:
    """``(message, fix)`` for one pydantic error of a file validated against ``model``."""
    kind = str(err.get("type", ""))
    loc = tuple(err.get("loc", ()))
    name = str(loc[-1]) if loc else "value"
    holder = model_at(model, loc)
    ctx = err.get("ctx") or {}
    value = err.get("input")
    got = f" (got {_shown(value)})"
    if kind == "missing":
        return f"missing required key '{name}'", f"add '{name}:'; keys: {anchor(holder)}"
    if kind == "extra_forbidden":
        known = list(holder.model_fields) if holder else []
        guess = did_you_mean(name, known)
        fix = guess if guess else f"remove '{name}'"
        return f"unknown key '{name}'", f"{fix}; keys: {anchor(holder)}"
    if kind == "string_pattern_mismatch":
        text, fix = _PATTERNS.get(str(ctx.get("pattern")), (f"must match {ctx.get('pattern')}", "correct it"))
        return f"'{name}' {text}{got}", fix
    if kind == "literal_error" and name == "[key]":
        choices = re.findall(r"'([^']+)'", str(ctx.get("expected", "")))
        guess = did_you_mean(str(value), choices)
        what = str(loc[-3]).removesuffix("s") if len(loc) >= 3 else "key"
        return f"unknown {what} {value!r}", (
            f"{guess} " if guess else ""
        ) + f"use one of: {', '.join(choices)}"
    if kind == "literal_error":
        choices = _choices(holder, name)
        guess = did_you_mean(str(value), choices) if choices else None
        listed = ", ".join(choices) if choices else str(ctx.get("expected", ""))
        label = f"unknown {name} {value!r}" if isinstance(value, str) else f"'{name}' must be one of {listed}"
        return label, (f"{guess} " if guess else "") + f"use one of: {listed}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"'{name}' must be a valid integer (a whole number){got}", "write a number without quotes"
    if kind in ("bool_parsing", "bool_type"):
        return f"'{name}' must be true or false{got}", "write true or false"
    if kind in ("string_type", "str_type"):
        return f"'{name}' must be text{got}", "write a single value, quoted if it has special characters"
    if kind in ("list_type", "tuple_type"):
        return f"'{name}' must be a list{got}", "write [a, b] or one '- item' per line"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return (
            f"'{name}' must be a mapping of keys{got}",
            f"write 'key: value' lines; keys: {anchor(holder)}",
        )
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "less_than_equal": ("at most", "le"),
        "greater_than": ("above", "gt"),
        "less_than": ("below", "lt"),
    }
    if kind in bounds:
        word, key = bounds[kind]
        return f"'{name}' must be {word} {ctx.get(key)}{got}", f"use a value {word} {ctx.get(key)}"
    if kind == "too_short":
        return f"'{name}' needs at least {ctx.get('min_length')} item(s)", "add the missing entries"
    if kind.startswith("ip_v4_network"):
        return f"'{name}' must be an IPv4 network like 10.0.0.0/16, host bits zero{got}", "correct the prefix"
    if kind.startswith("ip_v4_address"):
        return f"'{name}' must be an IPv4 address like 10.0.0.1{got}", "correct the address"
    if kind == "value_error":
        reason = str(ctx.get("error") or err.get("msg", "")).removeprefix("Value error, ")
        label = reason if reason.startswith(name) else f"'{name}': {reason}"
        return f"{label}{got}", "correct the value"
    msg = str(err.get("msg", "invalid value"))
    return f"'{name}': {msg[:1].lower()}{msg[1:]}{got}", "correct the value"
