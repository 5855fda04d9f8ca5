"""The GovnetInventory plugin, loaded the way users load it: through InitNornir."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from nornir import InitNornir
from nornir.core import Nornir
from nornir.core.filter import F

from govnet.credentials import SECRET_KEYS, load_credentials
from govnet.errors import SecretsError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in (*SECRET_KEYS, "GOVNET_SECRETS"):
        monkeypatch.delenv(key, raising=False)
    yield


def _nornir(**options: object) -> Nornir:
    return InitNornir(
        runner={"plugin": "serial"},
        inventory={
            "plugin": "GovnetInventory",
            "options": {"inventory_dir": str(ROOT / "inventory"), **options},
        },
        logging={"enabled": False},
    )


def test_entry_point_gives_every_device(clean_env: None) -> None:
    nr = _nornir()
    assert len(nr.inventory.hosts) == 139
    core = nr.inventory.hosts["kf-core-1"]
    assert core.platform == "huawei"  # S12700E runs VRP5-style software: Netmiko "huawei", not vrpv8
    assert core.hostname == "10.240.0.9"
    assert core.get_connection_parameters("napalm").platform == "huawei_vrp"
    assert core["role"] == "core" and core["device"].loopback is not None
    assert core.has_parent_group("role_core") and core.has_parent_group("zone_police")
    h3c = nr.inventory.hosts["kf-agg-laodaohe"]
    assert h3c.platform == "hp_comware"


def test_filters_by_role_site_and_zone(clean_env: None) -> None:
    nr = _nornir()
    assert len(nr.filter(role="aggregation").inventory.hosts) == 13
    assert set(nr.filter(site="kf-dc", role="core").inventory.hosts) == {"kf-core-1", "kf-core-2"}
    police = nr.filter(F(zones__contains="police") & F(role="access"))
    assert set(police.inventory.hosts) == {
        "kf-acc-dongfenglu-police",
        "kf-acc-wujialing-police",
        "kf-acc-sifangping-police",
        "kf-acc-laodaohe-police",
    }
    assert len(nr.filter(F(groups__contains="subdistrict_xinhe")).inventory.hosts) == 10


def test_credentials_from_environment(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVNET_SSH_USER", "noc")
    monkeypatch.setenv("GOVNET_SSH_PASSWORD", "s3cret-from-env")
    host = _nornir().inventory.hosts["kf-core-2"]
    assert host.username == "noc" and host.password == "s3cret-from-env"


def test_credentials_from_secrets_file(clean_env: None, tmp_path: Path) -> None:
    secrets = tmp_path / "govnet.env"
    secrets.write_text("# lab\nexport GOVNET_SSH_USER=ops\nGOVNET_SSH_PASSWORD='p w'\n", encoding="utf-8")
    secrets.chmod(0o600)
    host = _nornir(secrets_file=str(secrets)).inventory.hosts["kf-core-1"]
    assert (host.username, host.password) == ("ops", "p w")


def test_secrets_never_in_inventory_yaml() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "inventory").rglob("*.yaml")).lower()
    for key in ("password", "secret", "auth_key", "priv_key", "community", "username"):
        assert re.search(rf"\b{key}\s*:", text) is None, key


def test_secrets_file_errors(clean_env: None, tmp_path: Path) -> None:
    bad = tmp_path / "bad.env"
    bad.write_text("GOVNET_SSH_USER=a\nnonsense\n", encoding="utf-8")
    bad.chmod(0o600)
    with pytest.raises(SecretsError, match=r"bad.env:2: expected KEY=value"):
        load_credentials(bad)
    bad.write_text("GOVNET_SSH_USER=a\n", encoding="utf-8")
    bad.chmod(0o644)
    with pytest.raises(SecretsError, match="chmod 600"):
        load_credentials(bad)
    inside = ROOT / "inventory" / "x.env"
    with pytest.raises(SecretsError, match="inside the repository"):
        load_credentials(inside, repo=ROOT)


def test_credentials_repr_hides_secrets(clean_env: None) -> None:
    creds = load_credentials(environ={"GOVNET_SSH_PASSWORD": "hunter2", "GOVNET_SNMP_PRIV_KEY": "k" * 12})
    assert "hunter2" not in repr(creds) and "kkkk" not in str(creds)
    assert set(creds.secret_values()) == {"hunter2", "k" * 12}
    assert os.environ.get("GOVNET_SSH_PASSWORD") is None
