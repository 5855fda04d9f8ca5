"""One `sshd` on loopback ports, one port per device: `Match LocalPort N` + `ForceCommand`.

Routers get `vtysh -N <device>`; the Linux edge devices get the relay to their edge agent's
socket (:mod:`govnet.lab.edge_access`)."""

from __future__ import annotations

import grp
import pwd
import socket
from dataclasses import dataclass
from pathlib import Path

from govnet.lab.credentials import LabCredentials
from govnet.lab.errors import CommandError, ResourceTakenError
from govnet.lab.procs import run, wait_pidfile
from govnet.lab.state import LabState, ProcessRecord
from govnet.lab.topology import LabNode

SSH_HOST = "127.0.0.1"
SSHD = "/usr/sbin/sshd"
USER_COMMENT = "govnet lab twin"
SSHD_DEVICE = "_host"
MAX_LISTEN_SOCKS = 16
"""OpenSSH's compile-time limit of listening sockets per sshd: the lab runs one sshd per 16 routers."""


@dataclass(frozen=True, slots=True)
class Listener:
    """One device's SSH port and the only command a login there runs."""

    device: str
    port: int
    command: str


def router_listener(node: LabNode) -> Listener:
    assert node.ssh_port is not None
    return Listener(node.name, node.ssh_port, f"/usr/bin/vtysh -N {node.name}")


def ssh_dir(workdir: Path) -> Path:
    return workdir / "sshd"


def sshd_config(workdir: Path, listeners: list[Listener], user: str, shard: int = 0) -> str:
    """The sshd_config: password login for the lab account only, one port per device."""
    base = ssh_dir(workdir)
    lines = [f"ListenAddress {SSH_HOST}:{n.port}" for n in listeners]
    lines += [
        f"HostKey {base / 'host_ed25519'}",
        f"PidFile {base / f'sshd{shard}.pid'}",
        "PasswordAuthentication yes",
        "KbdInteractiveAuthentication no",
        "PubkeyAuthentication no",
        "UsePAM no",
        "PermitRootLogin no",
        f"AllowUsers {user}",
        "AllowTcpForwarding no",
        "AllowAgentForwarding no",
        "X11Forwarding no",
        "PermitTTY yes",
        "PrintMotd no",
        "PrintLastLog no",
        "ClientAliveInterval 0",
        "MaxStartups 100:30:200",
        "MaxSessions 20",
        "LoginGraceTime 30",
    ]
    for listener in listeners:
        lines += [f"Match LocalPort {listener.port}", f"  ForceCommand {listener.command}"]
    return "\n".join(lines) + "\n"


def check_ports_free(ports: dict[str, int]) -> None:
    """Refuse to start if an SSH port ({device: port}) is already bound by something else."""
    taken: list[str] = []
    for device, port in ports.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((SSH_HOST, port))
            except OSError:
                taken.append(f"{SSH_HOST}:{port} (for {device})")
    if taken:
        raise ResourceTakenError(
            "TCP port(s) already in use by something that is not this lab: "
            + ", ".join(taken) + ". Stop whatever listens there, or run `govnet lab down` "
            "if it is a lab from another workdir."
        )


def ensure_user(creds: LabCredentials, state: LabState) -> None:
    """Create the lab login (member of frrvty/frr so vtysh may reach the daemons), set its password."""
    groups = "frrvty,frr"
    try:
        entry = pwd.getpwnam(creds.ssh_user)
    except KeyError:
        state.update(user_created=creds.ssh_user)
        run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
             "--shell", "/bin/sh", "--comment", USER_COMMENT, "-G", groups, creds.ssh_user])
    else:
        if entry.pw_gecos != USER_COMMENT:
            raise ResourceTakenError(
                f"the user {creds.ssh_user} exists and was not created by govnet's lab; "
                "govnet will not change it. Set another GOVNET_SSH_USER in secrets.env or remove it."
            )
        state.update(user_created=creds.ssh_user)
        run(["usermod", "-a", "-G", groups, creds.ssh_user])
    run(["chpasswd"], input_text=f"{creds.ssh_user}:{creds.ssh_password}\n")


def remove_user(name: str) -> None:
    """Delete the lab login govnet created (and its group)."""
    try:
        if pwd.getpwnam(name).pw_gecos != USER_COMMENT:
            return
    except KeyError:
        return
    run(["userdel", name], check=False)
    try:
        grp.getgrnam(name)
    except KeyError:
        return
    run(["groupdel", name], check=False)


def start_sshd(workdir: Path, listeners: list[Listener], creds: LabCredentials, state: LabState) -> list[int]:
    """Write the host key and configs, then start one sshd per 16 devices; returns the PIDs."""
    base = ssh_dir(workdir)
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o700)
    key = base / "host_ed25519"
    if not key.exists():
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "govnet-lab", "-f", str(key)])
    write_known_hosts(workdir, listeners, key.with_suffix(".pub"))
    privsep = Path("/run/sshd")
    if not privsep.exists():
        privsep.mkdir(mode=0o755)
    pids: list[int] = []
    for shard, start in enumerate(range(0, len(listeners), MAX_LISTEN_SOCKS)):
        pids.append(_start_shard(workdir, listeners[start : start + MAX_LISTEN_SOCKS], creds, state, shard))
    return pids


KNOWN_HOSTS = "known_hosts"
"""The twin's host keys, beside its ``secrets.env``: govnet's lab target trusts them (the lab
generated the key), so ``--lab`` commands need no ``govnet hostkeys trust``."""


PUBLISHED = Path("/run/govnet-lab/known_hosts")
"""Where the running twin also publishes its keys, for drivers built without the twin's workdir:
govnet trusts it for loopback addresses only, and only while it is owned by root (or the user)
and writable by nobody else (``govnet.deploy.hostkeys.TWIN_PUBLISHED``)."""


def write_known_hosts(workdir: Path, listeners: list[Listener], public_key: Path,
                      published: Path | None = PUBLISHED) -> Path:
    """``<workdir>/known_hosts``: one OpenSSH known_hosts line per device port (mode 0600); the
    same lines replace those of these ports in ``published`` (mode 0644)."""
    key_type, blob = public_key.read_text(encoding="utf-8").split()[:2]
    path = workdir / KNOWN_HOSTS
    mine = [f"[{SSH_HOST}]:{n.port} {key_type} {blob} {n.device}" for n in listeners]
    header = "# the lab twin's SSH host keys (written by govnet lab up)\n"
    path.write_text(header + "".join(f"{line}\n" for line in mine), encoding="utf-8")
    path.chmod(0o600)
    if published is not None:
        ports = {line.split()[0] for line in mine}
        try:
            kept = [ln for ln in published.read_text(encoding="utf-8").splitlines()
                    if ln.strip() and not ln.startswith("#") and ln.split()[0] not in ports]
        except FileNotFoundError:
            kept = []
        published.parent.mkdir(parents=True, exist_ok=True)
        tmp = published.with_suffix(".tmp")
        tmp.write_text(header + "".join(f"{line}\n" for line in kept + mine), encoding="utf-8")
        tmp.chmod(0o644)
        tmp.replace(published)
    return path


def _start_shard(
    workdir: Path, listeners: list[Listener], creds: LabCredentials, state: LabState, shard: int
) -> int:
    base = ssh_dir(workdir)
    conf = base / f"sshd{shard}_config"
    conf.write_text(sshd_config(workdir, listeners, creds.ssh_user, shard), encoding="utf-8")
    run([SSHD, "-t", "-f", str(conf)])
    pidfile = base / f"sshd{shard}.pid"
    pidfile.unlink(missing_ok=True)
    argv = [SSHD, "-f", str(conf), "-E", str(base / f"sshd{shard}.log")]
    run(argv)
    pid = wait_pidfile(pidfile)
    if pid is None:
        raise CommandError(argv, 1, f"sshd did not start, see {base / f'sshd{shard}.log'}")
    state.add_process(ProcessRecord(SSHD_DEVICE, f"sshd{shard}", pid, str(pidfile)))
    return pid
