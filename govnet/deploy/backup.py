"""``govnet backup``: every device's running config into a git repository, secrets masked.

One file per device (``<device>.cfg``), one commit per run that changed anything (the git CLI),
secrets masked Oxidized-style (:mod:`govnet.deploy.mask`) and any known secret value redacted
as a second guard. Devices that cannot be reached are reported and keep their last backup.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from nornir.core.task import Result, Task

from govnet.deploy.connection import driver_of, prepare_hosts
from govnet.deploy.driver import DeployError
from govnet.deploy.frr_reload import strip_header
from govnet.deploy.lkg import default_state_dir
from govnet.deploy.mask import mask_config
from govnet.deploy.nornir_setup import DeployTarget, build_nornir
from govnet.deploy.secrets import SecretValues
from govnet.model import Network

AUTHOR = "govnet backup <govnet@localhost>"


@dataclass(slots=True)
class BackupReport:
    repo: Path
    commit: str | None = None
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def _git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise DeployError(f"git {' '.join(args[:2])} in {repo} failed: {proc.stderr.strip()[:300]}")
    return proc.stdout


def ensure_repo(repo: Path) -> None:
    """Create the backup repository (``git init``) if it is not one yet."""
    repo.mkdir(parents=True, exist_ok=True)
    if not (repo / ".git").exists():
        _git(repo, "init", "-q")


def _fetch(task: Task, secrets: SecretValues) -> Result:
    text = strip_header(driver_of(task.host, task.nornir.config).get_config()).lstrip("\n")
    return Result(host=task.host, result=secrets.redact(mask_config(text)))


def backup(
    network: Network, names: list[str], repo: Path, target: DeployTarget, *, workers: int = 8,
) -> BackupReport:
    """Fetch, mask and commit; returns what changed and the commit id (None: nothing changed)."""
    ensure_repo(repo)
    nr = build_nornir(network, target, workers=workers)
    secrets = SecretValues.from_credentials(target.credentials())
    prepare_hosts(nr, state_dir=default_state_dir(), secrets=secrets, run_id="backup")
    chosen = {n for n in names if n in nr.inventory.hosts}
    try:
        results = nr.filter(filter_func=lambda h: h.name in chosen).run(task=_fetch, secrets=secrets)
    finally:
        nr.close_connections()
    report = BackupReport(repo)
    for name in sorted(chosen):
        res = results[name]
        if res.failed:
            report.failed[name] = str(res[0].exception or res[0].result).splitlines()[-1][:200]
            continue
        path = repo / f"{name}.cfg"
        text = str(res[0].result)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            report.unchanged.append(name)
            continue
        path.write_text(text, encoding="utf-8")
        report.changed.append(name)
    if report.changed:
        _git(repo, "add", "--", *(f"{n}.cfg" for n in report.changed))
        stamp = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
        message = f"backup {stamp}: {len(report.changed)} device(s) changed\n\n" + "\n".join(report.changed)
        _git(repo, "-c", "user.name=govnet backup", "-c", "user.email=govnet@localhost",
             "commit", "-q", "--author", AUTHOR, "-m", message)
        report.commit = _git(repo, "rev-parse", "HEAD").strip()
    return report
