"""Exceptions raised by the lab twin; the CLI turns them into exit code 2 without a traceback."""

from __future__ import annotations

from govnet.errors import GovnetError


class LabError(GovnetError):
    """A user-facing lab error: the message says what is wrong and how to fix it."""


class NotRootError(LabError):
    """The lab needs root to create namespaces, veths, a bridge and to run daemons."""


class MissingPackagesError(LabError):
    """System binaries the lab runs are not installed."""


class ResourceTakenError(LabError):
    """A namespace, interface, port or directory the lab wants exists and is not govnet's."""


class TopologyError(LabError):
    """The inventory cannot be mapped onto a lab topology (unknown device, bad selection)."""


class LabStateError(LabError):
    """The lab's state file is missing, unreadable or does not match the request."""


class CommandError(LabError):
    """A system command (ip, nft, a daemon) failed."""

    def __init__(self, argv: list[str], returncode: int, output: str) -> None:
        self.argv = argv
        self.returncode = returncode
        self.output = output
        super().__init__(f"command failed ({returncode}): {' '.join(argv)}\n{output.strip()}")
