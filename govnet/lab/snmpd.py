"""net-snmp `snmpd` per device: SNMPv3 authPriv on the management address, AgentX master."""

from __future__ import annotations

from pathlib import Path

from govnet.lab.credentials import LabCredentials
from govnet.lab.errors import CommandError
from govnet.lab.procs import run, wait_pidfile
from govnet.lab.state import LabState, ProcessRecord
from govnet.lab.topology import LabNode
from govnet.platforms.linux import AGENTX_SOCKET

SNMP_PORT = 161


def snmpd_dir(workdir: Path, node: LabNode) -> Path:
    return workdir / "snmpd" / node.name


def snmpd_config(node: LabNode, creds: LabCredentials) -> str:
    """snmpd.conf: v3 user only (no communities), AgentX master inside the namespace."""
    assert node.mgmt_ip is not None
    return (
        f"agentAddress udp:{node.mgmt_ip.ip}:{SNMP_PORT}\n"
        "master agentx\n"
        f"agentXSocket {AGENTX_SOCKET}\n"
        f'createUser {creds.snmp_user} SHA "{creds.snmp_auth_key}" AES "{creds.snmp_priv_key}"\n'
        f"rouser {creds.snmp_user} priv\n"
        f"sysName {node.name}\n"
        f"sysDescr govnet lab twin {node.role} ({node.lab_platform})\n"
        "sysLocation govnet-lab\n"
        "sysContact noc\n"
        "sysServices 78\n"
    )


def start_snmpd(workdir: Path, node: LabNode, creds: LabCredentials, state: LabState) -> int:
    """Write the config and start snmpd in the node's namespace; returns its PID."""
    base = snmpd_dir(workdir, node)
    (base / "persist").mkdir(parents=True, exist_ok=True)
    conf = base / "snmpd.conf"
    conf.touch(mode=0o600)
    conf.write_text(snmpd_config(node, creds), encoding="utf-8")
    persist_conf = base / "persist" / "snmpd.conf"
    if persist_conf.exists():  # stale usmUser rows from an earlier boot with other keys
        persist_conf.unlink()
    pidfile = base / "snmpd.pid"
    pidfile.unlink(missing_ok=True)
    argv = [
        "ip", "netns", "exec", node.netns, "snmpd", "-C", "-c", str(conf), "-p", str(pidfile),
        "-Lf", str(base / "snmpd.log"), "-m", "",
    ]
    run(argv, env={"SNMP_PERSISTENT_DIR": str(base / "persist"), "MIBS": ""}, timeout=30)
    pid = wait_pidfile(pidfile)
    if pid is None:
        raise CommandError(argv, 1, f"snmpd on {node.name} did not start, see {base / 'snmpd.log'}")
    state.add_process(ProcessRecord(node.name, "snmpd", pid, str(pidfile)))
    return pid
