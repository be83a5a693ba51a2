"""Rotation schedules that fire as the clock moves: lazily, with no background thread.

Each rotation-enabled secret has one entry in a min-heap keyed by the start of its next window
(SPEC H7, H23), and :meth:`Scheduler.run_due`, called once at the start of every request, pops
what is due and rotates it: O(1) when nothing is due (docs/design.md: lifecycle is lazy).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from ..errors import AwsError
from ..ids import IdSource
from ..limits import Limits
from ..model import labels
from ..model.backend import Backend
from ..model.rotation import ROTATION_FAILED, pending_rotation
from ..model.secret import AWSPENDING, Secret, SecretVersion
from .records import History, LambdaHandler, RotationRecord
from .runner import Runner

__all__ = ["Replicating", "Scheduler"]

logger = logging.getLogger("sm_mock")


class Replicating(Protocol):
    """What the scheduler asks of the model after a scheduled rotation
    (:meth:`sm_mock.model.service.SecretsService.sync_replicas`)."""

    def sync_replicas(self, secret: Secret) -> None:
        """Bring the secret's replicas up to date (no lock held by the caller)."""


class Scheduler:
    """The due-heap of one session's rotation-enabled secrets."""

    def __init__(
        self,
        history: History,
        *,
        backend: Backend,
        lambdas: Mapping[str, LambdaHandler],
        ids: IdSource,
        limits: Limits,
        runner: Runner,
    ) -> None:
        self._history = history
        self._backend = backend
        self._lambdas = lambdas
        self._ids = ids
        self._limits = limits
        self._runner = runner
        #: Where a scheduled rotation's end result is copied to the replicas (set by the owner;
        #: an object, not a callback, as Runner.scheduler).
        self.replication: Replicating | None = None
        self._lock = threading.Lock()
        #: (window start, tie-breaker, secret, generation): the next due rotation first.
        self._heap: list[tuple[datetime, int, Secret, int]] = []
        self._seq = itertools.count()

    def reschedule(self, secret: Secret) -> None:
        """Replace the secret's heap entry (store lock held; lock order store → scheduler)."""
        rotation = secret.rotation
        assert rotation is not None
        rotation.generation += 1
        if rotation.running is not None:
            return  # rescheduled when the running rotation finishes
        due = rotation.due_at()
        if due is None:
            return
        with self._lock:
            heapq.heappush(self._heap, (due, next(self._seq), secret, rotation.generation))

    def next_due(self) -> datetime | None:
        """The earliest window start on the heap (it may belong to a stale entry)."""
        with self._lock:
            return self._heap[0][0] if self._heap else None

    def run_due(self, now: datetime) -> None:
        """Rotate every secret whose next window has started (called once per request).

        O(1) when nothing is due. Missed windows collapse into one rotation now: the clock
        jumped past them, and the service would have rotated in the last one at the latest.
        """
        heap = self._heap
        if not heap or heap[0][0] > now:
            return
        runner = self._runner
        if runner.in_user_code:
            return  # inside a rotation function: the outer request picks it up
        due: list[tuple[datetime, int, Secret, int]] = []
        with self._lock:
            while self._heap and self._heap[0][0] <= now:
                due.append(heapq.heappop(self._heap))
        for _start, _seq, secret, generation in due:
            try:
                self._fire(runner, secret, generation, now)
            except Exception:  # a bug in sm_mock must not fail the unrelated request
                logger.exception("sm_mock: scheduled rotation of %s failed internally", secret.arn)

    def _fire(self, runner: Runner, secret: Secret, generation: int, now: datetime) -> None:
        store = self._backend.store(secret.account_id, secret.region)
        with store.lock:
            rotation = secret.rotation
            if rotation is None or rotation.generation != generation or not rotation.enabled:
                return  # stale entry
            if not store.holds(secret):
                return  # purged
            handler = self._lambdas.get(rotation.lambda_arn or "")
            if handler is None or secret.deleted_at is not None or secret.current is None:
                # Nothing the mock can run now (managed secret, deletion scheduled, no value):
                # skip this window and look again at the next one.
                rotation.last_attempt = now
                self.reschedule(secret)
                return
            assert rotation.lambda_arn is not None
            # A rotation left in progress is reattempted with its own token (SPEC H17, H18).
            token = pending_rotation(secret) or self._ids.uuid()
            if token not in secret.versions:
                try:
                    labels.add_version(secret, SecretVersion(token, now, None), [AWSPENDING], now, self._limits)
                except AwsError as exc:
                    self._history.record(
                        RotationRecord(
                            ROTATION_FAILED, secret.arn, token, now, "schedule", error=exc, message=exc.message
                        )
                    )
                    rotation.last_attempt = now
                    self.reschedule(secret)
                    return
                secret.last_changed = now
            secret.touch()
            job = runner.begin(store, secret, token, rotation.lambda_arn, handler, "schedule", now, test=False)
        runner.execute(job)
        if self.replication is not None and secret.replicas:
            # SPEC I7: the rotation's last changes (AWSPENDING cleared, SM-125) happen outside
            # any write of the function, so they reach the replicas here, as RotateSecret's do
            # (issue 18, item 8: the replica kept AWSPENDING while its status said InSync).
            self.replication.sync_replicas(secret)
