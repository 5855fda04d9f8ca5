"""``govnet backup``: every device's running config into a git repository, secrets masked.

One file per device (``<device>.cfg``, the config as the device printed it, read by its
platform's reader of printed configs: prompts, paging and chatter gone, every config line as
printed; :func:`govnet.platforms.printed.printed_config`), one commit per run that changed
anything (the git CLI). The public Nornir task ``backup_config`` reads a device the same way
(:func:`device_backup`). Secrets are masked Oxidized-style (:mod:`govnet.deploy.mask`)
and any known secret value is redacted as a second guard. Where a masked line held a value of
the credentials store, ``secret-refs/<device>.json`` records that line with ``${secret:NAME}``
references (names, never values), so ``govnet restore`` can resolve it again.

Faults are loud and lose nothing: an unreachable device is one line (address, port, reason) and
keeps its last backup; a locked, read-only or full repository stops the run with one error and
leaves the previous files, index and commits as they were (new files are written beside the old
ones first, committed through a private index, and swapped back if git fails).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nornir.core.task import Result, Task

from govnet.credentials import SECRET_REF_RE
from govnet.deploy.connection import CONNECTION, driver_of, prepare_hosts
from govnet.deploy.driver import DeployError
from govnet.deploy.lkg import default_state_dir, target_state_dir
from govnet.deploy.mask import mask_config
from govnet.deploy.nornir_setup import DeployTarget, build_nornir
from govnet.deploy.secrets import SecretValues
from govnet.inventory.schema import NetworkFile
from govnet.inventory.sourcefiles import parse
from govnet.model import Network
from govnet.platforms import get_platform
from govnet.platforms.printed import CLOSERS, printed_config

AUTHOR = "govnet backup <govnet@localhost>"
REFS_DIR = "secret-refs"
REPO_OPTION = "--repo"
REPO_KEY = "backup_repo"
SEPARATORS = CLOSERS | {"!", "#"}
"""Separators and lines that only close a block (the reader's closers): they repeat by design
and are never duplicates."""
_PROTECTED_RE = re.compile(r"<secret:(?P<name>[A-Z][A-Z0-9_]*)>")


class BackupError(DeployError):
    """The backup repository cannot take this run (locked, read-only, full): nothing was changed."""


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A line a device printed more than once in the same block (``context``; '' at top level)."""

    line: str
    count: int
    context: str = ""

    def describe(self) -> str:
        where = f" in '{self.context}'" if self.context else ""
        return f"'{self.line.strip()}' printed {self.count} times{where}"


@dataclass(frozen=True, slots=True)
class DeviceBackup:
    """One device's backup: the masked text and its secret-reference lines (line number -> line)."""

    text: str
    refs: dict[int, str] = field(default_factory=dict)

    def files(self, device: str) -> dict[str, str | None]:
        """Repository path -> content (None: the file must not exist)."""
        refs = json.dumps({"device": device, "lines": {str(n): v for n, v in sorted(self.refs.items())}},
                          indent=1, ensure_ascii=False) + "\n" if self.refs else None
        return {f"{device}.cfg": self.text, f"{REFS_DIR}/{device}.json": refs}


@dataclass(slots=True)
class BackupReport:
    repo: Path
    commit: str | None = None
    previous: str | None = None
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    """Device -> ``address:port: reason`` (it was not reached; its last backup stays)."""
    duplicates: dict[str, list[Duplicate]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The report as ``-f json`` prints it (unreachable devices with address and reason)."""
        return {
            "repo": str(self.repo), "commit": self.commit, "previous": self.previous,
            "changed": self.changed, "unchanged": self.unchanged,
            "unreachable": {name: dict(zip(("address", "reason"), why.split(": ", 1), strict=False))
                            for name, why in sorted(self.failed.items())},
            "duplicates": {name: [asdict(d) for d in dups] for name, dups in sorted(self.duplicates.items())},
        }


# -- where the backups live ------------------------------------------------------------------

def backup_repository(given: Path | None, network: Network) -> Path:
    """``--repo`` if given, else the inventory's ``backup_repo`` (relative to the inventory
    directory); neither is an error naming both (never a silent default)."""
    if given is not None:
        return given
    inventory = Path(network.source_dir)
    path = next((p for p in (inventory / "network.yaml", inventory / "network.yml") if p.is_file()), None)
    setting = parse(path, NetworkFile)[0].backup_repo if path is not None else None
    if not setting:
        raise DeployError(
            f"no backup repository: give {REPO_OPTION} DIR or set {REPO_KEY} in "
            f"{path or inventory / 'network.yaml'}"
        )
    repo = Path(setting)
    return repo if repo.is_absolute() else inventory / repo


# -- what the device printed ------------------------------------------------------------------

def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def duplicate_lines(text: str) -> list[Duplicate]:
    """Lines printed more than once in the same block (block headers and separators excluded).

    >>> duplicate_lines("service password-encryption\\nservice password-encryption\\n!\\n")
    [Duplicate(line='service password-encryption', count=2, context='')]
    >>> duplicate_lines("router bgp 1\\n address-family ipv4\\n  neighbor a activate\\n"
    ...                 " exit-address-family\\n address-family vpnv4\\n  neighbor a activate\\n")
    []
    """
    lines = [line.rstrip() for line in text.split("\n")]
    counts: Counter[tuple[tuple[str, ...], str]] = Counter()
    stack: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        if not line.strip() or line.strip() in SEPARATORS:
            if line[:1] in ("!", "#"):  # a separator at column 0 closes every block (VRP's '#')
                stack.clear()
            continue
        indent = _indent(line)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        following = next((n for n in lines[i + 1 :] if n.strip() and n.strip() not in SEPARATORS), "")
        if following and _indent(following) > indent:
            stack.append((indent, line.strip()))
            continue
        counts[(tuple(h for _i, h in stack), line)] += 1
    return [Duplicate(line, n, " / ".join(ctx)) for (ctx, line), n in counts.items() if n > 1]


def _protect(line: str) -> str:
    return SECRET_REF_RE.sub(lambda m: f"<secret:{m['name']}>", line)


def _unprotect(line: str) -> str:
    return _PROTECTED_RE.sub(lambda m: f"${{secret:{m['name']}}}", line)


def masked_backup(running: str, secrets: SecretValues) -> DeviceBackup:
    """The running config masked for the repository, and the reference form of each masked line
    that held a known secret (``${secret:NAME}`` where the value was; other secrets stay hidden).

    >>> b = masked_backup("router bgp 1\\n neighbor a password s3cr3t-v4lue\\n",
    ...                   SecretValues({"GOVNET_BGP_PASSWORD": "s3cr3t-v4lue"}))
    >>> b.text.splitlines()[1], b.refs
    (' neighbor a password <secret hidden>', {2: ' neighbor a password ${secret:GOVNET_BGP_PASSWORD}'})
    """
    masked, refs = [], {}
    for number, line in enumerate(running.split("\n"), start=1):
        shown = secrets.redact(mask_config(line))
        masked.append(shown)
        if shown != line:
            reference = _unprotect(mask_config(_protect(secrets.unresolve(line))))
            if SECRET_REF_RE.search(reference):
                refs[number] = reference
    return DeviceBackup("\n".join(masked), refs)


# -- reading the devices ----------------------------------------------------------------------

def _address(task: Task) -> str:
    return f"{task.host.hostname}:{task.host.port or 22}"


def _one_line(exc: BaseException, device: str) -> str:
    text = " ".join(str(exc).split()).removeprefix(f"{device}: ")
    if not isinstance(exc, DeployError):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text[:300]


def device_backup(task: Task, secrets: SecretValues | None = None) -> DeviceBackup:
    """The device's running config as a backup keeps it: read by its platform's reader
    (:func:`~govnet.platforms.printed.printed_config`), then masked; ``secrets`` (default: the
    host's connection secrets) are redacted as the second guard and recorded as references."""
    host = task.host
    if secrets is None:
        extras = host.connection_options[CONNECTION].extras if CONNECTION in host.connection_options else None
        found = (extras or {}).get("secrets")
        secrets = found if isinstance(found, SecretValues) else SecretValues()
    running = driver_of(host, task.nornir.config).get_config()
    style = get_platform(str(host.data.get("govnet_platform", host.platform))).print_style
    return masked_backup(printed_config(running, style), secrets)


def _fetch(task: Task, secrets: SecretValues) -> Result:
    """The masked backup, or a failed Result whose ``result`` is one line (no traceback logged)."""
    try:
        backup = device_backup(task, secrets)
    except Exception as exc:  # any way a device cannot be read: one line, the run goes on
        return Result(host=task.host, result=f"{_address(task)}: {_one_line(exc, task.host.name)}",
                      failed=True)
    return Result(host=task.host, result=backup)


def fetch_backups(
    network: Network, names: list[str], target: DeployTarget, *, workers: int = 8,
) -> tuple[dict[str, DeviceBackup], dict[str, str]]:
    """({device: backup}, {device: ``address:port: reason``}) for the reachable and the rest."""
    nr = build_nornir(network, target, workers=workers)
    secrets = SecretValues.from_credentials(target.credentials())
    state = target_state_dir(default_state_dir(), network.settings.name, target.lab)  # nothing written
    prepare_hosts(nr, state_dir=state, secrets=secrets, run_id="backup", lab=target.lab)
    chosen = {n for n in names if n in nr.inventory.hosts}
    try:
        results = nr.filter(filter_func=lambda h: h.name in chosen).run(task=_fetch, secrets=secrets)
    finally:
        nr.close_connections(on_failed=True)
    fetched, failed = {}, {}
    for name in sorted(chosen):
        value = results[name][0].result
        if results[name].failed or not isinstance(value, DeviceBackup):
            failed[name] = str(value)
        else:
            fetched[name] = value
    return fetched, failed


# -- the repository -----------------------------------------------------------------------------

def _git_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    worst = next((line for line in lines if line.startswith(("fatal:", "error:"))), lines[0] if lines else "")
    return worst.removeprefix("fatal: ").removeprefix("error: ").rstrip(".")[:300]


def _git(repo: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, encoding="utf-8", check=False,
                          env={**os.environ, **env} if env else None)
    if proc.returncode != 0:
        verb = next(a for i, a in enumerate(args) if a[0] != "-" and (i == 0 or args[i - 1] != "-c"))
        raise BackupError(f"backup repository {repo}: git {verb} failed: {_git_error(proc.stderr)}")
    return proc.stdout


def head(repo: Path) -> str | None:
    """The repository's last commit, None before the first backup."""
    proc = subprocess.run(["git", "-C", str(repo), "rev-parse", "--verify", "-q", "HEAD"],
                          capture_output=True, encoding="utf-8", check=False)
    return proc.stdout.strip() or None


def ensure_repo(repo: Path) -> None:
    """Create the backup repository (``git init``) if it is not one yet; refuse one that is locked
    or cannot be written (before any device is read)."""
    try:
        repo.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"backup repository {repo}: cannot create it: {exc.strerror}") from None
    if not (repo / ".git").exists():
        _git(repo, "init", "-q")
    lock = repo / ".git" / "index.lock"
    if lock.exists():
        raise BackupError(
            f"backup repository {repo} is locked: {lock} exists (a git command is running there, or "
            "one crashed: remove the file once no git runs); nothing written"
        )
    for folder in (repo, repo / ".git"):
        probe = folder / f".govnet-probe-{os.getpid()}"
        try:
            probe.touch()
            probe.unlink()
        except OSError as exc:
            raise BackupError(f"backup repository {repo}: cannot write in {folder}: {exc.strerror}; "
                              "nothing written") from None


def _changes(repo: Path, files: Mapping[str, str | None]) -> dict[str, str | None]:
    changes: dict[str, str | None] = {}
    for rel, text in files.items():
        path = repo / rel
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        if old != text:
            changes[rel] = text
    return changes


def _kept(where: str, repo: Path) -> str:
    previous = (head(repo) or "none")[:12]
    return f"{where}; nothing committed, the previous backup ({previous}) is intact"


class _Swap:
    """New files written beside the old ones, then swapped in; :meth:`undo` puts the old back."""

    def __init__(self, repo: Path, changes: Mapping[str, str | None]) -> None:
        self.repo = repo
        self.changes = changes
        self.tag = f".govnet-{os.getpid()}"
        self.done: list[str] = []

    def _path(self, rel: str, kind: str) -> Path:
        path = self.repo / rel
        return path.with_name(f"{path.name}{self.tag}.{kind}")

    def write(self) -> None:
        try:
            for rel, text in self.changes.items():
                if text is None:
                    continue
                new = self._path(rel, "new")
                new.parent.mkdir(exist_ok=True)
                with open(new, "w", encoding="utf-8") as fh:
                    fh.write(text)
                    fh.flush()
                    os.fsync(fh.fileno())
        except OSError as exc:
            self.clean()
            raise BackupError(f"backup repository {self.repo}: cannot write {rel}: "
                              + _kept(exc.strerror or str(exc), self.repo)) from None

    def swap(self) -> None:
        for rel, text in self.changes.items():
            path = self.repo / rel
            if path.exists():
                os.replace(path, self._path(rel, "old"))
            self.done.append(rel)
            if text is not None:
                os.replace(self._path(rel, "new"), path)

    def undo(self) -> None:
        for rel in reversed(self.done):
            path, old = self.repo / rel, self._path(rel, "old")
            if old.exists():
                os.replace(old, path)
            else:
                path.unlink(missing_ok=True)
        self.done.clear()
        self.clean()

    def clean(self) -> None:
        for rel in self.changes:
            for kind in ("new", "old"):
                with contextlib.suppress(FileNotFoundError, NotADirectoryError):  # never written
                    self._path(rel, kind).unlink()


def commit_files(repo: Path, files: Mapping[str, str | None], message: str) -> tuple[list[str], str | None]:
    """Write ``files`` (path -> text, None: remove) and commit what changed as one commit.

    Returns (changed paths, commit id or None). On any failure the repository keeps its previous
    files, index and commits and a :class:`BackupError` says what failed."""
    changes = _changes(repo, files)
    if not changes:
        return [], None
    swap = _Swap(repo, changes)
    swap.write()
    index = repo / ".git" / f"index{swap.tag}"
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        swap.swap()
        if (repo / ".git" / "index").exists():
            shutil.copyfile(repo / ".git" / "index", index)
        _git(repo, "add", "--all", "--", *changes, env=env)
        _git(repo, "-c", "user.name=govnet backup", "-c", "user.email=govnet@localhost",
             "commit", "-q", "--no-verify", "--author", AUTHOR, "-m", message, env=env)
        os.replace(index, repo / ".git" / "index")
    except (BackupError, OSError) as exc:
        swap.undo()
        index.unlink(missing_ok=True)
        reason = str(exc) if isinstance(exc, BackupError) else f"backup repository {repo}: {exc.strerror}"
        raise BackupError(_kept(reason, repo)) from None
    swap.clean()
    return sorted(changes), head(repo)


def backup(
    network: Network, names: list[str], repo: Path, target: DeployTarget, *, workers: int = 8,
) -> BackupReport:
    """Fetch, mask and commit; returns what changed and the commit id (None: nothing changed)."""
    ensure_repo(repo)
    report = BackupReport(repo, previous=head(repo))
    fetched, report.failed = fetch_backups(network, names, target, workers=workers)
    files: dict[str, str | None] = {}
    for name, device in fetched.items():
        found = duplicate_lines(device.text)
        if found:
            report.duplicates[name] = found
        mine = device.files(name)
        (report.changed if _changes(repo, mine) else report.unchanged).append(name)
        files.update(mine)
    stamp = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
    message = f"backup {stamp}: {len(report.changed)} device(s) changed\n\n" + "\n".join(report.changed)
    _paths, report.commit = commit_files(repo, files, message)
    record_reads(repo, sorted(fetched), time.time())
    return report


LAST_READ = Path(".govnet") / "last-read.json"
"""Device -> when its running config was last read and stored (every run, changed or not): what
the backup-age metric reads, since a run commits only what changed. Kept out of git."""


def record_reads(repo: Path, devices: list[str], when: float) -> None:
    """Note that ``devices`` were backed up at ``when`` (``LAST_READ``, excluded from git)."""
    path = repo / LAST_READ
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError):
        data = {}
    data.update({name: round(when, 3) for name in devices})
    try:
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)
        exclude = repo / ".git" / "info" / "exclude"
        lines = exclude.read_text(encoding="utf-8").splitlines() if exclude.is_file() else []
        if "/.govnet/" not in lines:
            exclude.parent.mkdir(parents=True, exist_ok=True)
            exclude.write_text("\n".join([*lines, "/.govnet/"]) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BackupError(f"backup repository {repo}: cannot record the read times in {path}: "
                          f"{exc.strerror} (the backup itself is committed)") from None
