"""``govnet restore``: a backed-up config back onto its device, through deploy's own path.

The backup is read with ``git show COMMIT:DEVICE.cfg``. Its masked lines get their secrets back
as ``${secret:NAME}`` references, which the driver resolves only inside the SSH session: first
from the backup's own ``secret-refs/DEVICE.json`` (the lines that held a value of the credentials
store when the backup was taken), then from the device's intended config (a line that masks to
the same text, e.g. a password the device printed as its own hash). A masked value that cannot
be resolved is an error naming the device, the line and the secret, and nothing is pushed.
The config then goes through :func:`govnet.deploy.rollout.deploy`: a dry run prints the diff;
with ``commit`` it is pushed with the confirm window, verified, confirmed or rolled back.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from govnet.credentials import SECRET_REF_RE, secret_ref
from govnet.deploy.backup import REFS_DIR
from govnet.deploy.driver import DeployError
from govnet.deploy.mask import HIDDEN, MASK_RULES, mask_config
from govnet.deploy.nornir_setup import DeployTarget
from govnet.deploy.rollout import DeployOptions, Echo, RunReport, deploy
from govnet.deploy.secrets import REDACTED, SecretValues
from govnet.model import Network
from govnet.platforms import get_platform
from govnet.platforms.base import PrintStyle
from govnet.platforms.printed import printed_config

_ENCRYPTION_TYPE_RE = re.compile(rf"(?<= )\d (?={re.escape(HIDDEN)})")


@dataclass(frozen=True, slots=True)
class Backup:
    """One device's config as a backup commit holds it."""

    device: str
    commit: str
    text: str
    refs: dict[int, str] = field(default_factory=dict)
    subject: str = ""


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          encoding="utf-8", check=False)


def read_backup(repo: Path, device: str, commit: str = "HEAD") -> Backup:
    """``git show COMMIT:DEVICE.cfg`` (and its secret references) from the backup repository."""
    if not (repo / ".git").exists():
        raise DeployError(f"{repo}: not a backup repository (no .git; run govnet backup --repo {repo})")
    found = _git(repo, "rev-parse", "--verify", "-q", f"{commit}^{{commit}}")
    if found.returncode != 0:
        raise DeployError(f"{repo}: no commit {commit!r} (see git -C {repo} log --oneline -- {device}.cfg)")
    sha = found.stdout.strip()
    shown = _git(repo, "show", f"{sha}:{device}.cfg")
    if shown.returncode != 0:
        raise DeployError(f"{repo}: commit {sha[:12]} has no backup of {device} ({device}.cfg)")
    refs: dict[int, str] = {}
    recorded = _git(repo, "show", f"{sha}:{REFS_DIR}/{device}.json")
    if recorded.returncode == 0:
        refs = {int(n): line for n, line in json.loads(recorded.stdout)["lines"].items()}
    subject = _git(repo, "log", "-1", "--format=%cI %s", sha).stdout.strip()
    return Backup(device, sha, shown.stdout, refs, subject)


def _masked_key(line: str) -> str:
    """How a line reads once masked (references count as values), without an encryption type
    the device adds when it prints the value (FRR ``password 8 ...``).

    >>> _masked_key(" password ${secret:GOVNET_SSH_PASSWORD}") == _masked_key(" password 8 <secret hidden>")
    True
    """
    return _ENCRYPTION_TYPE_RE.sub("", SECRET_REF_RE.sub(REDACTED, mask_config(line))).strip()


def _kind(line: str) -> str:
    """What a masked value on ``line`` is (the masking rule that hid it)."""
    for name, pattern in MASK_RULES:
        if any(m.group("v").startswith("<secret") for m in pattern.finditer(line)):
            return name
    return "secret value (redacted)" if REDACTED in line else "secret"


def _known(secrets: SecretValues, name: str) -> bool:
    try:
        secrets.resolve(secret_ref(name))
    except DeployError:
        return False
    return True


def _reference(backup: Backup, number: int, line: str, intended: Callable[[], dict[str, str]]) -> str | None:
    """The line ``number`` of the backup with references in place of its masked values, or None."""
    recorded = backup.refs.get(number)
    if recorded is not None and _masked_key(recorded) == _masked_key(line):  # a stray record: ignored
        return recorded
    found = intended().get(_masked_key(line))
    return line[: len(line) - len(line.lstrip())] + found if found else None


def restorable_config(
    backup: Backup, secrets: SecretValues, intended: Callable[[], str | None], style: PrintStyle = "plain"
) -> str:
    """The backup with every masked value turned back into a ``${secret:NAME}`` reference the
    credentials store can resolve; raises one DeployError listing every line that cannot.
    The text is read as the device's platform prints (``style``: a backup taken before backups
    went through the reader may still carry prompts or paging); the drivers read it on from there.

    ``intended`` gives the device's intended config (asked only when a masked line has no
    recorded reference)."""
    cache: dict[str, str] = {}

    def by_mask() -> dict[str, str]:
        if not cache:
            cache.update({_masked_key(i): i.strip() for i in (intended() or "").split("\n")
                          if SECRET_REF_RE.search(i)} or {"": ""})
        return cache

    out: list[str] = []
    errors: list[str] = []
    where = f"{backup.device}: backup {backup.commit[:12]} line"
    for number, line in enumerate(backup.text.split("\n"), start=1):
        reference = line
        if HIDDEN in line or REDACTED in line:
            reference = _reference(backup, number, line, by_mask) or line
        if HIDDEN in reference or REDACTED in reference:
            errors.append(f"{where} {number}: '{line.strip()}': the masked {_kind(line)} cannot be "
                          "resolved (no ${secret:NAME} recorded, no such line in the intended config)")
        errors += [f"{where} {number}: '{line.strip()}': secret {m['name']} has no value in the credentials "
                   f"store (set {m['name']} in the environment or the secrets file)"
                   for m in SECRET_REF_RE.finditer(reference) if not _known(secrets, m["name"])]
        out.append(reference)
    if errors:
        raise DeployError("\n".join([*errors, f"{backup.device}: nothing pushed"]))
    return printed_config("\n".join(out), style)


def restore(
    network: Network,
    backup: Backup,
    target: DeployTarget,
    options: DeployOptions,
    *,
    intended: Callable[[], str | None] = lambda: None,
    echo: Echo = print,
) -> RunReport:
    """Diff (dry run) or push (``options.commit``) ``backup`` onto its device through
    :func:`govnet.deploy.rollout.deploy`: confirm window, verify, confirm or roll back."""
    secrets = SecretValues.from_credentials(target.credentials())
    device = network.devices.get(backup.device)
    style = get_platform(device.platform).print_style if device is not None else "plain"
    config = restorable_config(backup, secrets, intended, style)
    options = replace(options, management_gate=False)  # the device's own config, not a render
    return deploy(network, {backup.device: config}, target, options, echo=echo)
