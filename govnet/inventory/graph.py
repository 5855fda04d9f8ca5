"""Draw the topology with Graphviz: cores, aggregation, access, edge, shared segments with their
VRRP virtual addresses, and redundancy pairs."""

from __future__ import annotations

import shutil
from pathlib import Path

import graphviz

from govnet.errors import GovnetError
from govnet.model import Device, Network

ROLE_STYLE: dict[str, dict[str, str]] = {
    "core": {"shape": "box3d", "fillcolor": "#1f4e79", "fontcolor": "white"},
    "aggregation": {"shape": "box", "fillcolor": "#2e75b6", "fontcolor": "white"},
    "access": {"shape": "box", "fillcolor": "#deebf7", "fontsize": "9"},
    "firewall": {"shape": "hexagon", "fillcolor": "#c00000", "fontcolor": "white"},
    "ips": {"shape": "octagon", "fillcolor": "#ed7d31"},
    "load_balancer": {"shape": "parallelogram", "fillcolor": "#ffc000"},
    "vpn_gateway": {"shape": "house", "fillcolor": "#70ad47"},
    "isolation_gateway": {"shape": "doubleoctagon", "fillcolor": "#7030a0", "fontcolor": "white"},
    "server": {"shape": "cylinder", "fillcolor": "#a5a5a5"},
}
SEGMENT_STYLE = {
    "shape": "box",
    "style": "rounded,filled",
    "fillcolor": "#dae3f3",
    "color": "#2e75b6",
    "fontsize": "9",
}
SEGMENT_EDGE = {"penwidth": "1.6", "color": "#2e75b6", "fontsize": "7"}
EXTERNAL_STYLE = {"shape": "ellipse", "style": "dashed", "color": "#595959"}
LINK_STYLE = {
    "core-core": {"penwidth": "4", "color": "#1f4e79", "label": "10G"},
    "core-aggregation": {"penwidth": "1.6", "color": "#2e75b6"},
    "aggregation-access": {"penwidth": "0.8", "color": "#9dc3e6", "arrowhead": "none"},
    "edge": {"penwidth": "1.6", "color": "#c55a11"},
    "external": {"penwidth": "1.6", "color": "#595959", "style": "dashed"},
}


def build_graph(network: Network) -> graphviz.Graph:
    """A Graphviz graph of the network, one cluster per redundancy pair and per subdistrict."""
    g = graphviz.Graph("govnet", engine="dot")
    g.attr(
        rankdir="TB",
        newrank="true",
        nodesep="0.15",
        ranksep="0.9",
        label=f"{network.settings.title or network.settings.name} (AS {network.settings.asn})",
        labelloc="t",
        fontsize="20",
        fontname="WenQuanYi Micro Hei,Helvetica",
    )
    g.attr("node", style="filled", fontname="WenQuanYi Micro Hei,Helvetica", fontsize="10")
    g.attr("edge", fontname="WenQuanYi Micro Hei,Helvetica", fontsize="8")
    placed: set[str] = set()
    for group in network.groups:
        if group.kind != "devices":
            continue
        with g.subgraph(name=f"cluster_{group.name}") as sub:
            sub.attr(
                label=f"{group.title or group.name}", style="rounded,dashed", color="#c00000", fontsize="10"
            )
            for member in group.members:
                _node(sub, network, member)
                placed.add(member)
    by_area: dict[tuple[str, str], list[Device]] = {}
    for dev in network.devices.values():
        if dev.subdistrict:
            by_area.setdefault((dev.district, dev.subdistrict), []).append(dev)
    for (district, name), members in sorted(by_area.items()):
        with g.subgraph(name=f"cluster_sub_{district}_{name}") as sub:
            title = network.subdistrict_titles.get(name)
            sub.attr(
                label=f"{title} {name}" if title else name, style="rounded", color="#9dc3e6", fontsize="10"
            )
            previous = None
            for dev in sorted(members, key=lambda d: (d.role != "aggregation", d.name)):
                _node(sub, network, dev.name)
                placed.add(dev.name)
                if dev.role == "access" and previous is not None:
                    sub.edge(previous, dev.name, style="invis")  # stack sites vertically
                if dev.role == "access":
                    previous = dev.name
    for name in network.devices:
        if name not in placed:
            _node(g, network, name)
    linked = {lk.b for lk in network.links if lk.external}
    for ext in (e for e in network.externals.values() if e.name in linked):
        g.node(ext.name, f"{ext.title or ext.name}\n({ext.kind})", **EXTERNAL_STYLE)
    _segments(g, network)
    link_groups = {m: grp for grp in network.groups if grp.kind == "links" for m in grp.members}
    for link in network.links:
        style = dict(LINK_STYLE.get(link.kind, {}))
        grp = link_groups.get(link.id)
        if grp is not None and link.kind != "core-aggregation":
            style.update(color="#c00000", penwidth="2.5", tooltip=grp.name)
        if link.kind in ("edge", "external"):
            g.edge(link.b, link.a, **style)  # the internet edge and upstreams rank above the cores
        else:
            g.edge(link.a, link.b, **style)
    with g.subgraph() as rank:
        rank.attr(rank="same")
        for core in network.by_role("core"):
            rank.node(core.name)
    return g


def _segments(g: graphviz.Graph, network: Network) -> None:
    """Each shared segment as a switch node with its subnet and VRRP virtual addresses, joined to
    every member port (the edge chain IPS -> firewall pair -> load balancer runs through them)."""
    for seg in network.segments:
        node = f"segment_{seg.id}"
        lines = [seg.title or seg.name, f"{seg.name} {seg.subnet}"]
        lines += [f"VRRP {v.vrid} VIP {v.virtual_ip} (active {v.active})" for v in seg.vrrp]
        g.node(node, "\n".join(lines), **SEGMENT_STYLE)
        for member in seg.members:
            if member.device in network.devices:
                g.edge(member.device, node, label=f"{member.interface}\n{member.ip.ip}", **SEGMENT_EDGE)


def _node(g: graphviz.Graph, network: Network, name: str) -> None:
    dev = network.devices[name]
    label = f"{dev.name}\n{dev.loopback.ip if dev.loopback else dev.mgmt_ip.ip}"
    if dev.role == "access":
        label = dev.site
    style = ROLE_STYLE.get(dev.role, {})
    g.node(name, label, tooltip=f"{dev.role} {dev.platform} {dev.model}", **style)


def write_graph(network: Network, out: Path) -> Path:
    """Render to ``out`` (format from its suffix: .svg, .png, .pdf or .dot)."""
    fmt = out.suffix.lstrip(".") or "svg"
    g = build_graph(network)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("dot", "gv"):
        out.write_text(g.source, encoding="utf-8")
        return out
    if shutil.which("dot") is None:
        raise GovnetError("Graphviz 'dot' is not installed: run 'make setup' (apt-get install graphviz)")
    if fmt not in ("svg", "png", "pdf"):
        raise GovnetError(f"{out}: unsupported graph format {fmt!r}; use .svg, .png, .pdf or .dot")
    out.write_bytes(g.pipe(format=fmt))
    return out
