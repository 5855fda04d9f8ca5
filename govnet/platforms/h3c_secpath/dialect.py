"""The SecPath CLI dialect: Comware 7's."""

from __future__ import annotations

from govnet.platforms.h3c_comware.dialect import DIALECT

__all__ = ["DIALECT"]
