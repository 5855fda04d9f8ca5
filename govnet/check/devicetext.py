"""Transitional: the reader of printed configs lives in :mod:`govnet.platforms.printed`.

Kept only for the importers not yet moved (``check/configfiles.py``); delete it with them.
"""

from govnet.platforms.printed import UnreadableConfig, decode, normalize

__all__ = ["UnreadableConfig", "decode", "normalize"]
