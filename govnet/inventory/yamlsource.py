"""Load inventory YAML while remembering the line of every mapping key and list item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from govnet.errors import InventoryError


class LineDict(dict[Any, Any]):
    """A mapping from YAML that remembers the 1-based line of each key."""

    lines: dict[Any, int]
    start_line: int


class LineList(list[Any]):
    """A sequence from YAML that remembers the 1-based line of each item."""

    lines: list[int]
    start_line: int


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that keeps line numbers and refuses duplicate keys."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.lines = {}
    result.start_line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.lines = [child.start_mark.line + 1 for child in node.value]
    result.start_line = node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; syntax errors become an InventoryError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InventoryError(f"cannot read file: {exc.strerror}", file=path) from None
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or str(exc)
        context = exc.context_mark
        if exc.context and context is not None and line is not None and context.line + 1 != line:
            problem += f" ({exc.context} at line {context.line + 1})"
        raise InventoryError(
            f"YAML syntax error: {problem}", file=path, line=line, hint="correct the YAML syntax"
        ) from None
    except yaml.YAMLError as exc:
        raise InventoryError(f"YAML error: {exc}", file=path) from None


def line_of(data: Any, loc: tuple[int | str, ...]) -> int | None:
    """The line of the deepest key of ``loc`` found in ``data`` (None when unknown)."""
    line: int | None = getattr(data, "start_line", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lines[part]
            node = node[part]
        else:
            break
    return line


def key_path(loc: tuple[int | str, ...]) -> str:
    """Render a location tuple as ``a.b[2].c``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
