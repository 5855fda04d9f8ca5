"""The govnet-kept confirm window of drivers whose platform applies every line at once.

FRR's vtysh and the twin's Linux edge have no confirmed commit of their own: the driver saves a
last-known-good config and a pending-commit record (:mod:`govnet.deploy.lkg`), starts a timer
in this process, and rolls back when it fires before ``confirm_commit``. A dead session is
reopened for the rollback until the window's deadline plus the driver's timeout.
"""

from __future__ import annotations

import threading
import time

from govnet.deploy.driver import ConfigDiff, DeployError, DriverTarget
from govnet.deploy.lkg import DeviceState

RECONNECT_S = 2.0
"""Pause between attempts to reopen a dead session for a rollback."""


class KeptConfirmWindow:
    """Mixin: the timer and reconnect half of a driver's confirm window.

    The driver provides ``open``, ``close``, ``alive`` and ``rollback``; it calls
    ``_start_timer`` at a commit with ``revert_in`` and ``_cancel_timer`` at confirm, rollback
    and close.
    """

    target: DriverTarget
    state: DeviceState
    _timer: threading.Timer | None = None

    def open(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def alive(self) -> bool:
        raise NotImplementedError

    def load_merge_candidate(self, config: str) -> None:
        raise NotImplementedError

    def load_replace_candidate(self, config: str) -> None:
        raise NotImplementedError

    def compare_config(self) -> ConfigDiff:
        raise NotImplementedError

    def discard_config(self) -> None:
        raise NotImplementedError

    def residual(self, config: str, replace: bool) -> ConfigDiff:
        """What the running config still lacks of ``config``: load, compare, discard (the window
        is govnet's own, so a candidate may be loaded while it runs)."""
        if replace:
            self.load_replace_candidate(config)
        else:
            self.load_merge_candidate(config)
        try:
            return self.compare_config()
        finally:
            self.discard_config()

    def rollback(self) -> None:
        raise NotImplementedError

    def has_pending_commit(self) -> bool:
        return self.state.pending() is not None

    def _require_pending(self) -> None:
        """Refuse a confirm with no commit waiting for one."""
        if self.state.pending() is None:
            raise DeployError(f"{self.target.device}: no pending commit to confirm")

    def _required_lkg(self) -> str:
        """The last-known-good config a rollback restores (an error naming where it was looked for)."""
        lkg = self.state.lkg()
        if lkg is None:
            raise DeployError(f"{self.target.device}: no last-known-good config in {self.state.state_dir}")
        return lkg

    _window_end: float | None = None
    """The confirm window's end on the monotonic clock (set by ``_start_timer`` in this process)."""

    def _window_left(self) -> float:
        """Seconds left in the confirm window: the monotonic clock when this process opened it,
        else the record's (clamped to its window length, so a stepped wall clock cannot stretch it)."""
        if self._window_end is not None:
            return max(0.0, self._window_end - time.monotonic())
        pending = self.state.pending()
        return pending.remaining() if pending else 0.0

    def _reconnect(self) -> None:
        """A fresh session when the old one died; retries for the confirm window's length."""
        if self.alive():
            return
        self.close()
        until = time.monotonic() + self._window_left() + self.target.timeout
        while True:
            try:
                self.open()
                return
            except DeployError:
                if time.monotonic() > until:
                    raise
                time.sleep(RECONNECT_S)

    def _start_timer(self, seconds: int) -> None:
        self._cancel_timer()
        self._window_end = time.monotonic() + seconds
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _cancel_timer(self) -> None:
        if self._timer is not None and self._timer is not threading.current_thread():
            self._timer.cancel()
        self._timer = None

    def _before_expiry_rollback(self) -> None:
        """Hook: what the driver drops before the timer thread rolls back (nothing by default)."""

    def _expire(self) -> None:
        """The confirm window closed without a confirm: back to the LKG."""
        self._timer = None
        if self.state.pending() is not None:
            self._before_expiry_rollback()
            self.rollback()
