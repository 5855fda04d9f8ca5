"""Checks run before the lab touches the system: root, and the binaries it drives."""

from __future__ import annotations

import os
import shutil

from govnet.lab.errors import MissingPackagesError, NotRootError

FRR_DIR = "/usr/lib/frr"
FRR_MODULE_DIR = "/usr/lib/x86_64-linux-gnu/frr/modules"

# binary -> Debian package that ships it
REQUIRED_BINARIES: dict[str, str] = {
    "ip": "iproute2",
    "nft": "nftables",
    "vtysh": "frr",
    "snmpd": "snmpd",
    "snmpget": "snmp",
    "sshd": "openssh-server",
    "ssh-keygen": "openssh-client",
    "useradd": "passwd",
    "chpasswd": "passwd",
}
FRR_DAEMONS = ("zebra", "staticd", "ospfd", "bgpd", "ldpd")
SBIN_PATH = "/usr/local/sbin:/usr/sbin:/sbin"


def require_root(action: str = "boot the lab twin") -> None:
    """Raise NotRootError unless running as uid 0."""
    if os.geteuid() != 0:
        raise NotRootError(
            f"govnet lab needs root to {action}: it creates network namespaces, veth pairs and a "
            "management bridge, and runs FRR, snmpd and sshd inside them. Run it with sudo."
        )


def which(binary: str) -> str | None:
    """Find a binary on PATH, also looking in the sbin directories root normally has."""
    path = os.environ.get("PATH", "")
    return shutil.which(binary) or shutil.which(binary, path=f"{path}:{SBIN_PATH}" if path else SBIN_PATH)


def missing_binaries() -> dict[str, str]:
    """Return {binary: package} for every required binary that is not installed."""
    missing = {b: pkg for b, pkg in REQUIRED_BINARIES.items() if which(b) is None}
    for daemon in FRR_DAEMONS:
        if not os.access(f"{FRR_DIR}/{daemon}", os.X_OK):
            missing[f"{FRR_DIR}/{daemon}"] = "frr"
    if not os.path.exists(f"{FRR_MODULE_DIR}/bgpd_snmp.so"):
        missing[f"{FRR_MODULE_DIR}/bgpd_snmp.so"] = "frr-snmp"
    return missing


def require_binaries() -> None:
    """Raise MissingPackagesError naming each missing binary and how to install it."""
    missing = missing_binaries()
    if not missing:
        return
    packages = sorted(set(missing.values()))
    lines = "\n".join(f"  - {b} (package {pkg})" for b, pkg in sorted(missing.items()))
    raise MissingPackagesError(
        "govnet lab needs system packages that are not installed:\n"
        f"{lines}\n"
        f"Install them with `make setup`, or: apt-get install -y {' '.join(packages)}"
    )


def preflight(action: str = "boot the lab twin") -> None:
    """Root first (the clearer error), then binaries."""
    require_root(action)
    require_binaries()
