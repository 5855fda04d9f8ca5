"""The edge agent's parsers and verbs on real program output.

Pure parsers read captures from real nft, iproute2 and keepalived (``tests/fixtures/edge-agent``,
see its README). The verbs run the real programs: ``canon`` in a throwaway ``unshare --net``,
``show``/``status``/``check``/``apply`` in a network namespace this module creates and deletes
(root; in CI a missing root fails, elsewhere it skips). Not tested here: ``vrrp_states`` (needs a
running keepalived and the fixed ``/tmp/keepalived.data`` the twin shares) and ``main``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from govnet.lab import edge_agent
from govnet.lab.edge_agent import (
    AgentError,
    EdgeSpec,
    _keepalived_pid,
    _table_deletes,
    answer,
    apply,
    canon,
    check,
    parse_route,
    parse_vrrp_dump,
    serve,
    show,
    status,
    write_config,
)

CAPTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edge-agent"
NS = f"gnmut-ea-{os.getpid()}"
RULESET = """table inet govnet_fw {
\tchain forward {
\t\ttype filter hook forward priority filter; policy drop;
\t\tct state established accept
\t}
}
"""
KEEPALIVED = """global_defs {
  router_id edge_t
}
vrrp_instance vrid7 {
  state BACKUP
  interface d0
  virtual_router_id 7
  priority 100
  virtual_ipaddress {
    192.0.2.254/24
  }
}
"""


def need_root() -> None:
    if os.geteuid() != 0:
        (pytest.fail if os.environ.get("CI") else pytest.skip)("network namespaces need root")


def sh(*argv: str) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def netns() -> Iterator[str]:
    """A fresh namespace per test (tests change it): d0 (192.0.2.1/24, up) and d1 (down),
    two static routes, one boot route, three tables."""
    need_root()
    sh("ip", "netns", "add", NS)
    try:
        for cmd in ("link add d0 type veth peer name p0", "link add d1 type veth peer name p1",
                    "link set d0 up", "link set p0 up", "addr add 192.0.2.1/24 dev d0",
                    "route add 10.64.0.0/11 proto static nexthop via 192.0.2.9 nexthop via 192.0.2.7",
                    "route add 10.1.1.1 via 192.0.2.5 proto static", "route add 10.9.0.0/16 via 192.0.2.4"):
            sh("ip", "-n", NS, *cmd.split())
        subprocess.run(["ip", "netns", "exec", NS, "nft", "-f", "-"], check=True, text=True,
                       input="table ip nat {\n}\ntable inet govnet_fault {\n}\ntable inet old {\n}\n")
        yield NS
    finally:
        subprocess.run(["ip", "netns", "del", NS], check=False)


@pytest.fixture
def spec(netns: str, tmp_path: Path) -> EdgeSpec:
    conf = tmp_path / "keepalived.conf"
    return EdgeSpec("edge-t", netns, str(tmp_path / "s.sock"), str(conf), str(tmp_path / "ka.pid"))


# -- pure parsers -----------------------------------------------------------------------------
def test_vrrp_dump_capture_gives_each_instance_its_own_state_not_the_interfaces() -> None:
    text = (CAPTURES / "keepalived.data").read_text(encoding="utf-8")
    assert parse_vrrp_dump(text) == {"51": "MASTER", "52": "FAULT"}
    assert parse_vrrp_dump("") == {}
    # a State line before any instance, and an instance with no State line, give nothing
    assert parse_vrrp_dump(" State = UP\n VRRP Instance = vrid9\n Wantstate = BACKUP\n") == {}


@pytest.mark.parametrize(("line", "parsed"), [
    ("10.1.1.1/32 via 10.0.0.1", ("10.1.1.1/32", ["via", "10.0.0.1"])),
    ("0.0.0.0/0   via  10.8.15.1 ", ("0.0.0.0/0", ["via", "10.8.15.1"])),
    ("10.64.0.0/11 nexthop via 10.8.0.97 nexthop via 10.8.0.201",
     ("10.64.0.0/11", ["nexthop", "via", "10.8.0.97", "nexthop", "via", "10.8.0.201"])),
    ("10.64.0.0/11 nexthop via 10.8.0.97", ("10.64.0.0/11", ["nexthop", "via", "10.8.0.97"])),
])
def test_route_lines_parse(line: str, parsed: tuple[str, list[str]]) -> None:
    assert parse_route(line) == parsed


@pytest.mark.parametrize("line", [
    "", "  ", "10.1.1.1/32", "10.1.1.1/32 via", "10.1.1.1/32 dev d0", "10.1.1.1/32 via 10.0.0.1 x",
    "10.64.0.0/11 nexthop via 10.0.0.1 nexthop", "10.64.0.0/11 nexthop dev 10.0.0.1",
    "10.64.0.0/11 next via 10.0.0.1", "10.64.0.0/11 nexthop via 10.0.0.1 nexthop via",
])
def test_non_routes_are_refused_with_the_line(line: str) -> None:
    with pytest.raises(ValueError, match=r"^not a route: " + repr(line).replace(".", r"\.") + "$"):
        parse_route(line)


@pytest.mark.parametrize(("line", "message"), [
    ("10.1.1.1/33 via 10.0.0.1", "'33' is not a valid netmask"),
    ("10.1.1.0/23 via 10.0.0.1", "10.1.1.0/23 has host bits set"),
    ("10.1.1.1/32 via 10.0.0.300", "Octet 300 (> 255) not permitted in '10.0.0.300'"),
    ("10.64.0.0/11 nexthop via 10.0.0.1 nexthop via 10.0.0.x",
     "Only decimal digits permitted in 'x' in '10.0.0.x'"),
])
def test_route_addresses_must_parse(line: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_route(line)
    assert str(info.value) == message


def test_captured_tables_are_deleted_but_the_fault_table(monkeypatch: pytest.MonkeyPatch) -> None:
    captured = (CAPTURES / "nft-tables.json").read_text(encoding="utf-8")
    seen: list[list[str]] = []

    def run(argv: list[str], stdin: str | None = None, timeout: float = 30.0) -> object:
        seen.append(argv)
        return subprocess.CompletedProcess(argv, 0, captured, "")

    monkeypatch.setattr(edge_agent, "_run", run)
    spec = EdgeSpec("e", "ns1", "/nonexistent")
    assert _table_deletes(spec) == "delete table inet govnet_fw\ndelete table ip nat\n"
    assert seen == [["ip", "netns", "exec", "ns1", "nft", "-j", "list", "tables"]]
    captured = ""
    assert _table_deletes(spec) == ""


def test_keepalived_pid_reads_a_live_process_and_not_a_zombie(tmp_path: Path) -> None:
    pidfile = tmp_path / "ka.pid"
    spec = EdgeSpec("e", "ns", "s", "c", str(pidfile))
    assert _keepalived_pid(spec) is None  # no pidfile
    pidfile.write_text("", encoding="utf-8")
    assert _keepalived_pid(spec) is None
    pidfile.write_text("x\n", encoding="utf-8")
    assert _keepalived_pid(spec) is None
    child = subprocess.Popen(["sleep", "30"])
    try:
        pidfile.write_text(f"{child.pid}\n", encoding="utf-8")
        assert _keepalived_pid(spec) == child.pid
        child.kill()
        time.sleep(0.1)  # dead, not reaped: a zombie
        assert _keepalived_pid(spec) is None
    finally:
        child.kill()
        child.wait()
    assert _keepalived_pid(spec) is None  # reaped: gone
    odd = tmp_path / "k) Z ("  # a command name holding ") Z (": the state is the field after the last ")"
    odd.symlink_to("/bin/sleep")
    child = subprocess.Popen([str(odd), "30"])
    try:
        time.sleep(0.1)
        pidfile.write_text(f"{child.pid}\n", encoding="utf-8")
        stat = Path(f"/proc/{child.pid}/stat").read_text(encoding="utf-8")
        assert stat.startswith(f"{child.pid} (k) Z () ")
        assert _keepalived_pid(spec) == child.pid
    finally:
        child.kill()
        child.wait()


def test_unknown_verbs_and_errors_become_replies() -> None:
    spec = EdgeSpec("e", "ns", "s")
    long = "x" * 50
    assert answer(spec, f" {long} \npayload") == {"ok": False, "error": f"unknown request {'x' * 40!r}"}
    assert answer(spec, "canon\ninclude \"/etc/passwd\"\n") == {
        "ok": False, "error": "ruleset line 1: include is not allowed"}
    assert answer(spec, "check\n#@ bogus\n") == {"ok": False, "error": "unknown or repeated section 'bogus'"}
    assert answer(spec, "check\n#@ keepalived\nvrrp_script x {\n") == {
        "ok": False, "error": "e runs no keepalived"}


def test_answer_reports_os_errors_with_their_type(monkeypatch: pytest.MonkeyPatch) -> None:
    def run(argv: list[str], stdin: str | None = None, timeout: float = 30.0) -> object:
        raise FileNotFoundError(2, "No such file", argv[0])

    monkeypatch.setattr(edge_agent, "_run", run)
    spec = EdgeSpec("e", "ns", "s")
    missing_ip = {"ok": False, "error": "FileNotFoundError: [Errno 2] No such file: 'ip'"}
    for verb in ("show", "status", " check \n#@ nftables\n", "apply\n#@ nftables\n"):
        assert answer(spec, verb) == missing_ip
    assert answer(spec, "canon") == {"ok": False,
                                     "error": "FileNotFoundError: [Errno 2] No such file: 'unshare'"}
    assert answer(spec, "apply-merge") == {"ok": True, "data": {"applied": []}}
    assert answer(spec, "apply-merge\n#@ routes\n") == {
        "ok": False, "error": "FileNotFoundError: [Errno 2] No such file: 'ip'"}
    assert answer(spec, "check\n#@ routes\n\nbogus\n") == {"ok": False,
                                                         "error": "routes: Expected 4 octets in 'bogus'"}
    blank_lines = "check\n#@ routes\n10.0.0.0/8 via 10.0.0.1\n\n \n"
    assert answer(spec, blank_lines) == {"ok": True, "data": ["routes"]}


def test_write_config_is_root_only_json(tmp_path: Path) -> None:
    path = tmp_path / "agent.json"
    specs = [EdgeSpec("e1", "n1", "/s1", "/k1", "/p1"), EdgeSpec("e2", "n2", "/s2")]
    write_config(path, specs, {1002, 0, 1001}, 1500, tmp_path / "ready")
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "specs": [{"device": "e1", "netns": "n1", "socket": "/s1", "keepalived_conf": "/k1",
                   "keepalived_pidfile": "/p1"},
                  {"device": "e2", "netns": "n2", "socket": "/s2", "keepalived_conf": "",
                   "keepalived_pidfile": ""}],
        "uids": [0, 1001, 1002], "gid": 1500, "ready": str(tmp_path / "ready")}
    assert path.read_text(encoding="utf-8").startswith('{\n "specs": [\n  {\n')


def test_serve_answers_allowed_uids_only(tmp_path: Path) -> None:
    sock_path = tmp_path / "e.sock"
    sock_path.write_text("stale", encoding="utf-8")
    servers = serve([EdgeSpec("e", "ns", str(sock_path))], {os.getuid()})
    try:
        def ask(payload: bytes) -> bytes:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.connect(str(sock_path))
                conn.sendall(payload)
                conn.shutdown(socket.SHUT_WR)
                return b"".join(iter(lambda: conn.recv(65536), b""))

        assert ask(b"nope\n") == b'{"ok": false, "error": "unknown request \'nope\'"}\n'
        assert json.loads(ask(b"x" * (edge_agent.MAX_REQUEST + 1))) == {"ok": False,
                                                                        "error": "request too large"}
        assert "too large" not in ask(b"x" * edge_agent.MAX_REQUEST).decode()
        assert json.loads(ask(b"check\n#@ keepalived\nx\n")) == {"ok": False, "error": "e runs no keepalived"}
        assert json.loads(ask(b"\xff\n")) == {"ok": False, "error": "unknown request '\ufffd'"}
        if os.geteuid() == 0:  # a peer whose gid differs from its uid is judged by its uid
            peer = ("import os, socket, sys; os.setgid(4242); s = socket.socket(socket.AF_UNIX); "
                    "s.connect(sys.argv[1]); s.sendall(b'nope'); s.shutdown(socket.SHUT_WR); "
                    "sys.stdout.write(s.recv(200).decode())")
            out = subprocess.run([sys.executable, "-c", peer, str(sock_path)], capture_output=True, text=True,
                                 check=True, timeout=10).stdout
            assert out == '{"ok": false, "error": "unknown request \'nope\'"}\n'
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    fresh = tmp_path / "fresh.sock"  # no stale file to remove
    other = serve([EdgeSpec("e", "ns", str(fresh))], {os.getuid() + 1})
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(str(fresh))
            conn.sendall(b"status\n")
            conn.shutdown(socket.SHUT_WR)
            try:
                got = conn.recv(100)
            except ConnectionResetError:  # closed with the request unread
                got = b""
            assert got == b""  # no reply to a uid not served
    finally:
        for server in other:
            server.shutdown()
            server.server_close()


# -- the real programs --------------------------------------------------------------------
def test_canon_is_the_ruleset_as_nft_lists_it() -> None:
    need_root()
    source = "table inet t {\n  chain c {\n    type filter hook input priority 0; policy accept;\n" \
             "    tcp dport 22 counter accept\n  }\n}\n"
    assert canon(source) == ("table inet t {\n\tchain c {\n\t\ttype filter hook input priority filter;"
                             " policy accept;\n\t\ttcp dport 22 counter packets 0 bytes 0 accept\n\t}\n}\n")
    with pytest.raises(AgentError, match=r"^nft: /dev/stdin:1:\d+-\d+: Error: syntax error"):
        canon("table inet t { bogus }\n")
    assert answer(EdgeSpec("e", "ns", "s"), "canon\n" + source) == {"ok": True, "data": canon(source)}


def test_show_lists_ruleset_static_routes_and_keepalived(spec: EdgeSpec) -> None:
    Path(spec.keepalived_conf).write_text("vrrp\n", encoding="utf-8")
    assert show(spec) == {
        "nftables": "table ip nat {\n}\ntable inet govnet_fault {\n}\ntable inet old {\n}\n",
        "keepalived": "vrrp\n",
        "routes": ["10.1.1.1/32 via 192.0.2.5", "10.64.0.0/11 nexthop via 192.0.2.7 nexthop via 192.0.2.9"],
    }
    bare = EdgeSpec("e", spec.netns, "s")
    assert show(bare)["keepalived"] is None
    assert answer(bare, "show\n")["data"] == show(bare)
    with pytest.raises(AgentError, match=r'^nft list ruleset: Cannot open network namespace "gnmut-none"'):
        show(EdgeSpec("e", "gnmut-none", "s"))


def test_show_reports_ip_route_errors(spec: EdgeSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    real = edge_agent._run

    def run(argv: list[str], stdin: str | None = None, timeout: float = 30.0) -> object:
        return real([w.replace(NS, "gnmut-none") for w in argv] if "route" in argv else argv, stdin)

    monkeypatch.setattr(edge_agent, "_run", run)
    with pytest.raises(AgentError, match=r'^ip route: Cannot open network namespace "gnmut-none"'):
        show(spec)


def test_status_lists_tables_links_up_and_keepalived(spec: EdgeSpec) -> None:
    assert status(spec) == {"tables": ["inet govnet_fault", "inet old", "ip nat"], "links_up": ["d0", "p0"],
                            "keepalived": {"running": False, "states": {}}}
    bare = EdgeSpec("e", spec.netns, "s")
    assert status(bare) == {"tables": ["inet govnet_fault", "inet old", "ip nat"], "links_up": ["d0", "p0"],
                            "keepalived": None}
    assert answer(bare, "status")["data"] == status(bare)
    assert status(EdgeSpec("e", "gnmut-none", "s")) == {"tables": [], "links_up": [], "keepalived": None}


def test_check_validates_every_section_in_the_namespace(spec: EdgeSpec) -> None:
    config = (f"header\n#@ nftables\n{RULESET}#@ keepalived\n{KEEPALIVED}"
              "#@ routes\n10.2.0.0/16 via 192.0.2.8\n")
    assert check(spec, config) == {"nftables": RULESET, "keepalived": KEEPALIVED,
                                   "routes": "10.2.0.0/16 via 192.0.2.8\n"}
    assert answer(spec, "check\n" + config) == {"ok": True, "data": ["keepalived", "nftables", "routes"]}
    assert status(spec)["tables"] == ["inet govnet_fault", "inet old", "ip nat"]  # checked, not loaded
    assert check(spec, "#@ keepalived\n#notify_me is a comment\n" + KEEPALIVED)["keepalived"].startswith("#")
    with pytest.raises(AgentError) as told:
        check(spec, "#@ keepalived\n" + "".join(f"vrrp_bogus{n} {{\n}}\n" for n in range(1, 7)))
    message = str(told.value)  # keepalived's last five lines
    assert message.startswith("keepalived -t: (") and message.count(" / ") == 4
    assert all(line.startswith("(") for line in message.removeprefix("keepalived -t: ").split(" / "))
    assert "Unknown keyword 'vrrp_bogus6'" in message and "vrrp_bogus5" not in message
    assert message.endswith(": Line 12) Unknown keyword '}'")
    with pytest.raises(AgentError, match=r"^routes: not a route: '10\.0\.0\.0/8'$"):
        check(spec, "#@ routes\n\n10.0.0.0/8\n")
    with pytest.raises(AgentError, match=r'^nft list tables: Cannot open network namespace "gnmut-none"'):
        check(EdgeSpec("e", "gnmut-none", "s"), "#@ nftables\n" + RULESET)
    with pytest.raises(AgentError, match=r"^nft -c: /dev/stdin:\d+:\d+-\d+: Error: "):
        check(spec, "#@ nftables\ntable inet t { chain c { bogus } }\n")
    with pytest.raises(AgentError, match=r"^ruleset line 2: include is not allowed$"):
        check(spec, "#@ nftables\n\n  include \"/etc/x\"\n")
    with pytest.raises(AgentError, match=r"^keepalived.conf line 3: 'notify' is not allowed$"):
        check(spec, "#@ keepalived\n# notify x\n\n notify /bin/x\n")
    with pytest.raises(AgentError, match=r"^keepalived -t: .*vrrp_bogus"):
        check(spec, "#@ keepalived\nvrrp_bogus {\n}\n")
    with pytest.raises(AgentError, match=r"^routes: not a route: '10\.2\.0\.0/16 dev d0'$"):
        check(spec, "#@ routes\n10.2.0.0/16 dev d0\n")
    assert list(Path(spec.keepalived_conf).parent.glob("*.conf")) == []  # the test copy is gone


def test_apply_replaces_routes_and_tables_but_the_fault_table(spec: EdgeSpec) -> None:
    Path(spec.keepalived_conf).write_text(KEEPALIVED, encoding="utf-8")  # show reads it
    routes = "10.1.1.1/32 via 192.0.2.6\n10.3.0.0/16 nexthop via 192.0.2.7 nexthop via 192.0.2.8\n"
    assert answer(spec, f"apply-merge\n#@ routes\n{routes}") == {"ok": True, "data": {"applied": ["routes"]}}
    assert show(spec)["routes"] == ["10.1.1.1/32 via 192.0.2.6",
                                    "10.3.0.0/16 nexthop via 192.0.2.7 nexthop via 192.0.2.8",
                                    "10.64.0.0/11 nexthop via 192.0.2.7 nexthop via 192.0.2.9"]
    assert apply(spec, f"#@ routes\n{routes}\n#@ nftables\n{RULESET}") == {"applied": ["nftables", "routes"]}
    assert show(spec)["routes"] == ["10.1.1.1/32 via 192.0.2.6",
                                    "10.3.0.0/16 nexthop via 192.0.2.7 nexthop via 192.0.2.8"]
    assert "10.9.0.0/16 via 192.0.2.4" in sh("ip", "-n", spec.netns, "route")  # not ours: kept
    assert status(spec)["tables"] == ["inet govnet_fault", "inet govnet_fw"]
    with pytest.raises(AgentError, match=r"^ip route replace 10\.5\.0\.0/16 proto static via "
                                         r"198\.51\.100\.1: Error: Nexthop has invalid gateway\.$"):
        apply(spec, "#@ routes\n10.5.0.0/16 via 198.51.100.1\n")


def test_routes_apply_before_keepalived_conf_is_written(spec: EdgeSpec) -> None:
    """Applying routes reads the routes only: a keepalived.conf not written yet is no error."""
    assert not Path(spec.keepalived_conf).exists()
    assert apply(spec, "#@ routes\n10.1.1.1/32 via 192.0.2.6\n") == {"applied": ["routes"]}
    assert edge_agent.static_routes(spec) == ["10.1.1.1/32 via 192.0.2.6"]


def test_apply_keepalived_writes_and_signals_a_running_keepalived(spec: EdgeSpec) -> None:
    conf = Path(spec.keepalived_conf)
    with pytest.raises(AgentError, match=r"^keepalived is not running on edge-t$"):
        apply(spec, f"#@ keepalived\n{KEEPALIVED}")
    assert not conf.exists()
    conf.write_text(KEEPALIVED, encoding="utf-8")
    assert apply(spec, f"#@ keepalived\n{KEEPALIVED}") == {"applied": ["keepalived"]}  # same: no signal
    # a stand-in for keepalived's pid: a process of ours that reports SIGHUP, once its trap is set
    # (on a loaded machine a fixed sleep was not enough), with SIGHUP at its default even when
    # the runner was started under nohup
    child = subprocess.Popen(
        ["sh", "-c", "trap 'echo hup; exit 0' HUP; echo ready; while :; do sleep 0.05; done"],
        stdout=subprocess.PIPE, text=True, preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL),
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        Path(spec.keepalived_pidfile).write_text(f"{child.pid}\n", encoding="utf-8")
        changed = KEEPALIVED.replace("priority 100", "priority 90")
        assert apply(spec, f"#@ keepalived\n{changed}") == {"applied": ["keepalived"]}
        assert conf.read_text(encoding="utf-8") == changed
        assert not conf.with_suffix(".new").exists()
        assert child.communicate(timeout=5)[0] == "hup\n"
    finally:
        child.kill()
        child.wait()
