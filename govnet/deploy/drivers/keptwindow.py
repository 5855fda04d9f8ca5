"""The govnet-kept confirm window of drivers whose platform applies every line at once.

VRP5 (and the USG/NIP), FRR's vtysh and the twin's Linux edge have no confirmed commit of their
own: the driver saves a last-known-good config and a pending-commit record
(:mod:`govnet.deploy.lkg`), starts the window's timer here, and rolls back when it fires before
``confirm_commit``. A dead session is reopened for the rollback until the window's deadline plus
the driver's timeout. The record outlives the process: the next run or ``govnet deploy
--recover`` finishes what a killed run left.
"""

from __future__ import annotations

import threading
import time
from abc import abstractmethod

from govnet.deploy.driver import DeployError, DeviceDriver, DriverTarget
from govnet.deploy.lkg import LkgStore

RECONNECT_S = 2.0
"""Pause between attempts to reopen a dead session for a rollback."""


class KeptConfirmWindow(DeviceDriver):
    """A :class:`DeviceDriver` whose confirm window govnet keeps: the timer, the record, the
    reconnect.

    The driver sets ``target``, ``state`` and ``_lock`` (an ``RLock`` held by every session
    step), implements :meth:`alive`, calls :meth:`_start_timer` at a commit with ``revert_in``
    and :meth:`_cancel_timer` at confirm, rollback and close. When the window closes without a
    confirm, :meth:`rollback` runs in the timer's thread; :attr:`reverted` is set once it went
    in, :attr:`revert_error` holds why it did not (the pending record stays for ``--recover``).
    """

    target: DriverTarget
    state: LkgStore
    _lock: threading.RLock
    _timer: threading.Timer | None = None
    _window_end: float | None = None
    """The confirm window's end on the monotonic clock (set by ``_start_timer`` in this process)."""
    revert_error: DeployError | None = None
    """Why the rollback at the window's end failed (the device stopped answering)."""

    @property
    def reverted(self) -> threading.Event:
        """Set once the window expired and the rollback went in."""
        event: threading.Event | None = self.__dict__.get("_reverted")
        if event is None:
            event = self.__dict__["_reverted"] = threading.Event()
        return event

    @abstractmethod
    def alive(self) -> bool:
        """The session still answers (False once the device dropped it)."""

    def has_pending_commit(self) -> bool:
        """A commit waits for its confirm: the record says so (this run's, or a killed run's)."""
        return self.state.pending() is not None

    def _require_pending(self) -> None:
        """Refuse a confirm with no commit waiting for one (saying so when the window expired)."""
        if self.revert_error is not None:
            raise DeployError(f"{self.target.device}: the confirm window expired and the rollback failed: "
                              f"{self.revert_error}")
        if self.state.pending() is None:
            if self.reverted.is_set():
                raise DeployError(f"{self.target.device}: confirm window expired; the change was rolled back")
            raise DeployError(f"{self.target.device}: no pending commit to confirm")

    def _required_lkg(self) -> str:
        """The last-known-good config a rollback restores (an error naming where it was looked for)."""
        lkg = self.state.lkg()
        if lkg is None:
            raise DeployError(f"{self.target.device}: no last-known-good config in {self.state.state_dir}")
        return lkg

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
        self.reverted.clear()
        self.revert_error = None
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
        """The confirm window closed without a confirm: back to the config before the commit.
        Runs under the driver's lock, and only if this timer is still the window's (a confirm,
        rollback or close that got the lock first has ended the window)."""
        with self._lock:
            if self._timer is not threading.current_thread():
                return
            self._timer = None
            if self.state.pending() is None:
                return
            self._before_expiry_rollback()
            try:
                self.rollback()
            except DeployError as err:
                self.revert_error = err
                return
            self.reverted.set()
