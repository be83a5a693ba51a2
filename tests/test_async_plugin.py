"""sm_mock's pytest plugin in async tests (issue 15): the fixtures and the marker under
pytest-asyncio, in a real pytest run."""

from __future__ import annotations

import textwrap

import pytest
from async_support import HAVE_AIO

if not HAVE_AIO:
    pytest.skip("aiobotocore is not installed (pip install 'sm-mock[async]')", allow_module_level=True)
pytest.importorskip("pytest_asyncio", reason="pytest-asyncio is not installed (pip install 'sm-mock[async]')")


def test_the_fixture_and_the_marker_serve_async_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_user=textwrap.dedent(
            """
            import pytest
            from aiobotocore.session import get_session

            def client():
                return get_session().create_client("secretsmanager", region_name="eu-west-1")

            @pytest.mark.asyncio
            async def test_fixture(sm_mock):
                async with client() as c:
                    await c.create_secret(Name="a", SecretString="v")
                assert [s.name for s in sm_mock.backend.secrets()] == ["a"]

            @pytest.mark.asyncio
            @pytest.mark.sm_mock(region="eu-west-1", seed=5)
            async def test_marker(sm_mock):
                assert sm_mock.seed == 5
                sm_mock.faults.add("GetRandomPassword", "InternalServiceError", times=1)
                async with client() as c:
                    answer = await c.get_random_password()
                assert answer["ResponseMetadata"]["RetryAttempts"] == 1 and len(sm_mock.sleeps) == 1
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", "-q")
    result.assert_outcomes(passed=2)
