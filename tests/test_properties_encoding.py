"""Encoding: every text read or written by the deploy and lab stages names its encoding.

Under a GBK or Latin-1 locale, Python's default would garble a Chinese banner or description in a
running config on its way to a last-known-good file and back onto the device. This scans the
source (``open``, ``os.fdopen``, ``Path.open/read_text/write_text``, ``subprocess`` in text mode
without ``encoding=``); ``make faults`` also runs the deploy and backup tests with
``PYTHONWARNDEFAULTENCODING=1 -W error::EncodingWarning``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("govnet/deploy", "govnet/lab")
TEXT_CALLS = {"read_text", "write_text"}
SUBPROCESS = {"run", "Popen", "check_output", "check_call", "call"}


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _binary_mode(call: ast.Call, position: int) -> bool:
    mode = _kw(call, "mode") or (call.args[position] if len(call.args) > position else None)
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and "b" in mode.value


def implicit_encodings(path: Path, root: Path = ROOT) -> list[str]:
    """``file:line call`` for every text-mode call in ``path`` without ``encoding=`` (a method
    ``x.open()`` without arguments is a driver's session, not a file)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or _kw(node, "encoding") is not None:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
        if name in TEXT_CALLS and not (name == "write_text" and not node.args):
            bad = True
        elif name == "open" and isinstance(func, ast.Name):
            bad = not _binary_mode(node, 1)
        elif name == "open" and owner not in ("os",) and (node.args or node.keywords):
            bad = not _binary_mode(node, 0)
        elif name == "fdopen":
            bad = not _binary_mode(node, 1)
        elif name in SUBPROCESS and owner == "subprocess":
            text = _kw(node, "text") or _kw(node, "universal_newlines")
            bad = isinstance(text, ast.Constant) and bool(text.value)
        else:
            bad = False
        if bad:
            found.append(f"{path.relative_to(root)}:{node.lineno} {name}")
    return found


@pytest.mark.parametrize("stage", STAGES)
def test_every_text_call_names_its_encoding(stage: str) -> None:
    found = [hit for path in sorted((ROOT / stage).rglob("*.py")) for hit in implicit_encodings(path)]
    assert found == []


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os, subprocess\nfrom pathlib import Path\n"
        "Path('a').read_text()\nopen('b')\nos.fdopen(3, 'w')\nsubprocess.run(['x'], text=True)\n"
        "Path('a').read_text(encoding='utf-8')\nopen('b', 'rb')\nos.open('c', 0)\n"
        "subprocess.run(['x'], capture_output=True)\nPath('d').open('wb')\nPath('e').open('a')\n"
        "driver.open()\n", encoding="utf-8")
    found = [hit.split(" ")[1] for hit in implicit_encodings(sample, tmp_path)]
    assert found == ["read_text", "open", "fdopen", "run", "open"]
