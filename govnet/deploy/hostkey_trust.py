"""First contact: read each device's SSH host key (no login) and record it for the target.

``govnet hostkeys trust`` is the only path that adds a key seen on the wire; it prints every
fingerprint it records so the operator can compare them with the devices' own (``display ssh
server-key`` / ``ssh-keygen -lf``). A key already on record is never replaced by a different
one unless asked (``replace``); the conflict names both fingerprints.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from govnet.deploy.hostkeys import TrustedKey, host_entry, read_known_hosts, trust
from govnet.deploy.sshlogin import scan_host_key


@dataclass(frozen=True, slots=True)
class Reach:
    """Where one device is reached on this target."""

    device: str
    hostname: str
    port: int | None


@dataclass(frozen=True, slots=True)
class TrustResult:
    """What ``trust`` did for one device: ``recorded``, ``already trusted``, ``conflict`` or
    ``unreachable`` (``detail`` says with what)."""

    device: str
    address: str
    status: str
    fingerprint: str = ""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("recorded", "already trusted", "replaced")


def trust_devices(devices: Sequence[Reach], path: Path, *, replace: bool = False,
                  timeout: float = 10.0) -> list[TrustResult]:
    """Scan and record the key of every device in ``devices`` into ``path``."""
    results = []
    for reach in devices:
        address = host_entry(reach.hostname, reach.port)
        try:
            key_type, blob = scan_host_key(reach.hostname, reach.port, timeout)
        except Exception as exc:  # refused, silent, not SSH: one line per device
            results.append(TrustResult(reach.device, address, "unreachable",
                                       detail=f"{type(exc).__name__}: {exc}".strip()))
            continue
        key = TrustedKey(address, key_type, base64.b64encode(blob).decode(), reach.device)
        results.append(record(path, key, replace))
    return results


def record(path: Path, key: TrustedKey, replace: bool) -> TrustResult:
    """Record one key (a different key on record is a conflict unless ``replace``)."""
    before = {k.key_b64 for k in read_known_hosts(path) if k.address == key.address}
    conflicts = trust(path, [key], replace=replace)
    if conflicts:
        old = ", ".join(f"{k.key_type} {k.fingerprint}" for k in conflicts)
        return TrustResult(key.device, key.address, "conflict", key.fingerprint,
                           f"on record {old}; the device now offers {key.key_type} {key.fingerprint} "
                           "(check the device, then --replace)")
    if key.key_b64 in before:
        return TrustResult(key.device, key.address, "already trusted", key.fingerprint)
    status = "replaced" if before else "recorded"
    return TrustResult(key.device, key.address, status, key.fingerprint, key.key_type)


def import_keys(source: Path, path: Path, devices: Iterable[Reach], *, replace: bool = False
                ) -> list[TrustResult]:
    """Record the keys an inventory of fingerprints (known_hosts format) lists for ``devices``'
    addresses; devices it does not list are reported ``not listed``."""
    listed = {k.address: k for k in read_known_hosts(source)}
    results = []
    for reach in devices:
        address = host_entry(reach.hostname, reach.port)
        key = listed.get(address)
        if key is None:
            results.append(TrustResult(reach.device, address, "not listed", detail=f"not in {source}"))
            continue
        results.append(record(path, TrustedKey(address, key.key_type, key.key_b64, reach.device), replace))
    return results
