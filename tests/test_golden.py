"""Golden configs: one reviewed device per platform x role.

Fixtures live in ``tests/fixtures/golden/<platform>/<role>.cfg``. After a reviewed template
change, regenerate them with ``GOVNET_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and review
the diff like any config change.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from govnet.credentials import Credentials
from govnet.model import Network
from govnet.platforms import get_platform
from govnet.render import render_device

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden"
REPRESENTATIVES = {
    ("huawei_vrp", "core"): "kf-core-1",
    ("huawei_vrp", "aggregation"): "kf-agg-dongfenglu",
    ("huawei_vrp", "access"): "kf-acc-dongfenglu-police",
    ("huawei_vrp", "firewall"): "kf-fw-1",
    ("h3c_comware", "aggregation"): "kf-agg-laodaohe",
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
    path = GOLDEN / platform / f"{role}.cfg"
    if os.environ.get("GOVNET_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(config.text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if config.text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                config.text.splitlines(keepends=True),
                fromfile=str(path),
                tofile=f"rendered {device}",
            )
        )
        pytest.fail(f"{device} differs from its golden config:\n{diff}")
