"""EMULATION (not real gear): an asyncssh server per emulated device, in one background loop.

Each device listens on 127.0.0.1 at a random port, takes one username/password, gives its CLI
shell to interactive sessions and serves its ``flash:`` directory over SFTP/SCP, so drivers can
upload a config file exactly as they would to a real switch.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncssh

from govnet.deploy.driver import DriverTarget

from .devices import EmulatedDevice

USERNAME = "netadmin"
PASSWORD = "emulated-only-password"

T = TypeVar("T")


class _Auth(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == USERNAME and password == PASSWORD


class EmulatedNetwork:
    """Emulated devices served over SSH from an asyncio loop in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="emulated-ssh", daemon=True)
        self.thread.start()
        self.key = asyncssh.generate_private_key("ssh-ed25519")
        self.servers: list[Any] = []
        self.devices: list[EmulatedDevice] = []

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    def add(self, device: EmulatedDevice) -> EmulatedDevice:
        """Start serving ``device``; its ``port`` is set on return."""
        flash = str(device.flash).encode()

        async def listen() -> Any:
            return await asyncssh.listen(
                "127.0.0.1",
                0,
                server_host_keys=[self.key],
                server_factory=_Auth,
                process_factory=device.session,
                sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=flash),
                allow_scp=True,
                encoding="utf-8",
            )

        server = self._run(listen())
        device.port = server.sockets[0].getsockname()[1]
        self.servers.append(server)
        self.devices.append(device)
        return device

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
            for name in ("trial", "delay"):
                timer = getattr(device, name, None)
                if timer is not None:
                    self.loop.call_soon_threadsafe(timer.cancel)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@contextmanager
def emulated_network() -> Iterator[EmulatedNetwork]:
    """An :class:`EmulatedNetwork` that is stopped however the block ends."""
    net = EmulatedNetwork()
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
