"""FRR per router: a pathspace (`-N <device>`), daemons with the SNMP AgentX module, config."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
from pathlib import Path

from govnet.lab.errors import CommandError, ResourceTakenError
from govnet.lab.procs import run, terminate, wait_pidfile
from govnet.lab.state import LabState, ProcessRecord
from govnet.lab.topology import LabNode
from govnet.platforms.linux import AGENTX_SOCKET

FRR_ETC = Path("/etc/frr")
FRR_RUN = Path("/var/run/frr")
FRR_SBIN = Path("/usr/lib/frr")
SNMP_DAEMONS = ("zebra", "ospfd", "bgpd", "ldpd")


def etc_dir(node: LabNode) -> Path:
    return FRR_ETC / node.name


def run_dir(node: LabNode) -> Path:
    return FRR_RUN / node.name


def startup_config(node: LabNode, daemon: str) -> Path:
    """The config a daemon reads when it starts. ldpd gets its own with ``agentx``: vtysh never
    hands ``agentx`` to ldpd (its command is not routed there), so without it ldpd's SNMP module
    stays unregistered and the LDP MIB is not served."""
    return etc_dir(node) / ("ldpd-startup.conf" if daemon == "ldpd" else "startup.conf")


def pidfile(node: LabNode, daemon: str) -> Path:
    return run_dir(node) / f"{daemon}.pid"


def check_pathspace_free(node: LabNode, owned: set[str]) -> None:
    """Refuse to reuse an FRR pathspace that is not govnet's."""
    for path in (etc_dir(node), run_dir(node)):
        if path.exists() and str(path) not in owned:
            raise ResourceTakenError(
                f"FRR pathspace directory {path} exists and is not govnet's (device {node.name}); "
                "govnet will not touch it. Remove it yourself or rename the device."
            )


def prepare_pathspace(node: LabNode, config: str, state: LabState) -> None:
    """Create /etc/frr/<device> and /var/run/frr/<device> owned by frr, write frr.conf."""
    uid = pwd.getpwnam("frr").pw_uid
    gid = grp.getgrnam("frr").gr_gid
    for path in (etc_dir(node), run_dir(node), etc_dir(node) / "snmp"):
        state.add_dir(path)
        path.mkdir(parents=True, exist_ok=True)
        os.chown(path, uid, gid)
        path.chmod(0o770 if path.parent == FRR_ETC else 0o755)  # lab login (group frr) may `write`
    agentx = f"agentXSocket {AGENTX_SOCKET}\n"
    files = {
        etc_dir(node) / "vtysh.conf": f"service integrated-vtysh-config\nhostname {node.name}\n",
        etc_dir(node) / "frr.conf": config,
        etc_dir(node) / "startup.conf": f"hostname {node.name}\n",
        etc_dir(node) / "ldpd-startup.conf": f"hostname {node.name}\nagentx\n",
        # the AgentX socket is an agent token: it belongs in the application's file, not snmp.conf
        **{etc_dir(node) / "snmp" / f"{name}.conf": agentx for name in ("frr", *SNMP_DAEMONS)},
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        os.chown(path, uid, gid)
        path.chmod(0o660 if path.name == "frr.conf" else 0o640)


def start_daemon(node: LabNode, daemon: str, state: LabState) -> int:
    """Start one FRR daemon inside the node's namespace; returns its PID."""
    argv = [
        "ip", "netns", "exec", node.netns, str(FRR_SBIN / daemon), "-d", "-N", node.name,
        "-f", str(startup_config(node, daemon)), "-P", "0", "-i", str(pidfile(node, daemon)),
        "--log", f"file:{run_dir(node) / (daemon + '.log')}",
    ]
    if daemon in SNMP_DAEMONS:
        argv[6:6] = ["-M", "snmp"]
    env = {
        "SNMPCONFPATH": str(etc_dir(node) / "snmp"),
        "SNMP_PERSISTENT_DIR": str(run_dir(node)),
        "MIBS": "",
    }
    run(argv, env=env, timeout=30)
    pid = wait_pidfile(pidfile(node, daemon))
    if pid is None:
        raise CommandError(argv, 1, f"{daemon} on {node.name} did not write {pidfile(node, daemon)}")
    state.add_process(ProcessRecord(node.name, daemon, pid, str(pidfile(node, daemon))))
    return pid


def apply_config(node: LabNode) -> list[str]:
    """Load frr.conf into the running daemons (`vtysh -b`); returns lines FRR rejected."""
    proc = run(["vtysh", "-N", node.name, "-b"], check=False, timeout=60)
    if proc.returncode == 0:
        return []
    return [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]


def vtysh(node_name: str, *commands: str, timeout: float = 15.0) -> str:
    """Run show commands through vtysh in a device's pathspace."""
    argv = ["vtysh", "-N", node_name]
    for cmd in commands:
        argv += ["-c", cmd]
    return run(argv, timeout=timeout).stdout


def remove_pathspace(path: Path) -> None:
    """Delete a pathspace directory (or FRR run file) govnet created."""
    if path.parent not in (FRR_ETC, FRR_RUN) or not path.name:
        return
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


def stop_daemons(pids: list[int]) -> None:
    terminate(pids)
