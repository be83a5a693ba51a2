"""One example: a fresh mock, the user's handler rotated through one plan of disturbances.

The driver plays AWS. It registers a stand-in Lambda that delivers each step to the user's
handler (twice, or with a timeout after it finished, or not at all, as the plan says), sees
every Secrets Manager call the handler makes (through the session's call log), and between two
calls does what the plan asks: read the secret as the application would, write it as another
writer would, call RotateSecret again, or move the clock. Faults on the handler's own calls go
through ``sm.faults``; the driver's own requests never meet them. After every call the handler
makes it checks :func:`~.invariants.current_problem`; at the end, when AWS's retries ran out
it plays the next rotation window undisturbed, and checks the finished rotation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Final

from .. import choices
from ..calls import CallLog, CallRecord
from ..clock import ManualClock
from ..faults import Fault
from ..mock import SecretsManagerMock
from ..model.rotation import ROTATION_SUCCEEDED
from ..model.secret import AWSCURRENT, AWSPENDING
from ..rotation.runner import refuse_awaitable
from .invariants import Accept, completion_problem, current_problem, default_accept, duplicate_problem
from .plan import Disturbance
from .snapshot import Names, State, read_state
from .story import Story, changes

__all__ = ["SECRET_NAME", "Example"]

#: The name of the secret the checker rotates.
SECRET_NAME: Final = "checked/rotated-secret"
_FUNCTION: Final = "checked-rotation-function"
_START: Final = datetime(2024, 1, 1, 12, 0, tzinfo=timezone.utc)
#: The writes a rotation function makes, where a lost response (ReadTimeout) matters.
_WRITES: Final = ("PutSecretValue", "UpdateSecretVersionStage", "UpdateSecret")
#: The access key of the checker's own client (not 12 digits: it acts in the mock's account).
_OWN_KEY: Final = "sm-mock-rotation-checker"
#: What Lambda reports for a function that ran out of time.
_TIMEOUT: Final = "Task timed out after 30.00 seconds"


class LambdaFailure(Exception):
    """A failure of the Lambda service itself, injected by the checker (not the handler's)."""


class _Halted(Exception):
    """Raised instead of delivering a step once an invariant broke: the example is over."""


class _ObservedCalls(CallLog):
    """The session's call log, telling the driver about every request once it was answered."""

    def __init__(self, observer: Callable[[CallRecord], None]) -> None:
        super().__init__()
        self._observer = observer

    def append(self, record: CallRecord) -> None:
        super().append(record)
        self._observer(record)


def _error_code(error: BaseException) -> str | None:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return str(code) if code is not None else None
    return None


def _describe_error(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:600] if text else ''}"


class Example:
    """Runs one plan; :attr:`story` tells what happened, closed at the first broken invariant."""

    def __init__(
        self,
        handler: Callable[[dict[str, Any], Any], Any],
        *,
        value: str | bytes,
        accept: Accept | None,
        setup: Callable[[SecretsManagerMock], Any] | None,
        plan: tuple[Disturbance, ...],
        seed: int,
    ) -> None:
        self._handler = handler
        self._value = value
        self._setup = setup
        self._plan = plan
        self._seed = seed
        self.names = Names(value)
        self.story = Story(self.names)
        self._token_values: list[str | bytes] = []
        self._accept: Accept = accept or default_accept(value, lambda: self._token_values)
        self._calm = False  # the last, undisturbed window: no disturbance applies
        self._disturbed = False  # did anything disturb the current attempt?
        self._written = False  # did another writer store a value (AWS may abandon the rotation)?
        self._deliveries: dict[str, int] = {}  # step → how often AWS delivered it (disturbed phase)
        self._runs: dict[str, int] = {}  # how often each token's rotation was run
        self._step = ""
        self._calls = 0  # the handler's calls in the current delivery (first attempts only)
        self._in_handler = False
        self._acting = False
        self._done: set[int] = set()  # plan entries already carried out
        self._armed: list[tuple[Disturbance, Fault]] = []
        self._state: State | None = None
        #: version name → the version that held AWSCURRENT just before it last took it.
        self._previous_of: dict[str, str | None] = {}
        self._sm: SecretsManagerMock | None = None
        self._client: Any = None
        self._arn = ""

    # ---- the run ----------------------------------------------------------------------------
    def run(self) -> None:
        """Run the plan; the story is closed if an invariant broke."""
        sm = SecretsManagerMock(seed=self._seed, clock=ManualClock(_START))
        with sm:
            self._sm = sm
            sm.rotations.retries = choices.ROTATION_RETRIES
            if self._setup is not None:
                self._setup(sm)
            # The checker's own client: a handler that uses sm.client() keeps its own to itself.
            client = self._client = sm.client(aws_access_key_id=_OWN_KEY, aws_secret_access_key=_OWN_KEY)
            kind = "SecretBinary" if isinstance(self._value, bytes) else "SecretString"
            created = client.create_secret(Name=SECRET_NAME, **{kind: self._value})
            self._arn = created["ARN"]
            self.names.name_version(created["VersionId"], "V0")
            function_arn = f"arn:aws:lambda:{sm.region}:{sm.account_id}:function:{_FUNCTION}"
            sm.register_lambda(function_arn, self._deliver)
            sm.session.calls = _ObservedCalls(self._observe)
            self._state = self._read()
            token = sm.ids.uuid()
            self.names.name_version(token, "T")
            self.story.add(
                f"RotateSecret started the rotation of version T (AWSPENDING, no value yet); V0 holds your "
                "value A (AWSCURRENT). "
                f"AWS runs it up to {1 + choices.ROTATION_RETRIES} times."
            )
            client.rotate_secret(
                SecretId=self._arn,
                ClientRequestToken=token,
                RotationLambdaARN=function_arn,
                RotationRules={"AutomaticallyAfterDays": 30},
            )
            token = self._next_window(client, token)
            if not self.story.closed:
                self._check_finished(token)
            sm.rotations.history  # noqa: B018 - examined here: the stop need not warn

    def _next_window(self, client: Any, token: str) -> str:
        """When AWS's retries ran out (or the rotation was abandoned), the next window rotates
        again undisturbed: with the same token while AWSPENDING marks it (SPEC H17, H18), else
        with a new one. A rotation whose finishSecret did its work but whose last attempt still
        failed (a timeout after it) is done: AWSCURRENT is on its version."""
        if self.story.closed or self._succeeded(token):
            return token
        assert self._sm is not None
        self._calm = True
        self._disarm()
        state = self._read()
        name = self.names.version(token)
        current, pending = state.holder(AWSCURRENT), state.holder(AWSPENDING)
        if current == name:
            return token
        if pending is not None and pending != current and not pending.startswith("T"):
            self.story.close(
                f"AWSPENDING is on {pending}, a version your function stored under an id of its own instead "
                f"of the event's ClientRequestToken ({name}). Pass ClientRequestToken=event['ClientRequestToken'] "
                "to PutSecretValue: AWS names the new version with it and finds the rotation by it.",
                state,
            )
            return token
        if pending is not None and pending != current:
            token = self._version_id(pending)
            self._runs[pending] = 0  # the window's attempts are counted afresh
            self.story.add(
                f"AWS's attempts ran out. At the next rotation window AWS rotated again with the same "
                f"token {pending}, and nothing disturbed it."
            )
        elif not any(version.startswith("W") for version in state.versions):
            self.story.close(
                f"{name} lost its AWSPENDING label before AWSCURRENT moved to it, and nothing else wrote "
                "the secret: AWS can't resume that rotation and starts over with a new version. Leave "
                "AWSPENDING alone; AWS removes it when the rotation succeeds.",
                state,
            )
            return token
        else:
            token = self._sm.ids.uuid()
            name = self.names.name_version(token, "T")
            self.story.add(
                f"The rotation was abandoned. At the next rotation window AWS started a new rotation, "
                f"version {name}, and nothing disturbed it."
            )
        try:
            client.rotate_secret(SecretId=self._arn, ClientRequestToken=token)
        except Exception as error:
            self.story.close(f"RotateSecret at the next window was refused: {_describe_error(error)}", self._read())
            return token
        if not self._succeeded(token) and not self.story.closed:
            failure = [r for r in self._sm.rotations.history if r.version_id == token and r.failed]
            why = f": {failure[-1].step} failed ({failure[-1].message})" if failure else ""
            self.story.close(
                f"an undisturbed rotation did not finish{why}. A rotation function must finish from "
                "whatever state an interrupted run left behind.",
                self._read(),
            )
        return token

    def _version_id(self, name: str) -> str:
        assert self._sm is not None
        secret = self._sm.backend.get(self._arn, account_id=self._sm.account_id, region=self._sm.region)
        return next(vid for vid in secret.versions if self.names.version(vid) == name)

    def _succeeded(self, token: str) -> bool:
        assert self._sm is not None
        return any(r.version_id == token and r.event == ROTATION_SUCCEEDED for r in self._sm.rotations.history)

    def _check_finished(self, token: str) -> None:
        state = self._read()
        token_name = self.names.version(token)
        own = [name for name in state.versions if name.startswith("X") and name != token_name]
        problem = completion_problem(state, token_name, self._previous_of.get(token_name), own)
        if problem is None:
            problem = current_problem(state, self._accept)
        if problem is not None:
            self.story.close(problem, state)

    # ---- the stand-in Lambda ------------------------------------------------------------------
    def _deliver(self, event: dict[str, Any], context: Any) -> Any:
        if self.story.closed:
            raise _Halted("an invariant broke; the example is over")
        step = event["Step"]
        token_name = self.names.name_version(event["ClientRequestToken"], "T")
        self._read()  # what AWS itself changed (the AWSPENDING placeholder) is not the handler's doing
        self._deliveries[step] = self._deliveries.get(step, 0) + 1
        if step == "createSecret":
            self._disturbed = False
            runs = self._runs[token_name] = self._runs.get(token_name, 0) + 1
            if runs > 1:
                self.story.add(f"AWS ran the rotation of {token_name} again (attempt {runs}).")
        self._step = step
        self._calls = 0
        mine = [] if self._calm else self._mine(step)
        kinds = {d.kind for _, d in mine}
        if kinds & {"lost", "duplicate", "timeout"}:
            self._disturbed = True
        try:
            self._between(0)
            self._arm(0)
            if "lost" in kinds:
                self.story.add(f"Lambda failed before {step} ran (injected).")
                raise LambdaFailure(f"Lambda could not run {step} (injected by check_rotation_function)")
            first, once = self._run(event, context)
            if "duplicate" in kinds:
                self._disarm()  # the faults were the first delivery's
                self.story.add(f"Lambda delivered {step} a second time (duplicate delivery).")
                second, twice = self._run(event, context)
                problem = None if self._written else duplicate_problem(step, first, second, once, twice)
                if problem is not None:
                    self.story.close(problem, twice)
            if first is None and "timeout" in kinds:
                self.story.add(f"{step} finished its work, then Lambda timed out.")
                first = TimeoutError(_TIMEOUT)
        finally:
            self._disarm()
        undisturbed = not self._disturbed and (self._calm or not self._written)
        if first is None and step == "finishSecret" and undisturbed:
            current = self._read().holder(AWSCURRENT)
            if current != token_name:
                self.story.close(
                    f"finishSecret returned in an attempt that nothing disturbed, but AWSCURRENT is on {current}, "
                    f"not on the rotation's version {token_name}. finishSecret must move it: "
                    f"UpdateSecretVersionStage(VersionStage='AWSCURRENT', MoveToVersionId=<the event's "
                    "ClientRequestToken>, RemoveFromVersionId=<the version that has AWSCURRENT>).",
                    self._state,
                )
        if first is not None:
            self.story.add(f"{step} raised {_describe_error(first)}")
            if undisturbed:
                self.story.close(
                    f"{step} failed in an attempt that nothing disturbed. A rotation function must finish "
                    "from whatever state an earlier, interrupted run left behind.",
                    self._read(),
                )
            raise first
        return None

    def _mine(self, step: str) -> list[tuple[int, Disturbance]]:
        delivery = self._deliveries.get(step, 0)
        return [(i, d) for i, d in enumerate(self._plan) if d.delivery == delivery and d.step == step]

    def _run(self, event: dict[str, Any], context: Any) -> tuple[BaseException | None, State]:
        self._calls = 0
        self._in_handler = True
        error: BaseException | None = None
        try:
            refuse_awaitable(self._handler(event, context))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # the handler's failure is AWS's to see (the runner records it)
            error = exc
        finally:
            self._in_handler = False
        return error, self._read()

    # ---- every call the handler makes -------------------------------------------------------------
    def _observe(self, record: CallRecord) -> None:
        if self._acting or not self._in_handler or self.story.closed:
            return
        # Called where sm_mock logs a request (inside the handler's own call): nothing may escape.
        try:
            self._after_call(record)
        except Exception as error:
            self.story.close(f"the checker could not go on after this call: {_describe_error(error)}", self._state)

    def _after_call(self, record: CallRecord) -> None:
        before = self._state
        state = self._read()
        if record.attempt == 1:
            self._calls += 1
        moved = changes(before, state) if before is not None else []
        if record.error_code is not None or moved:
            line = self.story.call(self._step, record.operation, record.params)
            if record.error_code is not None:
                line += f" and got {record.error_code}{' (injected)' if record.injected else ''}"
            if moved:
                line += ": " + "; ".join(moved)
            self.story.add(line)
        problem = current_problem(state, self._accept)
        if problem is not None:
            self.story.close(problem, state)
            return
        if record.attempt == 1:
            self._between(self._calls)
            self._arm(self._calls)

    def _read(self) -> State:
        assert self._sm is not None
        state = read_state(self._sm, self._arn, self.names)
        for name, value in state.values.items():
            if name.startswith("T") and value is not None and value not in self._token_values:
                self._token_values.append(value)
        if self._state is not None:
            was, now = self._state.holder(AWSCURRENT), state.holder(AWSCURRENT)
            if now is not None and now != was:
                self._previous_of[now] = was
        self._state = state
        return state

    # ---- faults on the handler's calls ----------------------------------------------------------
    def _arm(self, calls: int) -> None:
        """Arm the faults aimed at the handler's next call (or, for ReadTimeout, its writes)."""
        if self._calm:
            return
        assert self._sm is not None
        for index, disturbance in self._mine(self._step):
            if disturbance.kind != "fault" or index in self._done:
                continue
            if disturbance.on_write:
                if calls != 0:
                    continue
                operations: Any = _WRITES
                after = disturbance.call - 1
            elif disturbance.call == calls + 1:
                operations, after = "*", 0
            else:
                continue
            self._done.add(index)
            fault = self._sm.faults.add(
                operations,
                disturbance.error,
                times=None if disturbance.outage else 1,
                after=after,
            )
            self._armed.append((disturbance, fault))

    def _disarm(self) -> None:
        assert self._sm is not None
        for _, fault in self._armed:
            if fault.fired:
                self._disturbed = True
            self._sm.faults.remove(fault)
        self._armed.clear()

    @contextmanager
    def _own_requests(self) -> Iterator[None]:
        """The checker's own requests: never seen as the handler's, never faulted."""
        assert self._sm is not None
        sm = self._sm
        self._acting = True
        armed, self._armed = self._armed, []
        for _, fault in armed:
            sm.faults.remove(fault)
            if fault.fired:
                self._disturbed = True
        try:
            yield
        finally:
            for disturbance, fault in armed:
                if fault.exhausted:
                    continue
                renewed = sm.faults.add(
                    _WRITES if disturbance.on_write else "*",
                    disturbance.error,
                    times=None if disturbance.outage else 1,
                    after=max(0, fault.after - fault.matched),
                )
                self._armed.append((disturbance, renewed))
            self._acting = False

    # ---- between two of the handler's calls -----------------------------------------------------
    def _between(self, calls: int) -> None:
        if self._calm:
            return
        for index, disturbance in self._mine(self._step):
            if disturbance.kind in ("read", "write", "rotate", "clock") and disturbance.call == calls:
                if index in self._done or self.story.closed:
                    continue
                self._done.add(index)
                if disturbance.kind != "read":
                    self._disturbed = True
                action = {"read": self._read_value, "write": self._write, "rotate": self._rotate}.get(
                    disturbance.kind, self._clock
                )
                with self._own_requests():
                    action(disturbance, calls)

    def _where(self, calls: int) -> str:
        return f"Before {self._step} made a call" if calls == 0 else f"After {self._step}'s call {calls}"

    def _read_value(self, disturbance: Disturbance, calls: int) -> None:
        assert self._sm is not None
        try:
            answer = self._client.get_secret_value(SecretId=self._arn)
        except Exception as error:
            self.story.close(
                f"the application's GetSecretValue ({self._where(calls).lower()}) failed: {_describe_error(error)}",
                self._read(),
            )
            return
        value = answer.get("SecretString", answer.get("SecretBinary"))
        name = self.names.value(value)
        self.story.add(f"{self._where(calls)}, the application read the secret: value {name}.")
        try:
            works = self._accept(value)
        except Exception as error:
            self.story.close(f"accept() raised {_describe_error(error)} on value {name}.", self._read())
            return
        if not works:
            self.story.close(
                f"the application read value {name} as AWSCURRENT, and accept() refused it: the application "
                "would be locked out.",
                self._read(),
            )

    def _write(self, disturbance: Disturbance, calls: int) -> None:
        assert self._sm is not None
        before = self._read()
        value = before.current_value
        self._written = True
        kind = "SecretBinary" if isinstance(value, bytes) else "SecretString"
        answer = self._client.put_secret_value(SecretId=self._arn, **{kind: value})
        name = self.names.name_version(answer["VersionId"], "W")
        after = self._read()
        moved = "; ".join(changes(before, after))
        self.story.add(
            f"{self._where(calls)}, another writer stored the current value again as "
            f"version {name} (PutSecretValue): {moved}."
        )

    def _rotate(self, disturbance: Disturbance, calls: int) -> None:
        assert self._sm is not None
        try:
            self._client.rotate_secret(SecretId=self._arn)
        except Exception as error:
            outcome = f"AWS refused it ({_error_code(error) or type(error).__name__})"
        else:
            outcome = "AWS accepted it"
        self.story.add(f"{self._where(calls)}, someone called RotateSecret again: {outcome}.")

    def _clock(self, disturbance: Disturbance, calls: int) -> None:
        assert self._sm is not None
        clock = self._sm.clock
        assert isinstance(clock, ManualClock)
        clock.advance(minutes=disturbance.minutes)
        hours, minutes = divmod(disturbance.minutes, 60)
        span = f"{hours} h" if hours else f"{minutes} min"
        self.story.add(f"{self._where(calls)}, the clock moved {span}.")
