"""Load inventory YAML while remembering the line of every mapping key and list item."""

from __future__ import annotations

from collections.abc import Hashable
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
    """SafeLoader that keeps line numbers and refuses duplicate keys (pure Python: its error
    messages are the precise ones users see)."""


class _FastLineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same constructors over libyaml's parser: the fast path for files that parse."""


_STR = "tag:yaml.org,2002:str"
_MERGE_OR_VALUE = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})
"""Key tags that ``flatten_mapping`` rewrites; a mapping without them is left as it is."""


def _construct_child(loader: _LineLoader, node: yaml.Node) -> Any:
    """``construct_object(node, deep=True)``; a scalar with a known tag (most nodes) straight from
    its constructor, without the bookkeeping that anchors and recursion need, and a string (most
    of those) as the node's own value, which is what its constructor returns."""
    if node.__class__ is yaml.ScalarNode:
        if node.tag == _STR:
            return node.value
        constructor = loader.yaml_constructors.get(node.tag)
        if constructor is not None:
            return constructor(loader, node)
    return loader.construct_object(node, deep=True)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    lines: dict[Any, int] = {}
    result.lines = lines
    result.start_line = node.start_mark.line + 1
    if any(key_node.tag in _MERGE_OR_VALUE for key_node, _ in node.value):
        return _construct_merged(loader, node, result)
    for key_node, value_node in node.value:  # every key explicit: each one once
        if key_node.__class__ is yaml.ScalarNode and key_node.tag == _STR:
            key = key_node.value
        else:
            key = _construct_child(loader, key_node)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a scalar", key_node.start_mark
                )
        if key in lines:
            problem = f"duplicate key {key!r} (first at line {lines[key]})"
            raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
        result[key] = _construct_child(loader, value_node)
        lines[key] = key_node.start_mark.line + 1
    return result


def _construct_merged(loader: _LineLoader, node: yaml.MappingNode, result: LineDict) -> LineDict:
    """A mapping with ``<<: *anchor`` merge keys (or ``=`` value keys), as ``flatten_mapping``
    lays it out: merged keys first, which explicit keys may override but not repeat."""
    explicit = sum(1 for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)
    merged = len(node.value) - explicit
    explicit_keys: set[Any] = set()
    for index, (key_node, value_node) in enumerate(node.value):
        key = _construct_child(loader, key_node)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(None, None, "a key must be a scalar", key_node.start_mark)
        if index >= merged:
            if key in explicit_keys:
                problem = f"duplicate key {key!r} (first at line {result.lines[key]})"
                raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
            explicit_keys.add(key)
        result[key] = _construct_child(loader, value_node)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList([_construct_child(loader, child) for child in node.value])
    result.lines = [child.start_mark.line + 1 for child in node.value]
    result.start_line = node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_FastLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_FastLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _parse(text: str) -> Any:
    """libyaml when the file parses; on any YAML error, the pure-Python parser again, whose
    messages name the problem precisely (errors are rare, so their cost does not matter)."""
    try:
        return yaml.load(text, Loader=_FastLineLoader)
    except yaml.YAMLError:
        return yaml.load(text, Loader=_LineLoader)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; syntax errors become an InventoryError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InventoryError(f"cannot read file: {exc.strerror}", file=path) from None
    except UnicodeDecodeError as exc:
        raise InventoryError(
            f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x})",
            file=path, line=exc.object.count(b"\n", 0, exc.start) + 1,
            hint="save the file as UTF-8",
        ) from None
    try:
        return _parse(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or str(exc)
        context = exc.context_mark
        if exc.context and context is not None and line is not None and context.line + 1 != line:
            problem += f" ({exc.context} at line {context.line + 1})"
        if isinstance(exc, yaml.constructor.ConstructorError) and problem.startswith("duplicate key"):
            raise InventoryError(
                problem, file=path, line=line, hint="keep one of the two keys (YAML would drop the first)"
            ) from None
        raise InventoryError(
            f"YAML syntax error: {problem}", file=path, line=line, hint="correct the YAML syntax"
        ) from None
    except yaml.reader.ReaderError as exc:
        raise InventoryError(
            f"character #x{exc.character:04x} is not allowed in YAML",
            file=path, line=text.count("\n", 0, exc.position) + 1, hint="remove the control character",
        ) from None


def line_of(data: Any, loc: tuple[int | str, ...]) -> int | None:
    """The line of the deepest key of ``loc`` found in ``data`` (None when unknown)."""
    line: int | None = getattr(data, "start_line", None)
    node = data
    for part in loc:
        in_mapping = isinstance(node, LineDict) and part in node
        in_list = isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_mapping or in_list):
            break
        line = node.lines[part]
        node = node[part]
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
