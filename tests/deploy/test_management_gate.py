"""Deploy refuses an intended config that cuts the management path (on govnet's own renders)."""

from __future__ import annotations

from spec_support import district, rendered

from govnet.deploy.management_gate import management_refusals

FW, CORE, H3C = "kf-fw-1", "kf-core-1", "kf-agg-laodaohe"


def _texts() -> dict[str, str]:
    return {name: config.text for name, config in rendered().items()}


def test_the_shipped_district_cuts_no_management_path() -> None:
    assert management_refusals(district(), _texts(), lab=False) == {}


def test_each_broken_path_is_refused_with_its_fix() -> None:
    texts = _texts()
    edits = {
        FW: (" service-manage snmp permit\n", ""),
        CORE: (" description out-of-band management\n ip address 10.240.0.9 255.252.0.0\n",
               " description out-of-band management\n"),
        H3C: ("", ""),  # untouched: must not be refused
    }
    broken = {name: texts[name].replace(old, new, 1) if old else texts[name]
              for name, (old, new) in edits.items()}
    assert broken[FW] != texts[FW] and broken[CORE] != texts[CORE]
    refused = management_refusals(district(), broken, lab=False)
    assert set(refused) == {FW, CORE}
    assert "service-manage snmp permit" in refused[FW]
    assert refused[CORE].startswith("intended config cuts the management path")
    assert "10.240.0.9" in refused[CORE]


def test_the_lab_twin_routers_are_not_judged_by_vendor_rules() -> None:
    lab = {name: config.text for name, config in rendered(lab=True).items()}
    assert management_refusals(district(), lab, lab=True) == {}
