"""EMULATION (not real gear): the config tree and command grammar of the emulated devices.

Built from vendor documentation (Huawei VRP5/VRP8 and H3C Comware 7 configuration guides), not
from device images. A config is a tree of lines (one space of indent per level, as the devices
print it); a command typed in a view either enters a section (``interface X``, ``ospf 1`` ...),
adds or replaces a line, or ``undo``es one. Commands are checked against a per-dialect
vocabulary and a few argument rules, enough for a driver to meet the vendors' error texts.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from govnet.platforms import get_platform
from govnet.platforms.commandref import SYSTEM, CommandRef, compile_form, reference_of


@dataclass
class Node:
    """One config line and the lines under it."""

    text: str
    children: list[Node] = field(default_factory=list)

    def copy(self) -> Node:
        return Node(self.text, [c.copy() for c in self.children])

    def find(self, text: str) -> Node | None:
        return next((c for c in self.children if c.text == text), None)


@dataclass(frozen=True)
class Dialect:
    """What one OS family accepts and how it says no."""

    name: str
    top_sections: re.Pattern[str]
    nested: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]
    """(the view it is typed in, as ``"a > b"``; the sub-view command)."""
    words: frozenset[str]
    unrecognized: str
    wrong_parameter: str
    cipher: str = "%^%#"
    """How the OS family wraps a secret it prints back (VRP5 ``%^%#``, USG/NIP V500 ``%@%@``)."""
    platform: str | None = None
    """The govnet platform whose command reference (``commands.yaml``) the device accepts lines
    by (None: only the vocabulary above)."""


_COMMON_WORDS = (
    "sysname clock vlan interface description ip undo mtu ospf mpls port shutdown arp acl rule "
    "snmp-agent info-center ntp-service ssh bgp peer network import-route area route-distinguisher "
    "vpn-target router-id silent-interface lldp stp isis route-policy if-match apply "
    "default-route-advertise bfd filter-policy preference authentication-mode protocol "
    "idle-timeout user-role header password domain ntp ftp telnet"
)
VRP = Dialect(
    name="vrp",
    top_sections=re.compile(
        r"^(interface \S+|aaa|ospf( \d+)?( router-id \S+)?|bgp \d+|isis( \d+)?|acl (number )?\d+"
        r"|acl name \S+|ip vpn-instance \S+|user-interface (vty|con|console) .+|vlan \d+|mpls"
        r"|mpls ldp|security-policy|nat-policy|firewall zone( name)? \S+|route-policy .+"
        r"|hwtacacs-server template \S+|cpu-defend policy \S+)$"
    ),
    nested=(
        (
            re.compile(r"^aaa$"),
            re.compile(
                r"^((accounting|authentication|authorization|recording)-scheme \S+|domain \S+"
                r"|manager-user \S+|local-aaa-user password policy \S+)$"
            ),
        ),
        (re.compile(r"^ip vpn-instance \S+$"), re.compile(r"^ipv4-family( unicast)?$")),
        (re.compile(r"^bgp \d+$"), re.compile(r"^ipv[46]-family .+$")),
        (re.compile(r"^ospf\b[^>]*$"), re.compile(r"^area \S+$")),
        (re.compile(r"^(security|nat)-policy$"), re.compile(r"^rule name .+$")),
    ),
    words=frozenset(
        (
            _COMMON_WORDS + " portswitch dot1q local-user local-aaa-user stelnet telnet ipv4-family"
            " ipv6-family hrp firewall security-policy source-zone destination-zone source-address"
            " destination-address service action nat-policy set add vrrp eth-trunk sftp"
            " user-interface aaa accounting-mode accounting-scheme authentication-scheme"
            " authorization-cmd authorization-mode authorization-scheme auto-defend cmd cpu-defend"
            " cpu-defend-policy default-route hwtacacs-server md5-password recording-mode"
            " recording-scheme reflector http policy synchronization urpf level"
            " lock-authentication manager-user service-manage service-type"
        ).split()
    ),
    unrecognized="Error: Unrecognized command found at '^' position.",
    wrong_parameter="Error: Wrong parameter found at '^' position.",
)
COMWARE = Dialect(
    name="comware",
    top_sections=re.compile(
        r"^(interface \S+|ospf( \d+)?( router-id \S+)?|bgp \d+|acl (basic|advanced|number) \d+"
        r"|ip vpn-instance \S+|line (vty|con|class) .+|vlan \d+|local-user \S+( class \S+)?"
        r"|mpls ldp|isis( \d+)?|route-policy .+|domain \S+|hwtacacs scheme \S+"
        r"|attack-defense policy \S+)$"
    ),
    nested=(
        (re.compile(r"^ospf\b[^>]*$"), re.compile(r"^area \S+$")),
        (re.compile(r"^bgp \d+$"), re.compile(r"^(address-family .+|ip vpn-instance \S+)$")),
        (re.compile(r"^bgp \d+ > ip vpn-instance \S+$"), re.compile(r"^address-family .+$")),
    ),
    words=frozenset(
        (
            _COMMON_WORDS + " local-user password service-type authorization-attribute line"
            " vlan-type ssh public-key domain archive accounting address-family attack-defense"
            " authentication authorization command hwtacacs key md5-authentication nas-ip"
            " password-control primary secondary ssh2"
        ).split()
    ),
    unrecognized=" % Unrecognized command found at '^' position.",
    wrong_parameter=" % Wrong parameter found at '^' position.",
    platform="h3c_comware",
)

NIP = replace(
    VRP,
    name="nip",
    top_sections=re.compile(VRP.top_sections.pattern[:-2] + r"|profile type ips name \S+)$"),
    nested=(
        *VRP.nested,
        (re.compile(r"^profile type ips name \S+$"), re.compile(r"^signature-set name \S+$")),
    ),
    words=VRP.words | {"profile", "signature-set", "target", "severity"},
    cipher="%@%@",
    platform="huawei_nip",
)
"""Huawei NIP6000 (USG6000 V500 software): VRP5 grammar plus the IPS profile views."""
SECPATH = replace(
    COMWARE,
    name="comware-secpath",
    top_sections=re.compile(
        COMWARE.top_sections.pattern[:-2]
        + r"|security-zone name \S+|sslvpn (gateway|context) \S+|server-farm \S+|real-server \S+"
        r"|virtual-server \S+( type \S+)?)$"
    ),
    nested=(
        *COMWARE.nested,
        (re.compile(r"^sslvpn context \S+$"), re.compile(r"^(ip-route-list|policy-group) \S+$")),
    ),
    words=COMWARE.words
    | {
        *("security-zone", "sslvpn", "gateway", "ip-tunnel", "policy-group", "filter", "include"),
        *("ip-route-list", "default-policy-group", "service", "server-farm", "real-server"),
        *("virtual-server", "virtual", "predictor", "default", "import"),
    },
    platform="h3c_secpath",
)
"""H3C SecPath (Comware 7 firewall/SSL VPN/load balancer): Comware grammar plus the security
zone, SSL VPN and server-load-balancing views (``link``/``link-group``/``nqa`` are not emulated)."""

VRP5 = replace(VRP, name="vrp5", platform="huawei_vrp")
"""Huawei VRP5 S-series/AR, accepting lines by the ``huawei_vrp`` command reference."""
VRP8 = replace(VRP, name="vrp8", platform="huawei_vrpv8")
"""Huawei VRP8 (CloudEngine), accepting lines by the ``huawei_vrpv8`` command reference."""
USG = replace(VRP, name="usg", platform="huawei_usg")
"""Huawei USG6000 (VRP5 CLI), accepting lines by the ``huawei_usg`` command reference."""

_SINGLE_VALUED = re.compile(
    r"^(description|sysname|mtu|ip address (?!.* sub$)|port link-type|port link-mode|"
    r"port default vlan|port access vlan|ospf network-type|clock timezone|ip binding vpn-instance|"
    r"route-distinguisher|idle-timeout|authentication-mode)"
)
_SYSTEM_ONLY = frozenset(
    ("sysname", "clock", "stelnet", "telnet", "snmp-agent", "info-center", "ntp-service", "ssh", "hrp")
)
_SECOND_WORDS = {
    "ip": frozenset(
        [
            *("address", "binding", "route-static", "vpn-instance", "ip-prefix"),
            *("community-filter", "as-path-filter", "unreachables", "redirects", "urpf"),
            *("http", "https", "netstream", "source"),
        ]
    ),
    "port": frozenset(["link-type", "link-mode", "trunk", "default", "access", "hybrid", "isolate"]),
}
_VLAN_BATCH = re.compile(r"^vlan batch (.+)$")
_TRUNK = re.compile(r"^(port trunk (?:allow-pass|permit) vlan) (.+)$")


class Rejected(Exception):
    """A command the emulated device refuses: ``message`` is the vendor's text, ``column`` the caret."""

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


def vlans_of(spec: str) -> set[int]:
    """``10 20 to 22`` -> {10, 20, 21, 22}; raises ValueError on anything else."""
    words, i = spec.split(), 0
    out: set[int] = set()
    while i < len(words):
        lo = hi = int(words[i])
        step = 1
        if i + 2 < len(words) and words[i + 1] == "to":
            hi, step = int(words[i + 2]), 3
        if not 1 <= lo <= hi <= 4094:
            raise ValueError(spec)
        out.update(range(lo, hi + 1))
        i += step
    return out


def vlan_text(vlans: set[int]) -> str:
    """The devices' own spelling: runs of three or more as ``a to b``."""
    ordered, parts, i = sorted(vlans), [], 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(f"{ordered[i]} to {ordered[j]}" if j - i >= 2 else str(ordered[i]))
        i = j + 1 if j - i >= 2 else i + 1
    return " ".join(parts)


class ConfigTree:
    """A running or candidate configuration: a root ``Node`` plus the dialect's grammar."""

    def __init__(self, dialect: Dialect, root: Node | None = None) -> None:
        self.dialect = dialect
        self.root = root or Node("")

    @classmethod
    def parse(cls, dialect: Dialect, text: str) -> ConfigTree:
        tree = cls(dialect)
        stack: list[tuple[int, Node]] = [(-1, tree.root)]
        base: int | None = 0  # indent of the block after a '#' (1 for printed one-line globals)
        for raw in text.splitlines():
            if raw.startswith("#"):
                stack, base = [(-1, tree.root)], None
                continue
            if not raw.strip() or re.match(r"^\s*(#|!|return\s*$|version \d+\.\d+\S*, Release )", raw):
                continue
            if base is None:
                base = len(raw) - len(raw.lstrip(" "))
            indent = max(0, len(raw) - len(raw.lstrip(" ")) - base)
            while stack[-1][0] >= indent:
                stack.pop()
            node = Node(raw.strip())
            stack[-1][1].children.append(node)
            stack.append((indent, node))
        return tree

    def copy(self) -> ConfigTree:
        return ConfigTree(self.dialect, self.root.copy())

    def lines(self) -> list[str]:
        """Every line, indented one space per level (no ``#`` separators)."""
        out: list[str] = []

        def walk(node: Node, depth: int) -> None:
            for child in node.children:
                out.append(" " * depth + child.text)
                walk(child, depth + 1)

        walk(self.root, 0)
        return out

    def render(self, header: str = "", indent_globals: bool = False) -> str:
        """``display current-configuration``: ``#`` between sections, ``return`` at the end;
        with ``indent_globals`` one-line global commands indented by one space, as Comware 7 and
        the USG/NIP print them (``#`` / `` sysname X`` / ``#``)."""
        out = [header] if header else []
        previous_section = True
        for child in self.root.children:
            if child.children or previous_section:
                out.append("#")
            out.append(child.text if child.children or not indent_globals else " " + child.text)
            out.extend(" " * d + t for d, t in _descendants(child, 1))
            previous_section = bool(child.children)
        out += ["#", "return"]
        return "\n".join(out) + "\n"

    def node(self, path: tuple[str, ...]) -> Node:
        node = self.root
        for text in path:
            found = node.find(text)
            if found is None:
                found = Node(text)
                node.children.append(found)
            node = found
        return node

    def canonical(self) -> list[str]:
        """The lines with siblings sorted: equal for configs a device would print alike."""
        out: list[str] = []

        def walk(node: Node, depth: int) -> None:
            for child in sorted(node.children, key=lambda c: c.text):
                out.append(" " * depth + child.text)
                walk(child, depth + 1)

        walk(self.root, 0)
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ConfigTree) and self.canonical() == other.canonical()

    __hash__ = None  # type: ignore[assignment]

    def apply(self, path: tuple[str, ...], line: str) -> tuple[str, ...]:
        """Apply ``line`` typed in the view at ``path``; the view the device is in afterwards.

        Raises :class:`Rejected` with the vendor's words when the device would refuse it.
        """
        self.check(line)
        accept(self.dialect, path, line)
        undo = line.startswith("undo ")
        body = line.removeprefix("undo ")
        if path and not undo:  # a sub-view of the current view (entered from it only)
            view = " > ".join(path)
            if (
                any(p.match(view) and c.match(body) for p, c in self.dialect.nested)
                or _is_view(self.node(path), body)
                or opens_view(self.dialect, path, body)
            ):
                self.node((*path, body))
                return (*path, body)
        in_section_leaf = bool(path) and _LEAF_IN_SECTIONS.match(body)
        top = self.dialect.top_sections.match(body) or opens_view(self.dialect, (), body)
        if not in_section_leaf and (top or _is_view(self.root, body)):
            if undo:
                self.root.children = [c for c in self.root.children if c.text != body]
                return ()
            self.node((body,))
            return (body,)
        if path and (body.split()[0] in _SYSTEM_ONLY or _VLAN_BATCH.match(body)):
            path = ()  # a system-view command typed in a section: the device leaves the section
        node = self.node(path)
        if undo:
            self._undo(node, body)
        else:
            self._add(node, line)
        return path

    def check(self, line: str) -> None:
        words = line.split()
        first_at = 0
        if words[0] == "undo" and len(words) > 1:
            first_at = line.index(words[1])
            words = words[1:]
        by_reference = self.dialect.platform is not None  # the words are the reference's (accept)
        if words[0] not in self.dialect.words and not by_reference:
            raise Rejected(self.dialect.unrecognized, first_at)
        second = _SECOND_WORDS.get(words[0])
        if second and not by_reference and (len(words) < 2 or words[1] not in second):
            column = line.index(words[1], first_at) if len(words) > 1 else len(line)
            raise Rejected(self.dialect.unrecognized, column)
        body = " ".join(words)
        try:
            if m := re.match(r"^ip address (\S+) (?!port )(\S+)", body):
                ipaddress.IPv4Interface(f"{m[1]}/{m[2]}")
            elif m := re.match(r"^mtu (\S+)$", body):
                if not 46 <= int(m[1]) <= 9600:
                    raise ValueError(body)
            elif m := (_VLAN_BATCH.match(body) or _TRUNK.match(body)):
                vlans_of(m.groups()[-1])
        except ValueError:
            raise Rejected(self.dialect.wrong_parameter, len(line) - len(line.split()[-1])) from None

    def _add(self, node: Node, line: str) -> None:
        line = _cipher(line, self.dialect.cipher)
        if _DEFAULT_ON.match(line):
            node.children = [c for c in node.children if c.text != f"undo {line}"]
            if node.find(line) is None:
                node.children.append(Node(line))
            return
        for pattern in (_VLAN_BATCH, _TRUNK):
            if m := pattern.match(line):
                prefix = line[: m.start(m.lastindex or 1)].strip()
                existing = next((c for c in node.children if c.text.startswith(prefix + " ")), None)
                vlans = vlans_of(m.groups()[-1])
                if existing is not None:
                    vlans |= vlans_of(existing.text.removeprefix(prefix + " "))
                    existing.text = f"{prefix} {vlan_text(vlans)}"
                else:
                    node.children.append(Node(f"{prefix} {vlan_text(vlans)}"))
                return
        if _SECRET_WORD.search(line) is not None:  # a key typed again replaces the stored one
            key_text = line.rsplit(" ", 1)[0]
            for child in node.children:
                if _SECRET_WORD.search(child.text) is not None and child.text.rsplit(" ", 1)[0] == key_text:
                    child.text = line
                    return
        if (m := _SINGLE_VALUED.match(line)) is not None:
            key = m.group(1)
            for child in node.children:
                if (old := _SINGLE_VALUED.match(child.text)) is not None and old.group(1) == key:
                    child.text = line  # a new value replaces the old one (a secondary does not)
                    return
        if node.find(line) is None:
            node.children.append(Node(line))

    def _undo(self, node: Node, body: str) -> None:
        if _DEFAULT_ON.match(body):  # on by default: the device shows the undo form
            node.children = [c for c in node.children if c.text != body]
            if node.find(f"undo {body}") is None:
                node.children.append(Node(f"undo {body}"))
            return
        for pattern in (_VLAN_BATCH, _TRUNK):
            if m := pattern.match(body):
                prefix = body[: m.start(m.lastindex or 1)].strip()
                for child in list(node.children):
                    if child.text.startswith(prefix + " "):
                        left = vlans_of(child.text.removeprefix(prefix + " ")) - vlans_of(m.groups()[-1])
                        child.text = f"{prefix} {vlan_text(left)}"
                        if not left:
                            node.children.remove(child)
                return
        node.children = [c for c in node.children if not (c.text == body or c.text.startswith(body + " "))]


_SECRET_WORD = re.compile(r"\b(cipher|irreversible-cipher|hash)((?: \S+)*?) (\S+)$")
"""A secret keyword; the value is the line's last word (``md5-password cipher PEER VALUE``)."""
_DEFAULT_ON = re.compile(
    r"^(peer \S+ enable|(telnet|ftp|http|http secure-server) server enable|http secure-server enable"
    r"|ip https? enable|synchronization|policy vpn-target|portswitch"
    r"|ssh server compatible-ssh1x enable)$"
)
_LEAF_IN_SECTIONS = re.compile(r"^mpls( ldp)?$")
"""System-view sections that are plain switches inside an interface (``mpls``, ``mpls ldp``)."""


def _cipher(line: str, marker: str = "%^%#") -> str:
    """Devices never print a typed secret back: VRP shows ``%^%#...%^%#`` (USG/NIP ``%@%@``),
    Comware ``$h$6$...``."""

    def hide(m: re.Match[str]) -> str:
        value = m[3]
        if value.startswith(("%^%#", "%@%@", "$h$", "$1a$")):
            return m[0]  # already cipher text (a saved config loaded back)
        digest = hashlib.sha256(value.encode()).hexdigest()[:24]
        shown = f"$h$6${digest}" if m[1] == "hash" else f"{marker}{digest}{marker}"
        return f"{m[1]}{m[2]} {shown}"

    return _SECRET_WORD.sub(hide, line)


def _is_view(node: Node, text: str) -> bool:
    """``text`` names a section the config already has under ``node`` (entering it is a view)."""
    found = node.find(text)
    return found is not None and bool(found.children)


def _descendants(node: Node, depth: int) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for child in node.children:
        out.append((depth, child.text))
        out.extend(_descendants(child, depth + 1))
    return out


# ---------------------------------------------------------------- the command reference as the gate


def accept(dialect: Dialect, path: Sequence[str], line: str) -> None:
    """Refuse ``line`` typed in the view ``path`` unless the dialect's platform reference has it.

    As on the devices, a command the current view lacks is tried in the enclosing views up to the
    system view; an ``undo`` form is taken when its command exists there. The caret goes under the
    first word no command of those views continues with (the vendors' ``found at '^' position``).
    Devices call this through :meth:`ConfigTree.apply`; a dialect without a platform accepts all.
    """
    ref = _reference(dialect)
    if ref is None:
        return
    views = [tuple(path[:depth]) for depth in range(len(path), -1, -1)]
    if any(ref.match(view, line) for view in views):
        return
    words = line.split()
    body = words[1:] if words[0] == "undo" and len(words) > 1 else words
    if body is not words and any(_prefix(ref, view, body) >= min(len(body), 2) for view in views):
        return
    matched = max(_prefix(ref, view, words if body is words else body) for view in views)
    offset = 0 if body is words else 1
    column = line.index(words[matched + offset]) if matched + offset < len(words) else len(line)
    raise Rejected(dialect.unrecognized, column)


_token = cache(compile_form)
"""One word of a form as a regex (compiled once)."""


def opens_view(dialect: Dialect, path: Sequence[str], line: str) -> bool:
    """``line`` typed in the view ``path`` enters a view the dialect's reference knows."""
    ref = _reference(dialect)
    return ref is not None and ref.view_of((*path, line)) not in (None, SYSTEM)


def _reference(dialect: Dialect) -> CommandRef | None:
    return None if dialect.platform is None else reference_of(get_platform(dialect.platform))


def _prefix(ref: CommandRef, view: tuple[str, ...], words: list[str]) -> int:
    """How many leading ``words`` some command of ``view`` begins with (its required words)."""
    name = ref.view_of(view)
    best = 0
    for command in ref.in_view(name) if name else ():
        tokens = command.form.replace("[", " [ ").replace("]", " ] ").split()
        count, depth = 0, 0
        for token in tokens:
            if token in ("[", "]"):
                depth += 1 if token == "[" else -1
                continue
            if depth or count >= len(words):
                break
            if not _token(token).fullmatch(words[count]):
                break
            count += 1
        best = max(best, count)
    return best
