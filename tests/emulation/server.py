"""EMULATION (not real gear): an asyncssh server per emulated device, in one background loop.

Each device listens on 127.0.0.1 at a random port, takes one username/password, gives its CLI
shell to interactive sessions and serves its ``flash:`` directory over SFTP/SCP, so drivers can
upload a config file exactly as they would to a real switch.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import asyncssh

from govnet.deploy.driver import DriverTarget
from govnet.deploy.hostkeys import INVENTORY_ENV, TrustedKey, host_entry, read_known_hosts, write_known_hosts

from .devices import EmulatedDevice

USERNAME = "netadmin"
PASSWORD = "emulated-only-password"

T = TypeVar("T")

HOST_KEY = asyncssh.generate_private_key("ssh-ed25519")
"""The emulated devices' host key (one per test process, like one vendor image)."""
_TRUST_DIR = Path(tempfile.mkdtemp(prefix="govnet-emulated-keys-"))
atexit.register(shutil.rmtree, _TRUST_DIR, True)
TRUSTED = _TRUST_DIR / "known_hosts"
"""The emulated devices' fingerprints, as an operator's inventory of fingerprints
(``$GOVNET_KNOWN_HOSTS``): each served device is listed while it runs."""
os.environ.setdefault(INVENTORY_ENV, str(TRUSTED))
_TRUST_LOCK = threading.Lock()


def host_key_record(port: int, device: str = "", key: asyncssh.SSHKey = HOST_KEY) -> TrustedKey:
    """The known_hosts record of an emulated device served on ``port`` with ``key``."""
    key_type, blob = key.export_public_key("openssh").decode().split()[:2]
    return TrustedKey(host_entry("127.0.0.1", port), key_type, blob, device)


def _list(record: TrustedKey | None, port: int) -> None:
    with _TRUST_LOCK:
        kept = [k for k in read_known_hosts(TRUSTED) if k.address != host_entry("127.0.0.1", port)]
        write_known_hosts(TRUSTED, kept + ([record] if record else []))


class _Auth(asyncssh.SSHServer):
    authorized: ClassVar[list[asyncssh.SSHKey]] = []

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == USERNAME and password == PASSWORD

    def public_key_auth_supported(self) -> bool:
        return bool(self.authorized)

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return username == USERNAME and any(
            key.public_data == k.public_data for k in self.authorized)


class EmulatedNetwork:
    """Emulated devices served over SSH from an asyncio loop in a daemon thread."""

    def __init__(self, *, trusted: bool = True, authorized_keys: list[asyncssh.SSHKey] | None = None) -> None:
        """``trusted``: list each device's host key in the fingerprint inventory while it is
        served (False: its key is unknown to govnet); ``authorized_keys``: public keys a login
        may use instead of the password."""
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="emulated-ssh", daemon=True)
        self.thread.start()
        self.key = HOST_KEY
        self.trusted = trusted
        self.authorized = list(authorized_keys or [])
        self.servers: list[Any] = []
        self.devices: list[EmulatedDevice] = []

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    def add(self, device: EmulatedDevice) -> EmulatedDevice:
        """Start serving ``device``; its ``port`` is set on return."""
        flash = str(device.flash).encode()
        auth = type("_DeviceAuth", (_Auth,), {"authorized": self.authorized})

        async def listen() -> Any:
            return await asyncssh.listen(
                "127.0.0.1",
                device.port,
                server_host_keys=[self.key],
                server_factory=auth,
                process_factory=device.session,
                sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=flash),
                allow_scp=True,
                encoding="utf-8",
            )

        server = self._run(listen())
        device.port = server.sockets[0].getsockname()[1]
        self.servers.append(server)
        self.devices.append(device)
        _list(host_key_record(device.port, device.name, self.key) if self.trusted else None, device.port)
        return device

    def cut(self, device: EmulatedDevice) -> None:
        """The device becomes unreachable: its SSH port closed and every session dropped."""
        async def close() -> None:
            for server in list(self.servers):
                if server.sockets and server.sockets[0].getsockname()[1] == device.port:
                    server.close()
                    await server.wait_closed()
                    self.servers.remove(server)
            for conn in list(device.connections):
                conn.abort()

        self._run(close())

    def restart(self, device: EmulatedDevice, down_s: float = 1.0) -> None:
        """The device reboots: unreachable, back ``down_s`` seconds later running its startup
        config (the restore happens on a timer thread; this returns at once)."""
        self.cut(device)

        def back() -> None:
            device.restarted()
            self.restore(device)

        threading.Timer(down_s, back).start()

    def restore(self, device: EmulatedDevice) -> None:
        """The device answers again on the same port (same host key)."""
        self.devices.remove(device)
        self.add(device)

    def stop(self) -> None:
        async def close() -> None:
            for server in self.servers:
                server.close()
                await server.wait_closed()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        self._run(close())
        for device in self.devices:
            _list(None, device.port)
            for name in ("trial", "delay"):
                timer = getattr(device, name, None)
                if timer is not None:
                    self.loop.call_soon_threadsafe(timer.cancel)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@contextmanager
def emulated_network(**options: Any) -> Iterator[EmulatedNetwork]:
    """An :class:`EmulatedNetwork` (``options``: its keywords) stopped however the block ends."""
    net = EmulatedNetwork(**options)
    try:
        yield net
    finally:
        net.stop()


def flash_dir(base: Path, name: str) -> Path:
    """A device's ``flash:`` directory under a test's tmp_path."""
    path = base / name / "flash"
    path.mkdir(parents=True, exist_ok=True)
    return path


def driver_target(device: EmulatedDevice, name: str, platform: str, **extras: Any) -> DriverTarget:
    """The :class:`DriverTarget` that reaches an emulated device (as the deploy flow builds it)."""
    return DriverTarget(
        device=name,
        platform=platform,
        hostname="127.0.0.1",
        port=device.port,
        username=USERNAME,
        password=PASSWORD,
        state_dir=device.flash.parent / "state",
        timeout=15.0,
        extras={"run_id": "t1", **extras},
    )
