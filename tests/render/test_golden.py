"""Golden configs: one reviewed device per platform x role.

Fixtures live in ``tests/fixtures/golden/<platform>/<role>.cfg``. After a reviewed template
change, regenerate them with ``GOVNET_UPDATE_GOLDEN=1 pytest tests/render/test_golden.py``: every
rewritten golden fails with "goldens rewritten: review the diff" (refused when ``CI`` is set);
review ``git diff tests/fixtures/golden`` like any config change, then run the tests again.
The lab goldens are also parsed by the daemons themselves: ``vtysh --dryrun`` and ``nft -c``.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from golden_support import REWRITTEN, check_golden

from govnet.credentials import Credentials
from govnet.model import Network
from govnet.platforms import get_platform
from govnet.render import render_device

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
REPRESENTATIVES = {
    ("huawei_vrp", "core"): "kf-core-1",
    ("huawei_vrp", "aggregation"): "kf-agg-dongfenglu",
    ("huawei_vrp", "access"): "kf-acc-dongfenglu-police",
    ("huawei_usg", "firewall"): "kf-fw-1",
    ("h3c_comware", "aggregation"): "kf-agg-laodaohe",
    ("huawei_nip", "ips"): "kf-ips-1",
    ("h3c_secpath", "load_balancer"): "kf-lb-1",
    ("h3c_secpath", "vpn_gateway"): "kf-vpn-1",
}
LAB_REPRESENTATIVES = {
    ("frr", "core"): "kf-core-1",
    ("frr", "aggregation"): "kf-agg-dongfenglu",
    ("frr", "access"): "kf-acc-dongfenglu-police",
    ("nftables", "firewall"): "kf-fw-1",
}


def test_every_rendered_platform_role_has_a_golden(network: Network) -> None:
    pairs = {(d.platform, d.role) for d in network.devices.values() if get_platform(d.platform).renders}
    assert pairs == set(REPRESENTATIVES)


def test_every_lab_platform_role_has_a_golden(network: Network) -> None:
    pairs = {
        (d.lab_platform, d.role) for d in network.devices.values() if d.lab_platform in ("frr", "nftables")
    }
    assert pairs == set(LAB_REPRESENTATIVES)


ALL = {
    **{(*k, False): v for k, v in REPRESENTATIVES.items()},
    **{(*k, True): v for k, v in LAB_REPRESENTATIVES.items()},
}


@pytest.mark.parametrize(
    ("platform", "role", "lab", "device"),
    [(p, r, lab, d) for (p, r, lab), d in sorted(ALL.items())],
    ids=[f"{p}-{r}" for (p, r, _) in sorted(ALL)],
)
def test_golden(network: Network, platform: str, role: str, lab: bool, device: str) -> None:
    config = render_device(network, device, lab=lab, credentials=Credentials())
    assert (config.platform, config.role) == (platform, role)
    check_golden(GOLDEN / platform / f"{role}.cfg", config.text, what=f"{device} ({platform} {role})")


# --- the lab goldens, parsed by the daemons that will load them -------------------------------

FRR_GOLDENS = sorted((GOLDEN / "frr").glob("*.cfg"))
NFT_GOLDENS = sorted((GOLDEN / "nftables").glob("*.cfg"))
REFUSED_LINE = re.compile(r"^line \d+: % ")


def vtysh_dryrun(path: Path) -> list[str]:
    """FRR's own parser over a config file: the lines it refuses (empty when it accepts all).

    ``vtysh --dryrun`` exits 0 on an unknown command and only prints ``line N: % ...``, so both
    count (a non-root user's "% Can't open ... vtysh.conf" is not about the file checked).
    """
    proc = subprocess.run(
        ["vtysh", "--dryrun", "-f", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    refused = [ln for ln in (proc.stdout + proc.stderr).splitlines() if REFUSED_LINE.match(ln)]
    if proc.returncode != 0 and not refused:
        refused = [f"vtysh exit {proc.returncode}: {proc.stderr.strip()}"]
    return refused


def nft_check(path: Path) -> str:
    """nftables' own parser (``nft -c``) in a throw-away user+network namespace: needs no root."""
    proc = subprocess.run(
        ["unshare", "--net", "--map-root-user", "nft", "-c", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return "" if proc.returncode == 0 else f"exit {proc.returncode}: {proc.stderr.strip()}"


def test_lab_goldens_exist_for_both_daemons() -> None:
    assert [p.name for p in FRR_GOLDENS] == ["access.cfg", "aggregation.cfg", "core.cfg"]
    assert [p.name for p in NFT_GOLDENS] == ["firewall.cfg"]


@pytest.mark.parametrize("path", FRR_GOLDENS, ids=[p.stem for p in FRR_GOLDENS])
def test_frr_golden_is_accepted_by_vtysh(path: Path) -> None:
    assert vtysh_dryrun(path) == []


@pytest.mark.parametrize("path", NFT_GOLDENS, ids=[p.stem for p in NFT_GOLDENS])
def test_nftables_golden_is_accepted_by_nft(path: Path) -> None:
    assert nft_check(path) == ""


def test_the_parsers_do_refuse_broken_configs(tmp_path: Path) -> None:
    """The validators above are not vacuous: one wrong word is reported by each daemon."""
    frr = tmp_path / "core.cfg"
    frr.write_text((GOLDEN / "frr" / "core.cfg").read_text().replace("router bgp", "router bgpx", 1))
    assert any("Unknown command" in ln and "router bgpx" in ln for ln in vtysh_dryrun(frr))
    frr.write_text("router bgp 65010\n neighbor 10.0.0.1 remote-as banana\nexit\n")
    refused = vtysh_dryrun(frr)  # exit 2 here, and the line it could not take
    assert len(refused) == 1 and refused[0].startswith("line 2: % Unknown command")
    assert refused[0].endswith("neighbor 10.0.0.1 remote-as banana")
    nft = tmp_path / "firewall.cfg"
    nft.write_text((GOLDEN / "nftables" / "firewall.cfg").read_text().replace("accept", "acceptx", 1))
    assert "syntax error" in nft_check(nft)


# --- the update mode cannot bless a regression -------------------------------------------------


def test_update_mode_rewrites_then_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("GOVNET_UPDATE_GOLDEN", "1")
    golden = tmp_path / "core.cfg"
    golden.write_text("sysname old\n")
    with pytest.raises(pytest.fail.Exception) as info:
        check_golden(golden, "sysname new\n", what="kf-core-1")
    assert REWRITTEN in str(info.value) and "-sysname old" in str(info.value)
    assert "+sysname new" in str(info.value)
    assert golden.read_text() == "sysname new\n"
    check_golden(golden, "sysname new\n", what="kf-core-1")  # nothing to rewrite: passes
    new = tmp_path / "new" / "agg.cfg"
    with pytest.raises(pytest.fail.Exception, match=REWRITTEN):
        check_golden(new, "sysname agg\n", what="kf-agg")
    assert new.read_text() == "sysname agg\n"


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_update_mode_is_refused_under_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("GOVNET_UPDATE_GOLDEN", "1")
    golden = tmp_path / "core.cfg"
    golden.write_text("sysname old\n")
    for actual in ("sysname new\n", "sysname old\n"):
        with pytest.raises(pytest.fail.Exception, match="refused when CI is set"):
            check_golden(golden, actual, what="kf-core-1")
    assert golden.read_text() == "sysname old\n"


@pytest.mark.parametrize("env", [{}, {"GOVNET_UPDATE_GOLDEN": "0"}, {"CI": "false"}, {"CI": "true"}])
def test_compare_mode_fails_on_a_difference_and_never_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    monkeypatch.delenv("GOVNET_UPDATE_GOLDEN", raising=False)
    monkeypatch.delenv("CI", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    golden = tmp_path / "core.cfg"
    golden.write_text("sysname old\n")
    check_golden(golden, "sysname old\n", what="kf-core-1")
    with pytest.raises(pytest.fail.Exception) as info:
        check_golden(golden, "sysname new\n", what="kf-core-1")
    assert "kf-core-1 differs" in str(info.value) and "+sysname new" in str(info.value)
    assert REWRITTEN not in str(info.value)
    with pytest.raises(pytest.fail.Exception, match="no reviewed snapshot"):
        check_golden(tmp_path / "missing.cfg", "x\n", what="kf-core-1")
    assert golden.read_text() == "sysname old\n" and not (tmp_path / "missing.cfg").exists()
