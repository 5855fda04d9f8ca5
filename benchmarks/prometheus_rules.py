"""Judge every redundancy group from sharded pollers with the shipped recording rules: a real
Prometheus (Debian's ``prometheus``) scraping each shard's ``/metrics``, one job per shard with the
hashmod relabeling of ``govnet/data/monitor/prometheus-shards.yml``, ``rules.yml`` loaded."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.snmpsim_agents import stop

DATA = Path(__file__).resolve().parent.parent / "govnet" / "data" / "monitor"
SCRAPE_S, EVALUATION_S, WAIT_S = 60, 2, 300
"""A province shard's /metrics is ~9 MB of text: on a loaded machine one scrape can take tens of
seconds, so the scrape timeout is generous; the verdict needs one scrape of every shard."""


def shard_config(ports: list[int]) -> str:
    """prometheus.yml for one poller per port (shard i of len(ports)), JSON being YAML."""
    shards = len(ports)
    jobs = [
        {
            "job_name": f"govnet-monitor-shard-{i}",
            "scrape_interval": f"{SCRAPE_S}s",
            "scrape_timeout": f"{SCRAPE_S}s",
            "static_configs": [{"targets": [f"127.0.0.1:{port}"], "labels": {"shard": f"{i}/{shards}"}}],
            "metric_relabel_configs": [
                {
                    "source_labels": ["device"],
                    "modulus": shards,
                    "target_label": "__tmp_device_shard",
                    "action": "hashmod",
                },
                {"source_labels": ["device", "__tmp_device_shard"], "regex": f";.*|.+;{i}", "action": "keep"},
            ],
        }
        for i, port in enumerate(ports)
    ]
    config = {
        "global": {"scrape_interval": f"{SCRAPE_S}s", "evaluation_interval": f"{EVALUATION_S}s"},
        "rule_files": ["rules.yml"],
        "scrape_configs": jobs,
    }
    return json.dumps(config, indent=1)


def judge_with_rules(ports: list[int], groups: int, workdir: Path) -> dict[str, object]:
    """Scrape the shards until ``govnet:redundancy_group_state`` has one current state for
    ``groups`` groups; the counts by state and the devices kept. RuntimeError when the rules
    have not judged every group within WAIT_S."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "prometheus.yml").write_text(shard_config(ports), encoding="utf-8")
    (workdir / "rules.yml").write_text((DATA / "rules.yml").read_text(encoding="utf-8"), encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        web = sock.getsockname()[1]
    prometheus = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={workdir / 'prometheus.yml'}",
            f"--storage.tsdb.path={workdir / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{web}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def query(promql: str) -> list[dict[str, Any]]:
        url = f"http://127.0.0.1:{web}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        try:
            with urllib.request.urlopen(url, timeout=30) as resp:
                result: list[dict[str, Any]] = json.loads(resp.read())["data"]["result"]
                return result
        except OSError:
            return []

    def scalar(promql: str) -> int:
        result = query(promql)
        return int(float(result[0]["value"][1])) if result else 0

    try:
        t0 = time.monotonic()
        judged = 0
        while time.monotonic() - t0 < WAIT_S:
            scraped = scalar("count(up == 1)")
            judged = scalar("count(govnet:redundancy_group_state == 1)")
            if scraped == len(ports) and judged >= groups:
                time.sleep(3 * EVALUATION_S)  # an evaluation after every shard's samples are in
                judged = scalar("count(govnet:redundancy_group_state == 1)")
                break
            time.sleep(2)
        else:
            raise RuntimeError(f"recording rules judged {judged} of {groups} groups within {WAIT_S} s")
        states = {
            r["metric"]["state"]: int(float(r["value"][1]))
            for r in query("count by (state) (govnet:redundancy_group_state == 1)")
        }
        return {
            "groups_judged_by_rules": f"{judged} of {groups}: "
            + ", ".join(f"{n} {s}" for s, n in sorted(states.items())),
            "rules_seconds": round(time.monotonic() - t0),
        }
    finally:
        stop(prometheus)
