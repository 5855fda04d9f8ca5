"""The NIP6000 CLI dialect: the USG6000 software's (``manager-user`` administrators)."""

from __future__ import annotations

from govnet.platforms.huawei_usg.dialect import DIALECT

__all__ = ["DIALECT"]
