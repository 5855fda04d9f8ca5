"""Deploy stage pieces that need no device: masking, secrets, FRR diff plans, batches, lock, LKG."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govnet.credentials import Credentials
from govnet.deploy.batches import conflicts_of, plan_batches
from govnet.deploy.driver import DeployError, DriverTarget
from govnet.deploy.drivers import driver_class
from govnet.deploy.drivers.frr import FrrDriver, _reply
from govnet.deploy.frr_reload import as_shown, plan_reload
from govnet.deploy.lkg import LkgStore, PendingCommit, pending_commits
from govnet.deploy.lock import LockHeld, network_lock
from govnet.deploy.mask import HIDDEN, mask_config
from govnet.deploy.secrets import REDACTED, SecretValues
from govnet.model import Network

# -- masking -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (" local-user netadmin password irreversible-cipher $1c$abc$def", "$1c$abc$def"),
        (" snmp-agent usm-user v3 noc authentication-mode sha %^%#Xy1%^%# privacy-mode aes128 %^%#Zz%^%#",
         "%^%#Xy1%^%#"),
        (" snmp-agent community read public acl 2000", "public"),
        (" snmp-agent community write cipher %^%#q%^%#", "%^%#q%^%#"),
        (" password hash $h$6$kkk==", "$h$6$kkk=="),
        (" key cipher $c$3$AAAA", "$c$3$AAAA"),
        (" neighbor 10.0.0.1 password bgp-secret", "bgp-secret"),
        (" ip ospf authentication-key ospfkey", "ospfkey"),
        (" ip ospf message-digest-key 1 md5 md5key", "md5key"),
        ("snmp-server community c0mmun1ty RO", "c0mmun1ty"),
    ],
)
def test_mask_hides_the_value_and_keeps_the_line(line: str, secret: str) -> None:
    masked = mask_config(line)
    assert secret not in masked
    assert HIDDEN in masked
    assert masked.split()[0] == line.split()[0]


def test_mask_leaves_ordinary_lines_alone() -> None:
    text = "interface ge0-0-1\n description to kf-core-1\n ip address 10.8.0.38/30\n"
    assert mask_config(text) == text


# -- secret references ------------------------------------------------------------------------


def test_secret_references_resolve_and_redact_without_showing_values() -> None:
    secrets = SecretValues.from_credentials(Credentials(ssh_password="pa55-word", snmp_auth_key="auth-key-1"))
    resolved = secrets.resolve("local-user a password irreversible-cipher ${secret:GOVNET_SSH_PASSWORD}")
    assert resolved.endswith("pa55-word")
    assert "pa55-word" not in repr(secrets)
    redacted = secrets.redact(f"x {resolved} auth-key-1")
    assert redacted == f"x local-user a password irreversible-cipher {REDACTED} {REDACTED}"


def test_missing_secret_names_the_variable() -> None:
    with pytest.raises(DeployError, match="GOVNET_SNMP_PRIV_KEY"):
        SecretValues().resolve("k ${secret:GOVNET_SNMP_PRIV_KEY}", "kf-core-1")


# -- FRR plans (frr-reload's compare, local vtysh -m) -----------------------------------------

RUNNING = """Building configuration...

Current configuration:
!
frr version 8.4.4
frr defaults traditional
hostname r1
service integrated-vtysh-config
!
interface eth0
 ip address 10.0.0.1/30
exit
!
router bgp 65010
 neighbor 10.0.0.2 remote-as 65010
 neighbor 10.0.0.2 description old
exit
!
end
"""

TARGET = """frr defaults traditional
hostname r1
!
interface eth0 vrf PUBLIC
 ip address 10.0.0.5/30
exit
!
router bgp 65010
 neighbor 10.0.0.2 remote-as 65010
 neighbor 10.0.0.2 description new
exit
!
line vty
 exec-timeout 10 0
exit
!
end
"""


def test_plan_deletes_first_then_adds() -> None:
    plan = plan_reload(RUNNING, TARGET)
    deletes = [block[-1].strip() for block in plan.deletes]
    adds = [block[-1].strip() for block in plan.adds]
    assert "no ip address 10.0.0.1/30" in deletes
    assert "no neighbor 10.0.0.2 description old" in deletes
    assert "ip address 10.0.0.5/30" in adds
    assert "neighbor 10.0.0.2 description new" in adds
    assert plan.adds[adds.index("ip address 10.0.0.5/30")][0] == "interface eth0"


def test_plan_of_identical_configs_is_empty() -> None:
    assert plan_reload(RUNNING, RUNNING).empty


def test_as_shown_drops_what_frr_never_prints() -> None:
    shown = as_shown(TARGET)
    assert "interface eth0\n" in shown
    assert "line vty" not in shown and "exec-timeout" not in shown


def test_vtysh_reply_is_the_text_between_echo_and_prompt() -> None:
    assert _reply("router bgp 65099\nBGP is already running; AS is 65010\nr1(config-router)# ") == (
        "BGP is already running; AS is 65010")
    assert _reply(" bogus\n% Unknown command: bogus\nr1(config)# ") == "% Unknown command: bogus"
    assert _reply(" ip address 10.0.0.1/30\nr1(config-if)# ") == ""


def test_frr_platform_resolves_to_the_frr_driver(tmp_path: Path) -> None:
    cls = driver_class("frr")
    assert cls is FrrDriver
    driver = cls(DriverTarget("r1", "frr", "127.0.0.1", 22001, "u", "s3cr3t-pw", state_dir=tmp_path))
    assert "s3cr3t-pw" not in repr(driver.target)


# -- batches ----------------------------------------------------------------------------------


def test_batches_never_pair_redundant_devices(network: Network) -> None:
    names = [d.name for d in network.by_role("core", "aggregation")]
    batches = plan_batches(network, names, size=4)
    conflicts = conflicts_of(network.groups, {link.id: link for link in network.links})
    def sites(agg: str) -> int:
        return sum(1 for d in network.devices if d.startswith(agg.replace("-agg-", "-acc-") + "-"))

    smallest = min((n for n in names if n.startswith("kf-agg-")), key=lambda n: (sites(n), n))
    assert batches[0] == [smallest]  # the canary: the aggregation node with the fewest sites
    assert batches[-2:] == [["kf-core-1"], ["kf-core-2"]]  # the cores last, one at a time
    assert sorted(n for b in batches for n in b) == sorted(names)
    for batch in batches:
        assert len(batch) <= 4
        for name in batch:
            assert not conflicts.get(name, set()) & (set(batch) - {name})
    assert conflicts["kf-core-1"] >= {"kf-core-2"}


def test_uplink_pairs_conflict_on_their_far_ends(network: Network) -> None:
    conflicts = conflicts_of(network.groups, {link.id: link for link in network.links})
    # kf-uplinks-dongfenglu: both links end on kf-agg-dongfenglu; the cores are the far ends
    assert "kf-agg-dongfenglu" not in conflicts.get("kf-core-1", set())
    assert "kf-fw-2" in conflicts["kf-fw-1"]


def test_batch_size_must_be_positive(network: Network) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        plan_batches(network, ["kf-core-1"], size=0)


# -- lock and last-known-good -----------------------------------------------------------------


def test_second_lock_is_refused_naming_the_holder(tmp_path: Path) -> None:
    held = network_lock(tmp_path, "net")
    again = network_lock(tmp_path, "net")
    with held, pytest.raises(LockHeld, match=f"pid {os.getpid()}"), again:
        pass
    assert not (tmp_path / "net.lock").exists()


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    import socket

    (tmp_path / "net.lock").write_text(f"someone@{socket.gethostname()} pid 999999999 since x\n")
    with network_lock(tmp_path, "net") as path:
        assert f"pid {os.getpid()}" in path.read_text()


def test_lkg_and_pending_files_are_private(tmp_path: Path) -> None:
    state = LkgStore(tmp_path / "state", "r1")
    state.save_lkg("hostname r1\n")
    state.mark_pending(PendingCommit("r1", "frr", 0.0, "run1"))
    assert state.lkg() == "hostname r1\n"
    assert (state.lkg_path.stat().st_mode & 0o777) == 0o600
    assert (state.state_dir.stat().st_mode & 0o777) == 0o700
    assert [p.device for p in pending_commits(state.state_dir)] == ["r1"]
    assert state.pending() is not None and state.pending().expired  # type: ignore[union-attr]
    state.clear_pending()
    assert pending_commits(state.state_dir) == []


# -- verify expectations from the model ----------------------------------------------------------


def test_expectations_come_from_the_model(network: Network) -> None:
    from govnet.deploy.verify import expectations

    small = network.subset(["kf-core-1", "kf-core-2", "kf-agg-dongfenglu", "kf-acc-dongfenglu-c01"])
    core = expectations(small, "kf-core-1", lab=True)
    assert core.ospf == {str(small.devices[n].loopback.ip)  # type: ignore[union-attr]
                         for n in ("kf-core-2", "kf-agg-dongfenglu")}
    assert core.bgp == core.ospf
    assert {"xge1-0-1", "ge2-0-1"} <= core.links
    only_settled = expectations(small, "kf-core-1", lab=True, settled={"kf-core-2"})
    assert only_settled.ospf == {str(small.devices["kf-core-2"].loopback.ip)}  # type: ignore[union-attr]
    site = expectations(small, "kf-acc-dongfenglu-c01", lab=True)
    assert not site.ospf and not site.bgp and site.links == {"ge0-0-1"}


def test_platform_without_checks_passes_with_a_note(tmp_path: Path) -> None:
    from govnet.deploy.verify import Expectations, verify

    driver = FrrDriver(DriverTarget("r1", "frr", "127.0.0.1", state_dir=tmp_path))
    report = verify(driver, "appliance", Expectations(ospf=frozenset({"10.0.0.1"})), timeout=1)
    assert report.ok and report.note == "not verified: no post-change checks for appliance"


# -- host preparation ----------------------------------------------------------------------


def test_a_usg_pair_member_gets_its_peer_as_hrp_standby(network: Network, tmp_path: Path) -> None:
    from govnet.deploy.connection import CONNECTION, prepare_host
    from govnet.inventory.nornir_plugin import GovnetInventory

    hosts = GovnetInventory(network=network).load().hosts

    def standby(name: str, *, peers: bool = True) -> object:
        prepare_host(hosts[name], state_dir=tmp_path, secrets=SecretValues(), run_id="t1",
                     hosts=hosts if peers else None)
        extras = hosts[name].connection_options[CONNECTION].extras or {}
        assert extras["device"] == name and extras["run_id"] == "t1"
        return extras.get("hrp_standby")

    assert standby("kf-fw-1") == {"host": str(network.devices["kf-fw-2"].mgmt_ip.ip), "port": 22}
    hosts["kf-fw-2"].hostname, hosts["kf-fw-2"].port = "127.0.0.1", 2202  # the peer as this run reaches it
    assert standby("kf-fw-1") == {"host": "127.0.0.1", "port": 2202}
    assert standby("kf-fw-2", peers=False) == {"host": str(network.devices["kf-fw-1"].mgmt_ip.ip), "port": 22}
    assert standby("kf-core-1") is None  # a switch pair: no HRP


def test_run_report_shows_the_lines_a_driver_held_back() -> None:
    """A vendor driver's held lines (never undone) reach the run report and its JSON."""
    import json

    from govnet.deploy.driver import ConfigDiff
    from govnet.deploy.rollout import RunReport, _record
    from govnet.deploy.tasks import PushOutcome

    report = RunReport(run_id="r1", network="kaifu-extranet", commit=True, started="now")
    held = ("undo stelnet server enable",)
    diff = ConfigDiff("kf-acc-1", ("vlan batch 100",), "+vlan batch 100\n", held=held)
    _record(report, PushOutcome("kf-acc-1", "changed", diff), batch=1)
    _record(report, PushOutcome("kf-acc-2", "unchanged"), batch=1)
    shown = json.loads(report.to_json())["devices"]
    assert shown["kf-acc-1"]["held"] == ["undo stelnet server enable"]
    assert shown["kf-acc-2"]["held"] == []
