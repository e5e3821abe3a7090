"""pytest fixtures for the offline AWS emulator (moto server + Terraform).

Import the fixtures you use into a test module, e.g.::

    from emulator_fixtures import moto_server, aws_client, terraform_bin  # noqa: F401

(or ``from .emulator_fixtures import ...`` if ``tests`` is a package).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

try:  # ``tests`` imported as a package
    from .emulator import harness
except ImportError:  # ``tests/`` is not a package: import from this directory
    _here = str(Path(__file__).resolve().parent)
    if _here not in sys.path:
        sys.path.insert(0, _here)
    from emulator import harness  # type: ignore[no-redef]

__all__ = [
    "moto_server",
    "moto_endpoint",
    "aws_client",
    "moto_reset",
    "terraform_bin",
    "tf_workdir",
]


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.MotoServer]:
    """One moto server (with the emulator extensions) for the whole session,
    on 127.0.0.1 and a free port; Lambda configured with use_docker=False.
    Stopped by its process id at the end of the session."""
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    server = problem = None
    try:
        server = harness.start_moto_server(log_path=log_path)
    except harness.EmulatorError as exc:
        problem = f"cannot start the moto emulator: {exc}"
    if server is None:
        pytest.fail(problem, pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def moto_endpoint(moto_server: harness.MotoServer) -> str:
    """``http://127.0.0.1:<port>`` of the session's moto server."""
    return moto_server.endpoint


@pytest.fixture
def aws_client(moto_server: harness.MotoServer) -> Callable[..., Any]:
    """Factory: ``aws_client("sagemaker")`` -> boto3 client on the emulator."""

    def make(service: str, region: str = harness.REGION, **kwargs: Any) -> Any:
        return moto_server.client(service, region=region, **kwargs)

    return make


@pytest.fixture
def moto_reset(moto_server: harness.MotoServer) -> harness.MotoServer:
    """The session server, emptied of all emulated resources first."""
    moto_server.reset()
    return moto_server


@pytest.fixture(scope="session")
def terraform_bin() -> str:
    """Path of the Terraform CLI; FAILS (never skips) the test when the CLI or
    the hashicorp/aws provider under /opt/tf-plugins is missing."""
    problem = None
    try:
        return harness.require_terraform()
    except harness.TerraformUnavailable as exc:
        problem = str(exc)
    pytest.fail(problem, pytrace=False)


@pytest.fixture
def tf_workdir(tmp_path: Path, terraform_bin: str) -> harness.TerraformWorkdir:
    """An empty Terraform working directory (``.path``) with a runner."""
    path = tmp_path / "tf"
    path.mkdir()
    return harness.TerraformWorkdir(path)
