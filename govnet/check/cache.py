"""Keep device outcomes between ``govnet check --changed`` runs, under ``build/check-cache``.

A device's outcome (its rendered config, per-device rule results and cross-rule facts) depends on
its render inputs: the inventory file that declares it, the rest of the inventory (network-wide
settings, roles, zones), the templates, the platform spec and the rules selected, govnet's own
code and the working directory (findings name paths relative to it). Every device declared in one
inventory file shares one entry, keyed by a hash of that file and of everything network-wide; an
entry is reused only when the key is unchanged, so a one-site change re-renders and re-checks that
site's district and nothing else. Cross and intent rules always run again, on the cached facts.
``tests/check/test_cache.py`` holds incremental runs equal to full ones on random edits.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

from govnet.check.pool import DeviceOutcome, OutcomeCache
from govnet.check.rules import Rule
from govnet.credentials import Credentials, SecretRefs
from govnet.inventory.sourcefiles import district_paths
from govnet.model import Network

DEFAULT_CACHE_DIR = Path("build/check-cache")
_PACKAGE = Path(__file__).resolve().parents[1]
_FORMAT = b"govnet-check-cache/1"
_CODE = (
    "__init__.py",
    "model.py",
    "errors.py",
    "credentials.py",
    "check",
    "render",
    "inventory",
    "platforms",
    "data/spec",
)
"""The parts of govnet a device's outcome depends on (deploy, monitor, lab and cli do not)."""


def _hash_tree(h: hashlib.blake2b, root: Path, pattern: str) -> None:
    for path in sorted(root.rglob(pattern)):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(path.read_bytes() + b"\0")


def source_file(source: str) -> str | None:
    path, _, line = source.rpartition(":")
    return path if path and line.isdigit() else None


class FileCache(OutcomeCache):
    """Device outcomes as one pickle per inventory file, named by its key, in ``directory``."""

    def __init__(self, directory: Path = DEFAULT_CACHE_DIR, templates_dir: Path | None = None) -> None:
        self.directory = directory
        self.templates_dir = templates_dir
        self.hits = 0
        """Devices whose outcome the last lookup found (for reports and tests)."""
        self.also_own: set[str] = set()
        """Inventory files outside this network that declare devices of the whole one (a partial
        network of some districts is keyed as the whole network would be)."""
        self.prune = True
        """Whether :meth:`store` removes the entries the network did not use."""
        self._keys_seen: dict[tuple[str, tuple[str, ...], bool, frozenset[str]], bytes] = {}

    def _groups(self, network: Network) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for name, device in network.devices.items():
            groups[source_file(device.source) or ""].append(name)
        return dict(groups)

    def network_key(self, inventory: Path, rules: Sequence[Rule], lab: bool, files: set[str]) -> bytes:
        """A hash of everything every device depends on beyond its own inventory file (``files``:
        the inventory files that declare devices, each hashed into its own entry's key instead);
        computed once per :meth:`lookup` for the same arguments."""
        own = frozenset(str(Path(f).resolve()) for f in files)
        memo = (str(inventory), tuple(r.model_dump_json() for r in rules), lab, own)
        if memo not in self._keys_seen:
            self._keys_seen[memo] = self._hash_network(inventory, rules, lab, files)
        return self._keys_seen[memo]

    def _hash_network(self, inventory: Path, rules: Sequence[Rule], lab: bool, files: set[str]) -> bytes:
        from govnet.render import default_templates_dir

        h = hashlib.blake2b(_FORMAT, digest_size=20)
        h.update(f"{sys.version}\0{os.getcwd()}\0lab={lab}\0".encode())
        h.update(repr([r.model_dump_json() for r in rules]).encode())
        h.update(repr(SecretRefs.from_credentials(_credentials())).encode())
        for part in _CODE:
            path = _PACKAGE / part
            if path.is_dir():
                _hash_tree(h, path, "*")
            elif path.is_file():
                h.update(part.encode() + b"\0" + path.read_bytes() + b"\0")
        _hash_tree(h, (self.templates_dir or default_templates_dir()).resolve(), "*")
        own = {Path(f).resolve() for f in files}
        for path in sorted(p for p in inventory.rglob("*") if p.is_file()):
            if path.resolve() not in own:
                h.update(path.relative_to(inventory).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        return h.digest()

    def _keys(self, network: Network, rules: Sequence[Rule], lab: bool) -> dict[str, tuple[str, list[str]]]:
        """Inventory file -> (its entry's key, its devices), for files that exist."""
        groups = self._groups(network)
        files = {f for f in groups if f and Path(f).is_file()}
        common = self.network_key(Path(network.source_dir), rules, lab, files | self.also_own)
        return {file: (file_key(common, file), groups[file]) for file in sorted(files)}

    def lookup(self, network: Network, rules: Sequence[Rule], lab: bool) -> dict[str, DeviceOutcome]:
        found: dict[str, DeviceOutcome] = {}
        self._keys_seen.clear()  # files may have changed since the last run
        self._last = self._keys(network, rules, lab)
        for key, names in self._last.values():
            try:
                with open(self.directory / f"{key}.pickle", "rb") as fh:
                    entry: dict[str, DeviceOutcome] = pickle.load(fh)
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
                continue
            if list(entry) == names:
                found.update(entry)
        self.hits = len(found)
        return found

    def store(
        self, network: Network, rules: Sequence[Rule], lab: bool, outcomes: Mapping[str, DeviceOutcome]
    ) -> None:
        keys = getattr(self, "_last", None) or self._keys(network, rules, lab)
        self.directory.mkdir(parents=True, exist_ok=True)
        wanted = {f"{key}.pickle" for key, _ in keys.values()}
        for key, names in keys.values():
            target = self.directory / f"{key}.pickle"
            if target.exists() or any(outcomes[n].render_failed for n in names):
                continue
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump({n: outcomes[n] for n in names}, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        for stale in self.directory.glob("*.pickle") if self.prune else ():
            if stale.name not in wanted:
                stale.unlink(missing_ok=True)

    def key_of(self, inventory: Path, rules: Sequence[Rule], lab: bool, file: str) -> str:
        """The key of ``file``'s entry, every district file of ``inventory`` declaring devices."""
        files = {str(p) for p in district_paths(inventory)}
        return file_key(self.network_key(inventory, rules, lab, files), file)

    def drop(self, key: str) -> None:
        """Remove the entry ``key`` (a version of a file no longer current)."""
        (self.directory / f"{key}.pickle").unlink(missing_ok=True)


def file_key(common: bytes, file: str) -> str:
    """The key of ``file``'s entry: the network-wide key and the file's own bytes."""
    h = hashlib.blake2b(common, digest_size=20)
    h.update(file.encode() + b"\0" + Path(file).read_bytes())
    return h.hexdigest()


def _credentials() -> Credentials:
    from govnet.credentials import load_credentials

    return load_credentials()
