"""``hub bench`` and ``hub demo``: a run that cannot go on (a worker exited, the hop phase's
precondition, a phase that timed out) exits 1 with its reason on one line, no traceback."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from hub.bench.hops import HopPhaseError
from hub.cli import app
from hub.demo.workers import WorkerExited
from hub.settings import Settings


@pytest.fixture(autouse=True)
def _no_logging_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands configure logging on the runner's own stderr, which it closes after the
    call: later tests would log into a closed file. Settings alone are enough here."""
    monkeypatch.setattr("hub.cli_support.cli_settings", Settings)


def _raising(error: BaseException) -> Any:
    async def run(*_args: Any, **_kwargs: Any) -> Any:
        raise error

    return run


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (HopPhaseError("3 messages already wait on the ingress shards"), "3 messages already"),
        (WorkerExited("hub worker exited with 1; see /tmp/x"), "hub worker exited with 1"),
        (TimeoutError("12 of 300 receptions relayed in 20 s"), "12 of 300 receptions"),
        (TimeoutError(), "TimeoutError"),
    ],
)
def test_bench_reports_a_stopped_run_in_one_line(
    monkeypatch: pytest.MonkeyPatch, error: BaseException, said: str
) -> None:
    monkeypatch.setattr("hub.bench.runner.run_bench", _raising(error))
    result = CliRunner().invoke(app, ["bench", "--quick"])
    assert result.exit_code == 1
    assert f"error: {said}" in result.output
    assert "Traceback" not in result.output


def test_demo_reports_a_worker_that_exited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "hub.demo.runner.run_demo", _raising(WorkerExited("hub worker exited with 2; see /l"))
    )
    result = CliRunner().invoke(app, ["demo", "--dossiers", "1"])
    assert result.exit_code == 1
    assert "error: hub worker exited with 2; see /l" in result.output


def test_other_failures_keep_their_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    # A bug is not a stopped run: it propagates as it is
    monkeypatch.setattr("hub.bench.runner.run_bench", _raising(KeyError("oops")))
    result = CliRunner().invoke(app, ["bench", "--quick"])
    assert result.exit_code != 0
    assert isinstance(result.exception, KeyError)
