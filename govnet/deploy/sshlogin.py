"""Every SSH login govnet makes: the host key verified first, then a password or a key file.

The drivers open sessions only through :func:`netmiko_session` (the CLI platforms, FRR) and
:func:`paramiko_client` (the twin's Linux edge); :func:`scan_host_key` reads a device's key
without logging in (``govnet hostkeys trust``). Login material comes from the driver target:
its ``password``, and for key authentication ``GOVNET_SSH_KEY_FILE`` (and
``GOVNET_SSH_KEY_PASSPHRASE``) from the credentials store the run was given (``extras["secrets"]``).
"""

from __future__ import annotations

import contextlib
import logging
import socket
from typing import Any

from govnet.deploy.driver import DeployError, DriverTarget, ssh_failure
from govnet.deploy.hostkeys import HostKeyCheck, HostKeyRefused, check_for, negotiation_refused
from govnet.deploy.secrets import SecretValues

KEY_FILE = "GOVNET_SSH_KEY_FILE"
KEY_PASSPHRASE = "GOVNET_SSH_KEY_PASSPHRASE"


def _preferred_host_keys() -> tuple[str, ...]:
    import paramiko

    return tuple(paramiko.Transport._preferred_keys)


def _chain_says_negotiation(exc: BaseException) -> bool:
    current: BaseException | None = exc
    while current is not None:
        if negotiation_refused(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _stored(target: DriverTarget, name: str) -> str:
    """A value of the credentials store the run was given ('' when unset)."""
    secrets = target.extras.get("secrets")
    if not isinstance(secrets, SecretValues):
        return ""
    try:
        return secrets.resolve(f"${{secret:{name}}}")
    except DeployError:
        return ""


def login_args(target: DriverTarget) -> dict[str, Any]:
    """Paramiko ``connect`` keywords for the target's login: the key file of the credentials
    store (``GOVNET_SSH_KEY_FILE``, its passphrase ``GOVNET_SSH_KEY_PASSPHRASE``) tried first
    when set, then the password."""
    key_file = _stored(target, KEY_FILE)
    args: dict[str, Any] = {"username": target.username or "", "password": target.password or None,
                            "look_for_keys": False, "allow_agent": False}
    if key_file:
        args["key_filename"] = key_file
        args["passphrase"] = _stored(target, KEY_PASSPHRASE) or None
    return args


def _refused(target: DriverTarget, check: HostKeyCheck, exc: BaseException, timeout: float) -> DeployError:
    if isinstance(exc, HostKeyRefused):
        return exc
    if check.trusted and _chain_says_negotiation(exc):
        return check.no_trusted_type()
    return ssh_failure(target, exc, timeout)


class RedactSecrets(logging.Filter):
    """On netmiko's logger: every secret value a session was given is redacted from its records
    (at DEBUG netmiko logs each read from the channel, running configs included; its own filter
    covers only the login password)."""

    def __init__(self) -> None:
        super().__init__()
        self.stores: dict[int, SecretValues] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if self.stores:
            text = record.getMessage()
            shown = text
            for store in self.stores.values():
                shown = store.redact(shown)
            if shown != text:
                record.msg, record.args = shown, None
        return True


_REDACT = RedactSecrets()
logging.getLogger("netmiko").addFilter(_REDACT)


def netmiko_session(target: DriverTarget, device_type: str, conn_timeout: float, **options: Any) -> Any:
    """A logged-in Netmiko connection whose host key was verified (raises ConnectFailed)."""
    from netmiko import ConnectHandler

    secrets = target.extras.get("secrets")
    if isinstance(secrets, SecretValues):
        _REDACT.stores[id(secrets)] = secrets

    check = check_for(target)
    login = login_args(target)
    key_file = login.get("key_filename")
    conn: Any = None
    try:
        conn = ConnectHandler(
            device_type=device_type, host=target.hostname, port=target.port or 22,
            username=login["username"], password=login["password"] or "",
            use_keys=bool(key_file), key_file=key_file, passphrase=login.get("passphrase"),
            allow_agent=False, ssh_strict=True, system_host_keys=False, alt_host_keys=False,
            disabled_algorithms=check.disabled_algorithms(_preferred_host_keys()),
            timeout=target.timeout, conn_timeout=conn_timeout, auto_connect=False, **options,
        )
        conn.key_policy = check.policy()
        conn._open()
        conn.channel = DropAwareChannel(conn.channel)
    except Exception as exc:  # netmiko/paramiko raise many types; one line naming the device
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.paramiko_cleanup()
        raise _refused(target, check, exc, conn_timeout) from None
    return conn


class SessionDropped(OSError):
    """The device closed the SSH session (or the link died) while govnet waited for its reply."""


class DropAwareChannel:
    """Netmiko's channel, except that a read on a session the device has closed raises at once
    instead of returning nothing until the command's read timeout (30-120 s per line)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def read_channel(self) -> str:
        out: str = self._inner.read_channel()
        chan = self._inner.remote_conn
        if not out and chan is not None and not chan.recv_ready():
            transport = chan.get_transport()
            if chan.closed or chan.eof_received or transport is None or not transport.is_active():
                raise SessionDropped("the SSH session was closed by the device or the link")
        return out


def paramiko_client(target: DriverTarget, timeout: float) -> Any:
    """A logged-in paramiko ``SSHClient`` whose host key was verified (raises ConnectFailed)."""
    import paramiko

    check = check_for(target)
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(check.policy())
    try:
        client.connect(target.hostname, port=target.port or 22, timeout=timeout,
                       disabled_algorithms=check.disabled_algorithms(_preferred_host_keys()),
                       **login_args(target))
    except Exception as exc:
        client.close()
        raise _refused(target, check, exc, timeout) from None
    return client


def scan_host_key(hostname: str, port: int | None, timeout: float = 10.0) -> tuple[str, bytes]:
    """The host key a device offers (type, blob), read without logging in (raises OSError or
    paramiko's SSHException when nothing speaks SSH there)."""
    import paramiko

    sock = socket.create_connection((hostname, port or 22), timeout=timeout)
    transport = paramiko.Transport(sock)
    try:
        transport.banner_timeout = timeout
        transport.start_client(timeout=timeout)
        key = transport.get_remote_server_key()
        return key.get_name(), key.asbytes()
    finally:
        transport.close()
        sock.close()
