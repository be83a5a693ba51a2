"""The timed sections of ``python -m benchmarks``, one function each, taking the run's
:class:`~benchmarks.harness.Settings` and returning a JSON-ready dict (``cli`` prints it and
judges the targets). All go through real boto3 clients; all comparisons are medians of
interleaved rounds (:func:`~benchmarks.harness.interleaved`)."""

from __future__ import annotations

import gc
import importlib
import importlib.util
import random
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from botocore import xform_name
from botocore.stub import Stubber

from sm_mock import SecretsManagerMock, mock_secretsmanager

from .harness import (
    ACCESS_KEY,
    PREFIX,
    SERVICE,
    VALUE,
    VALUE_PAYLOAD,
    Batch,
    Contender,
    Floor,
    Settings,
    Timing,
    bare_client,
    capture,
    compare,
    cycle,
    interleaved,
    log,
    new_session,
    pair,
    secret_names,
    seed,
    staged,
)

PAGE_SIZE, BATCH_SIZE = 100, 20
#: Direct mode and the instruction counts are measured at this population.
SMALL = 100
#: The region of each ``calls`` mock that holds the reference population of the page scale figure.
REF_REGION = "eu-west-1"


@dataclass(frozen=True, slots=True)
class Case:
    """One timed call; ``kind`` is "point" (target: within 5% of the floor) or "page" (10%)."""

    name: str
    operation: str
    kind: str


#: In this order: PutSecretValue last, since its versions change what the pages list.
CASES = (
    Case("GetSecretValue", "GetSecretValue", "point"),
    Case("DescribeSecret", "DescribeSecret", "point"),
    Case("ListSecrets", "ListSecrets", "page"),
    Case("ListSecrets+prefix", "ListSecrets", "page"),
    Case("BatchGetSecretValue", "BatchGetSecretValue", "page"),
    Case("PutSecretValue", "PutSecretValue", "point"),
)
DIRECT_CASES = tuple(
    c for c in CASES if c.name in ("GetSecretValue", "DescribeSecret", "PutSecretValue", "ListSecrets")
)


def arguments(case: Case, names: Sequence[str], population: int) -> list[dict[str, Any]]:
    """The argument sets a case cycles through: point calls and batches spread over the whole
    population; ``ListSecrets`` the first page; ``ListSecrets+prefix`` a ``name`` filter whose
    5-digit prefix selects the 100 secrets of a block in the middle of the population."""
    if case.operation == "PutSecretValue":  # no ClientRequestToken: botocore fills in a uuid4 everywhere
        return [{"SecretId": name, "SecretString": VALUE} for name in names]
    if case.operation == "ListSecrets":
        block = [{"Key": "name", "Values": [f"{PREFIX}{population // PAGE_SIZE // 2:05d}"]}]
        return [{"MaxResults": PAGE_SIZE, **({"Filters": block} if case.name.endswith("prefix") else {})}]
    if case.operation == "BatchGetSecretValue":
        size = min(BATCH_SIZE, len(names))
        return [{"SecretIdList": list(names[i : i + size])} for i in range(0, len(names) - size + 1, size)]
    return [{"SecretId": name} for name in names]


def _shuffled(names: Sequence[str], salt: int) -> list[str]:
    order = list(names)
    random.Random(salt).shuffle(order)
    return order


def _versions(timing: Timing, population: int) -> int:
    """``max_versions``: the default 100, or more if the timed PutSecretValue calls would reach it
    (versions younger than 24 hours are never pruned)."""
    per_secret = (timing.warmup + timing.rounds * timing.calls + 10) // population + 2
    return per_secret + 10 if per_secret > 90 else 100


def _row(case: Case, population: int, **fields: Any) -> dict[str, Any]:
    return {"secrets": population, "case": case.name, "operation": case.operation, "kind": case.kind, **fields}


def calls(s: Settings) -> list[dict[str, Any]]:
    """Section ``calls``: what a call costs through the mock next to what botocore alone costs.

    At each population a seeded mock serves one client ("mock") and a :class:`Floor` client
    replays the mock's own answer ("floor"), timed in interleaved rounds for every case of
    :data:`CASES`: the ratio is sm_mock's whole price, mock − floor its own work. For the
    ListSecrets pages, the mock's share of a page is reported ((mock − floor) / floor, median of
    per-round CPU ratios), with its own work alone ("own": the before-send stage, where sm_mock
    serves; :func:`~benchmarks.harness.staged`) over the floor; and above the smallest
    population, if that fills a page, a third client ("ref") lists the same page in a region of
    the same mock holding the smallest population, so the scale figure (own here / own there)
    compares two sizes within the same rounds.
    """
    out: list[dict[str, Any]] = []
    for population in s.populations:
        log(f"  {population:,} secrets:")
        with mock_secretsmanager(
            max_secrets=max(population, 500_000), max_versions=_versions(s.point, population)
        ) as sm:
            started = time.perf_counter()
            names = seed(sm, population)
            out.append({"secrets": population, "seed_s": round(time.perf_counter() - started, 3)})
            ref = min(s.populations) if population > min(s.populations) >= PAGE_SIZE else 0
            seed(sm, ref, region=REF_REGION)
            gc.collect()
            gc.freeze()  # keep the store out of the collections before every timed batch
            try:
                out[-1]["results"] = [_call(s, sm, case, names, ref) for case in CASES]
            finally:
                gc.unfreeze()
            if sm.calls.errors():
                raise RuntimeError(f"the mock answered calls with errors, e.g. {sm.calls.errors()[0]}")
        gc.collect()
    return out


def _call(s: Settings, sm: SecretsManagerMock, case: Case, names: list[str], ref: int) -> dict[str, Any]:
    """One case of :func:`calls`; ``ref``: the population seeded in :data:`REF_REGION`, or 0."""
    session, population, method = new_session(), len(names), xform_name(case.operation)
    args, client, floor = (
        arguments(case, _shuffled(names, population), population),
        session.client(SERVICE),
        Floor(session),
    )
    answer = floor.answers[case.operation] = capture(client, case.operation, args[0])
    floor.check(sm, case.operation, args[0])
    timing, mock_batch = s.page if case.kind == "page" else s.point, cycle(getattr(client, method), args)
    listing = case.operation == "ListSecrets"
    scaled = listing and ref > 0
    if listing:  # the before-send stage timers cost about 1 µs of a page's milliseconds
        mock_batch, own = staged(client, mock_batch, "own")
    contenders = [Contender("mock", mock_batch), Contender("floor", cycle(getattr(floor.client, method), args))]
    if scaled:
        ref_client = session.client(SERVICE, region_name=REF_REGION)
        ref_batch = cycle(getattr(ref_client, method), arguments(case, secret_names(ref), ref))
        ref_batch, ref_own = staged(ref_client, ref_batch, "ref_own")
        contenders.append(Contender("ref", ref_batch))
    samples = interleaved(contenders, timing)
    mock, floor_s = samples["mock"], samples["floor"]
    row = _row(case, population, response_bytes=len(answer[2]), **compare(mock, floor_s))
    if listing:
        for stage in (own, ref_own) if scaled else (own,):
            del stage.wall[: -timing.rounds], stage.cpu[: -timing.rounds]
            row[stage.name] = stage.to_json()
        row |= {
            "share_cpu": round(pair(mock, floor_s, cpu=True) - 1, 4),
            "share_wall": round(pair(mock, floor_s) - 1, 4),
        }
        row |= {"own_over_floor_cpu": round(pair(own, floor_s, cpu=True), 4)}
    if scaled:
        row |= {"ref": samples["ref"].to_json(), "reference_secrets": ref}
        row |= {"scale_cpu": round(pair(own, ref_own, cpu=True), 4), "scale_wall": round(pair(own, ref_own), 4)}
    log(f"    {case.name:<20} ratio {row['ratio']:.3f} (pair {row['pair_ratio']:.3f}, cpu {row['cpu_ratio']:.3f})")
    return row


def direct(s: Settings) -> dict[str, Any]:
    """Section ``direct``: direct mode (``transport="direct"``) next to botocore's ``Stubber``.

    Direct mode is meant to cost no more than the Stubber it replaces, so it is judged against a
    Stubber as a test uses it: one ``add_response`` (which validates the response) per call,
    then the call ("stubber+add"). Shown too: a Stubber whose responses were queued before the
    timer ("stubber", the call alone), and the HTTP floor (what direct mode skips). The Stubber
    and floor clients carry none of sm_mock's handlers.
    """
    with mock_secretsmanager(transport="direct", max_versions=_versions(s.point, SMALL)) as sm:
        order = _shuffled(seed(sm, SMALL), SMALL + 1)
        results = [_direct_case(s, case, order) for case in DIRECT_CASES]
    return {"secrets": SMALL, "results": results}


def _direct_case(s: Settings, case: Case, order: list[str]) -> dict[str, Any]:
    session, method, args = new_session(), xform_name(case.operation), arguments(case, order, SMALL)
    client, queued, adding, floor = session.client(SERVICE), bare_client(session), bare_client(session), Floor(session)
    response = getattr(client, method)(**args[0])
    response.pop("ResponseMetadata")
    status, headers, body = capture(client, case.operation, args[0])  # direct mode sends no Content-Length
    floor.answers[case.operation] = (status, {**headers, "Content-Length": str(len(body))}, body)
    timing, call, adder = (
        s.page if case.kind == "page" else s.point,
        cycle(getattr(adding, method), args),
        Stubber(adding),
    )

    def with_add(n: int) -> None:
        for _ in range(n):
            adder.add_response(method, response)
            call(1)

    @contextmanager
    def stubbed() -> Iterator[None]:  # a Stubber holding the batch's responses, queued before the timer
        with Stubber(queued) as stubber:
            for _ in range(max(timing.calls, timing.warmup)):
                stubber.add_response(method, response)
            yield

    contenders = [Contender("direct", cycle(getattr(client, method), args)), Contender("stubber+add", with_add)]
    contenders += [Contender("stubber", cycle(getattr(queued, method), args), stubbed)]
    with adder:
        samples = interleaved([*contenders, Contender("floor", cycle(getattr(floor.client, method), args))], timing)
    vs = {name: compare(samples["direct"], samples[name]) for name in ("stubber", "stubber+add", "floor")}
    row = _row(case, SMALL, **{name: sample.to_json() for name, sample in samples.items()})
    row |= {k: vs["stubber"][k] for k in ("ratio", "pair_ratio", "cpu_ratio")}
    row |= {"ratio_with_add_response": vs["stubber+add"]["ratio"], "ratio_to_floor": vs["floor"]["ratio"]}
    log(f"    {case.name:<20} direct / (Stubber add_response + call) {row['ratio_with_add_response']:.3f}")
    return row


def _tests(activate: Callable[[], AbstractContextManager[object]]) -> Batch:
    """``n`` tests as most are written: an activation, ``boto3.client`` (from boto3's default
    session), one CreateSecret and one GetSecretValue."""
    import boto3

    def batch(n: int) -> None:
        for _ in range(n):
            with activate():
                client = boto3.client(SERVICE, region_name="us-east-1")
                client.create_secret(Name="per-test/secret", SecretString=VALUE)
                client.get_secret_value(SecretId="per-test/secret")

    return batch


def _enter_exit(activate: Callable[[], AbstractContextManager[object]]) -> Batch:
    def batch(n: int) -> None:
        for _ in range(n):
            with activate():
                pass

    return batch


def _alone(batch: Batch, timing: Timing) -> dict[str, Any]:
    return interleaved([Contender("it", batch)], timing)["it"].to_json()


def _fixture_tests(n: int) -> None:
    """``n`` tests as the ``sm_client`` fixture runs them: an activation, ``sm.client()`` (one
    client reused across tests), one CreateSecret and one GetSecretValue."""
    for _ in range(n):
        with mock_secretsmanager() as sm:
            client = sm.client()
            client.create_secret(Name="per-test/secret", SecretString=VALUE)
            client.get_secret_value(SecretId="per-test/secret")


def _stubber_tests(n: int) -> None:
    """The same ``n`` tests written with botocore's ``Stubber``: a new client, two
    ``add_response`` calls (each validates the response against the model) and the two calls."""
    import boto3

    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:per-test/secret-AbCdEf"
    version = "0f8c7f0e-4b1a-4a8e-9d6a-2f0b0c1d2e3f"
    created = {"ARN": arn, "Name": "per-test/secret", "VersionId": version}
    value = {"ARN": arn, "Name": "per-test/secret", "VersionId": version, "SecretString": VALUE}
    for _ in range(n):
        client = boto3.client(SERVICE, region_name="us-east-1")
        with Stubber(client) as stubber:
            stubber.add_response("create_secret", created)
            stubber.add_response("get_secret_value", value)
            client.create_secret(Name="per-test/secret", SecretString=VALUE)
            client.get_secret_value(SecretId="per-test/secret")


def per_test(s: Settings) -> dict[str, Any]:
    """Section ``per-test``: what one test pays for the mock. Written as most tests are: a new
    activation, ``boto3.client`` from boto3's default session, one CreateSecret and one
    GetSecretValue (``boto3.client`` alone is shown, since it is most of it). And as the
    ``sm_client`` fixture runs it, with the reused client of ``sm.client()``, side by side with
    the same test written with a ``Stubber``."""
    import boto3

    boto3.setup_default_session()

    def clients(n: int) -> None:
        with mock_secretsmanager():
            for _ in range(n):
                boto3.client(SERVICE, region_name="us-east-1")

    fixture = interleaved([Contender("sm_mock", _fixture_tests), Contender("stubber", _stubber_tests)], s.tests)
    return {
        "per_test": _alone(_tests(mock_secretsmanager), s.tests),
        "client_creation": _alone(clients, s.tests),
        "fixture_test": fixture["sm_mock"].to_json(),
        "stubber_test": fixture["stubber"].to_json(),
        "fixture_vs_stubber": compare(fixture["sm_mock"], fixture["stubber"]),
    }


def activation(s: Settings) -> dict[str, Any]:
    """Section ``activation``: entering and leaving ``mock_secretsmanager()`` with nothing inside,
    what every decorated test pays even when it never calls Secrets Manager."""
    timing = Timing(s.tests.rounds, s.tests.calls * 20, s.tests.warmup * 15)
    return {"activation": _alone(_enter_exit(mock_secretsmanager), timing)}


def _traced(action: Callable[[], object]) -> int:
    """Bytes still allocated after ``action`` (tracemalloc running)."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    action()
    gc.collect()
    return tracemalloc.get_traced_memory()[0] - before


def _then_clear(sm: SecretsManagerMock, method: Callable[..., Any], arguments: list[dict[str, Any]], n: int) -> None:
    cycle(method, arguments)(n)
    sm.calls.clear()  # what the call log took is measured on its own


def memory(s: Settings) -> dict[str, Any]:
    """Section ``memory``: tracemalloc bytes the mock keeps per secret (the store, then the listing
    index the first ListSecrets builds), per extra version and per call-log record, so that large
    fixtures stay affordable. "Beyond its value" subtracts what the value itself takes
    (:data:`~benchmarks.harness.VALUE_PAYLOAD`), which is not overhead."""
    count, other = s.memory_secrets, "210987654321"
    versions = records = max(100, min(count // 10, 1000))  # PutSecretValue and DescribeSecret calls
    with mock_secretsmanager(max_secrets=max(count, 500_000)) as sm:
        # One-time costs first (botocore's models and parsers, the mock's code paths), in the mock's
        # account; then the client's key is mapped to an empty account, which the measurements fill.
        client = new_session().client(SERVICE)
        client.create_secret(Name="warm/0", SecretString=VALUE)
        client.put_secret_value(SecretId="warm/0", SecretString=VALUE)
        client.describe_secret(SecretId="warm/0")
        client.list_secrets(MaxResults=1)
        sm.map_access_key(ACCESS_KEY, other)
        sm.calls.clear()
        tracemalloc.start()
        try:
            names: list[str] = []
            store = _traced(lambda: names.extend(seed(sm, count, account_id=other)))
            index = _traced(lambda: _then_clear(sm, client.list_secrets, [{"MaxResults": PAGE_SIZE}], 1))
            puts = [{"SecretId": name, "SecretString": VALUE} for name in names[:versions]]  # made before: not counted
            version = _traced(lambda: _then_clear(sm, client.put_secret_value, puts, versions))
            log_bytes = _traced(lambda: cycle(client.describe_secret, [{"SecretId": n} for n in names])(records))
        finally:
            tracemalloc.stop()
    return {
        "secrets": count,
        "value_payload_bytes": VALUE_PAYLOAD,
        "store_bytes_per_secret": round(store / count, 1),
        "index_bytes_per_secret": round(index / count, 1),
        "secret_bytes_beyond_value": round((store + index) / count - VALUE_PAYLOAD, 1),
        "version_bytes": round(version / versions, 1),
        "version_bytes_beyond_value": round(version / versions - VALUE_PAYLOAD, 1),
        "call_log_bytes_per_record": round(log_bytes / records, 1),
    }


def moto(s: Settings) -> dict[str, Any]:
    """Section ``moto``: the per-call, per-test, activation and memory figures for moto, the mock
    most projects would otherwise use, when it is installed. Imported here, after every sm_mock
    figure (its import adds a ``before-send`` handler to botocore sessions created later, which
    sm_mock's figures must not pay), and used with sessions created after it. moto is seeded
    through its API, so its populations stop at 10,000 by default; its per-call figures have a
    floor of their own (replaying moto's answers) on a client without moto's handler."""
    if importlib.util.find_spec("moto") is None:
        log("  moto is not installed: skipped")
        return {"available": False}
    module = importlib.import_module("moto")
    out: dict[str, Any] = {"available": True, "version": getattr(module, "__version__", None), "calls": []}
    for population in s.moto_populations:
        session, results, skipped = new_session(), [], {}
        with module.mock_aws():
            client, started = session.client(SERVICE), time.perf_counter()
            for name in secret_names(population):
                client.create_secret(Name=name, SecretString=VALUE)
            log(f"  moto: {population:,} secrets created through its API in {time.perf_counter() - started:.1f} s")
            floor, order = Floor(session), _shuffled(secret_names(population), population)
            for case in CASES:
                args, method = arguments(case, order, population), xform_name(case.operation)
                try:
                    floor.answers[case.operation] = capture(client, case.operation, args[0])
                except Exception as error:  # e.g. an operation or filter moto does not implement
                    skipped[case.name] = f"{type(error).__name__}: {error}"[:200]
                    continue
                contenders = [Contender("moto", cycle(getattr(client, method), args))]
                contenders.append(Contender("floor", cycle(getattr(floor.client, method), args)))
                samples = interleaved(contenders, s.moto_page if case.kind == "page" else s.moto_point)
                results.append(_row(case, population, **compare(samples["moto"], samples["floor"])))
                log(f"    moto {case.name:<20} ratio {results[-1]['ratio']:.3f}")
        out["calls"].append({"secrets": population, "results": results, "skipped": skipped})

    out["per_test"] = _alone(_tests(module.mock_aws), s.moto_tests)
    out["activation"] = _alone(_enter_exit(module.mock_aws), Timing(s.moto_tests.rounds, s.moto_tests.calls * 5, 5))
    with module.mock_aws():
        client, count = new_session().client(SERVICE), s.moto_memory_secrets
        client.create_secret(Name="warm/0", SecretString=VALUE)
        creates = [{"Name": name, "SecretString": VALUE} for name in secret_names(count)]
        tracemalloc.start()
        try:
            used = _traced(lambda: cycle(client.create_secret, creates)(count))
        finally:
            tracemalloc.stop()
    out["memory"] = {"secrets": count, "bytes_per_secret": round(used / count, 1)}
    return out
