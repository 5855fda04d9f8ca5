"""SSH host keys govnet trusts, per target: ``<state root>/<lab|production>/<network>/known_hosts``.

No driver accepts a key it has not been told to trust: an unknown key and a changed key are
both refused before the password (or key) is sent, with the device, the address and the
fingerprints in the message. Keys enter the file only through an explicit step:
``govnet hostkeys trust`` (first contact, the operator compares the fingerprints it prints),
``govnet hostkeys import FILE`` or ``$GOVNET_KNOWN_HOSTS`` (an inventory of fingerprints); the
lab twin writes its own ``known_hosts`` beside its ``secrets.env`` at ``lab up`` (it generated
the keys), which lab-target connections also trust.

The file is OpenSSH's format (``[host]:port keytype base64 device``), mode 0600, so ``ssh -o
UserKnownHostsFile=...`` reads it too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govnet.deploy.driver import ConnectFailed

KNOWN_HOSTS = "known_hosts"
TWIN_PUBLISHED = Path("/run/govnet-lab/known_hosts")
"""The keys the running lab twin publishes (``govnet.lab.sshd.PUBLISHED``): trusted for loopback
addresses only (the twin listens only there; no production device is reached on loopback), and
only while the file is owned by root or this user and writable by nobody else."""
LOOPBACK = ("127.0.0.1", "::1", "localhost")
INVENTORY_ENV = "GOVNET_KNOWN_HOSTS"
"""An inventory of fingerprints (known_hosts format, read only, e.g. exported from the asset
register), trusted on every target besides the target's own file."""
RSA_ALGORITHMS = ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")
"""The host-key algorithms an ``ssh-rsa`` key signs with."""


class HostKeyRefused(ConnectFailed):
    """The device's SSH host key is not one govnet trusts (unknown or changed)."""


class HostKeyUnknown(HostKeyRefused):
    """No trusted key is on record for the address."""


class HostKeyChanged(HostKeyRefused):
    """The address offered a key other than the trusted one."""


def known_hosts_path(state_dir: Path) -> Path:
    """The target's known_hosts, beside its deploy state (``state_dir`` is the target's)."""
    return state_dir / KNOWN_HOSTS


def host_entry(hostname: str, port: int | None) -> str:
    """The address as OpenSSH's known_hosts names it.

    >>> host_entry("10.240.0.9", 22), host_entry("127.0.0.1", 2201)
    ('10.240.0.9', '[127.0.0.1]:2201')
    """
    return hostname if port in (None, 22) else f"[{hostname}]:{port}"


def fingerprint_of(blob: bytes) -> str:
    """OpenSSH's SHA256 fingerprint of a public key blob.

    >>> fingerprint_of(b"x")
    'SHA256:LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE'
    """
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """One known_hosts line: the address, the key (type and base64 blob), the device it is."""

    address: str
    key_type: str
    key_b64: str
    device: str = ""

    @property
    def blob(self) -> bytes:
        return base64.b64decode(self.key_b64)

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.blob)

    def line(self) -> str:
        return f"{self.address} {self.key_type} {self.key_b64}" + (f" {self.device}" if self.device else "")

    def algorithms(self) -> tuple[str, ...]:
        """The host-key algorithms that present this key."""
        return RSA_ALGORITHMS if self.key_type == "ssh-rsa" else (self.key_type,)


def parse_line(line: str, where: str = "") -> TrustedKey | None:
    """A known_hosts line as a :class:`TrustedKey` (None for blank and comment lines).

    >>> parse_line("[127.0.0.1]:2201 ssh-ed25519 eA== kf-core-1").device
    'kf-core-1'
    """
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    fields = text.split()
    if len(fields) < 3 or fields[0].startswith("|") or fields[0].startswith("@"):
        raise HostKeyFileError(
            f"{where}: expected 'host keytype base64 [device]' (hashed and marker lines are not used)")
    try:
        base64.b64decode(fields[2], validate=True)
    except binascii.Error:
        raise HostKeyFileError(f"{where}: the key is not base64") from None
    return TrustedKey(fields[0], fields[1], fields[2], fields[3] if len(fields) > 3 else "")


class HostKeyFileError(ConnectFailed):
    """A known_hosts file govnet cannot read (the message names the file and line)."""


def read_known_hosts(path: Path) -> list[TrustedKey]:
    """Every trusted key in ``path`` (an absent file holds none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise HostKeyFileError(f"{path}: cannot read: {exc}") from None
    keys = []
    for number, line in enumerate(text.splitlines(), start=1):
        key = parse_line(line, f"{path}:{number}")
        if key is not None:
            keys.append(key)
    return keys


def write_known_hosts(path: Path, keys: Iterable[TrustedKey]) -> None:
    """Write ``keys`` to ``path`` atomically, mode 0600 in a 0700 directory."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("# SSH host keys govnet trusts (govnet hostkeys list|trust|import|forget)\n")
        fh.writelines(key.line() + "\n" for key in keys)
    os.replace(tmp, path)


def trust(path: Path, new: Sequence[TrustedKey], *, replace: bool = False) -> list[TrustedKey]:
    """Record ``new`` in ``path``; a different key already on record for an address is kept
    and reported (returned) unless ``replace``. Returns the conflicting records."""
    kept = read_known_hosts(path)
    conflicts = []
    for key in new:
        same_address = [k for k in kept if k.address == key.address and k.key_type == key.key_type]
        if any(k.key_b64 == key.key_b64 for k in same_address):
            continue
        if same_address and not replace:
            conflicts += same_address
            continue
        kept = [k for k in kept if k not in same_address] + [key]
    write_known_hosts(path, kept)
    return conflicts


class HostKeyCheck:
    """The keys one device may present at one address, and the verdict on the key it offers.

    ``sources``: known_hosts files, the target's own first (the twin's file after it for the
    lab target).
    """

    def __init__(self, device: str, hostname: str, port: int | None, sources: Sequence[Path]) -> None:
        self.device = device
        self.address = host_entry(hostname, port)
        self.sources = tuple(sources)
        self.trusted = [k for path in self.sources for k in read_known_hosts(path)
                        if k.address == self.address]

    def disabled_algorithms(self, preferred: Sequence[str]) -> dict[str, list[str]] | None:
        """Paramiko's ``disabled_algorithms``: every host-key algorithm but the trusted keys'
        (so the device is asked for the key on record; None when nothing is on record)."""
        if not self.trusted:
            return None
        allowed = {a for k in self.trusted for a in k.algorithms()}
        return {"keys": [a for a in preferred if a not in allowed]}

    def verify(self, key_type: str, blob: bytes) -> None:
        """Accept a trusted key; raise :class:`HostKeyUnknown` or :class:`HostKeyChanged`."""
        offered = fingerprint_of(blob)
        if any(k.blob == blob for k in self.trusted):
            return
        where = f"{self.device}: SSH host key of {self.address}"
        if not self.trusted:
            raise HostKeyUnknown(
                f"{where} is not trusted: the device offered {key_type} {offered} and "
                f"{self._files()} has no key for it; nothing was sent. If that is the device's "
                f"fingerprint, run 'govnet hostkeys trust --filter name={self.device}' (add --lab "
                "for the twin) or import it from your inventory of fingerprints")
        recorded = ", ".join(f"{k.key_type} {k.fingerprint}" for k in self.trusted)
        raise HostKeyChanged(
            f"{where} CHANGED: trusted {recorded} ({self._files()}), offered {key_type} {offered}; "
            "refusing to log in (a man in the middle, or the device was replaced: check the "
            f"device's own fingerprint, then 'govnet hostkeys trust --replace --filter name={self.device}')")

    def no_trusted_type(self, offered: str = "") -> HostKeyChanged:
        """The device offered none of the trusted keys' types (negotiation failed)."""
        recorded = ", ".join(f"{k.key_type} {k.fingerprint}" for k in self.trusted)
        return HostKeyChanged(
            f"{self.device}: SSH host key of {self.address} CHANGED: trusted {recorded} "
            f"({self._files()}), but the device offers no key of that type{offered}; refusing to log in")

    def _files(self) -> str:
        return " or ".join(str(p) for p in self.sources) or "(no known_hosts)"

    def policy(self) -> Any:
        """A paramiko ``MissingHostKeyPolicy`` that applies :meth:`verify` (nothing is loaded
        into the client, so paramiko asks it about every key)."""
        import paramiko

        check = self

        class _Verify(paramiko.MissingHostKeyPolicy):  # type: ignore[misc]
            def missing_host_key(self, client: Any, hostname: str, key: Any) -> None:
                check.verify(key.get_name(), key.asbytes())

        return _Verify()


def negotiation_refused(exc: BaseException) -> bool:
    """Paramiko's "no acceptable host key" (the device offers none of the allowed types)."""
    text = str(exc).lower()
    return "host key" in text and ("incompatible" in text or "no acceptable" in text or "no match" in text)


def _safe(path: Path) -> bool:
    """``path`` exists, belongs to root or this user, and nobody else may write it."""
    try:
        info = path.stat()
    except OSError:
        return False
    return info.st_uid in (0, os.geteuid()) and not info.st_mode & 0o022


def check_for(target: Any) -> HostKeyCheck:
    """The :class:`HostKeyCheck` of a :class:`~govnet.deploy.driver.DriverTarget`: its target's
    ``known_hosts`` (beside its ``state_dir``) and any extra files
    (``extras["known_hosts_extra"]``: the twin's; the twin's published keys for a loopback
    address; then ``$GOVNET_KNOWN_HOSTS``)."""
    extras = target.extras
    sources = [known_hosts_path(target.state_dir)]
    sources += [Path(str(p)) for p in extras.get("known_hosts_extra", ()) or ()]
    if target.hostname in LOOPBACK and _safe(TWIN_PUBLISHED):
        sources.append(TWIN_PUBLISHED)
    if os.environ.get(INVENTORY_ENV):
        sources.append(Path(os.environ[INVENTORY_ENV]))
    return HostKeyCheck(target.device, target.hostname, target.port, sources)
