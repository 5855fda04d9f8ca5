"""OCTET STRINGs as text: UTF-8, else GB18030 (a superset of GBK), as older VRP and Comware
agents send Chinese interface descriptions; bytes neither reads are replaced, never fatal.

>>> text("上联核心".encode("gbk"))
'上联核心'
>>> text(b"GE1/0/5\\x00")
'GE1/0/5'
"""

from __future__ import annotations


def text(value: bytes) -> str:
    """``value`` decoded (UTF-8, GB18030, or UTF-8 with replacement characters), trailing NULs
    (C strings some agents send) dropped."""
    value = value.rstrip(b"\x00")
    for encoding in ("utf-8", "gb18030"):
        try:
            return value.decode(encoding)
        except UnicodeDecodeError:
            continue
    return value.decode(errors="replace")  # pragma: no cover - gb18030 decodes nearly anything
