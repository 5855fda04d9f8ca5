"""nftables in firewall namespaces: the rendered ruleset, and loss rules for faults."""

from __future__ import annotations

from pathlib import Path

from govnet.lab.procs import run
from govnet.lab.topology import LabNode
from govnet.platforms.linux import LAB_FAULT_TABLE

FAULT_TABLE = LAB_FAULT_TABLE


def load_ruleset(node: LabNode, ruleset: str, workdir: Path) -> None:
    """Write the firewall ruleset to the workdir and load it in the node's namespace."""
    path = workdir / "nftables" / f"{node.name}.nft"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ruleset, encoding="utf-8")
    run(["ip", "netns", "exec", node.netns, "nft", "-f", str(path)])


def loss_ruleset(losses: dict[str, int]) -> str:
    """A table dropping `percent` of packets in and out of each interface (netem is absent)."""
    lines = [
        f"table inet {FAULT_TABLE}",
        f"delete table inet {FAULT_TABLE}",
        f"table inet {FAULT_TABLE} {{",
        "\tchain loss_in {",
        "\t\ttype filter hook prerouting priority -300; policy accept;",
        *(f'\t\tiifname "{i}" numgen random mod 100 < {p} counter drop' for i, p in sorted(losses.items())),
        "\t}",
        "\tchain loss_out {",
        "\t\ttype filter hook postrouting priority 300; policy accept;",
        *(f'\t\toifname "{i}" numgen random mod 100 < {p} counter drop' for i, p in sorted(losses.items())),
        "\t}",
        "}",
    ]
    return "\n".join(lines) + "\n"


def apply_losses(node: LabNode, losses: dict[str, int]) -> None:
    """Install (or with no losses, remove) the loss table in a node's namespace."""
    if losses:
        run(["ip", "netns", "exec", node.netns, "nft", "-f", "-"], input_text=loss_ruleset(losses))
    else:
        run(["ip", "netns", "exec", node.netns, "nft", "delete", "table", "inet", FAULT_TABLE],
            check=False)
