"""``govnet monitor``: poll the district over SNMP and serve Prometheus metrics.

Register with ``app.command("monitor")(monitor_cmd)``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from govnet.cli.common import guarded, inventory_option, load_network_or_exit, state

INVENTORY_OPTION = inventory_option()
LISTEN_OPTION = typer.Option(
    "127.0.0.1:9469", "--listen", metavar="HOST:PORT", help="Where /metrics is served."
)
INTERVAL_OPTION = typer.Option(
    30.0, "--interval", min=1.0, metavar="SECONDS", help="Seconds between poll cycles."
)
SHARD_OPTION = typer.Option(
    "0/1",
    "--shard",
    metavar="I/N",
    help="Poll only shard I of N (md5 hashmod of the device name, as Prometheus relabeling does).",
)
LAB_OPTION = typer.Option(False, "--lab", metavar="", help="Poll the running lab twin with its secrets.env.")
WORKDIR_OPTION = typer.Option(
    Path("/var/tmp/govnet-lab"),
    "--workdir",
    envvar="GOVNET_LAB_WORKDIR",
    metavar="DIR",
    help="The twin's workdir (--lab).",
)
ONCE_OPTION = typer.Option(
    False, "--once", metavar="", help="One cycle: print every redundancy group's health and exit."
)
TIMEOUT_OPTION = typer.Option(
    1.0, "--timeout", min=0.1, metavar="SECONDS", help="Per-request SNMP timeout in seconds."
)
RETRIES_OPTION = typer.Option(1, "--retries", min=0, metavar="N", help="SNMP retries per request.")
FORMAT_OPTION = typer.Option(
    "text", "--format", "-f", metavar="text|json",
    help="What --once prints: text, or json (every device, link, session, group and hardware row).",
)
PROMETHEUS_OPTION = typer.Option(
    None, "--prometheus", metavar="URL", help="Show this Prometheus' firing alerts on the NOC page."
)


@guarded
def monitor_cmd(
    inventory: Path | None = INVENTORY_OPTION,
    listen: str = LISTEN_OPTION,
    interval: float = INTERVAL_OPTION,
    shard: str = SHARD_OPTION,
    lab: bool = LAB_OPTION,
    workdir: Path = WORKDIR_OPTION,
    once: bool = ONCE_OPTION,
    timeout: float = TIMEOUT_OPTION,
    retries: int = RETRIES_OPTION,
    prometheus: str | None = PROMETHEUS_OPTION,
    fmt: str = FORMAT_OPTION,
) -> None:
    """Poll links, routing sessions and redundancy groups over SNMPv3; serve /metrics and the NOC
    page (the live district map at /, device pages, /api/state) from the last completed cycle.

    Without --lab the inventory's management addresses are polled with the configured
    credentials (--secrets FILE, $GOVNET_SECRETS or GOVNET_SNMP_* in the environment).

    Example: govnet monitor --listen 0.0.0.0:9469 --shard 0/2; govnet monitor --lab --once -f json;
    govnet monitor --lab --prometheus http://127.0.0.1:9090 (then open http://127.0.0.1:9469/)

    Exit codes: 0 stopped (or --once done), 2 bad input (options, inventory, credentials, no lab twin),
    3 internal error, 130 interrupted.
    """
    from govnet.credentials import load_credentials
    from govnet.errors import GovnetError
    from govnet.monitor.plan import parse_shard
    from govnet.monitor.service import MonitorOptions, parse_listen, run_monitor

    if fmt not in ("text", "json"):
        raise GovnetError(f"--format {fmt}: use text or json")
    parse_listen(listen)
    options = MonitorOptions(
        output="json" if fmt == "json" else "text",
        listen=listen,
        interval=interval,
        shard=parse_shard(shard),
        timeout=timeout,
        retries=retries,
        prometheus=prometheus,
    )
    network = load_network_or_exit(inventory)
    devices: list[str] | None = None
    secrets = state().secrets
    if lab:
        from govnet.lab.status import monitor_options

        facts = monitor_options(workdir)
        devices = facts["devices"]
        secrets = facts["secrets_file"]
        credentials = load_credentials(secrets, environ={})
    else:
        credentials = load_credentials(secrets)
    run_monitor(network, credentials, options, devices=devices, lab=lab, once=once, echo=typer.echo)
