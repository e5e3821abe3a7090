"""The wheel: exact contents under one public import path, installs with the runtime dependencies only into a
fresh virtual environment, and synthesizes the bundled example outside the checkout, byte for byte as the
checkout does. Needs PyPI (or a pip cache) for the fresh environment's dependencies; ~1 min."""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, node_env

PACKAGE = "sagemaker_model_monitoring_cdktf"
RUNTIME = {"cdktf", "cdktf-cdktf-provider-aws", "constructs", "pydantic", "pyyaml"}


def _expected_wheel_files() -> set[str]:
    files = {f"{PACKAGE}/__init__.py", f"{PACKAGE}/main.py", f"{PACKAGE}/examples/full.yaml"}
    for folder in ("monitors", "baseline"):
        files |= {
            f"{PACKAGE}/{p.relative_to(REPO).as_posix()}"
            for p in (REPO / folder).rglob("*")
            if p.suffix in (".py", ".cjs") and "__pycache__" not in p.parts  # .cjs: the jsii kernel's preload
        }
    # The whole Lambda build context (its bytes give the image tag) and the alert checker.
    files |= {
        f"{PACKAGE}/lambda_image/{p.relative_to(REPO / 'lambda_image').as_posix()}"
        for p in (REPO / "lambda_image").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    return files


def _source_copy(target: Path) -> Path:
    """The files git would commit (tracked and new, not ignored), so stale build/ folders never leak in."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True, capture_output=True
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
    return target


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_wheel_installs_alone_and_synthesizes_the_bundled_example_like_the_checkout(tmp_path):
    started = time.monotonic()
    source = _source_copy(tmp_path / "source")
    subprocess.run(
        [str(REPO / ".venv/bin/pip"), "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = {n for n in archive.namelist() if ".dist-info/" not in n}
        entry_points = archive.read(next(n for n in archive.namelist() if n.endswith("entry_points.txt"))).decode()
        main_source = archive.read(f"{PACKAGE}/main.py").decode()
    assert names == _expected_wheel_files()
    assert not [n for n in names if n.split("/")[0] != PACKAGE or "/tests/" in n]
    assert f"sagemaker-model-monitoring-synth = {PACKAGE}.main:main" in entry_points
    assert f"from {PACKAGE}.monitors.settings.config import" in main_source

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    # --no-compile: byte-compiling the provider bindings' thousands of modules is most of an install's time, and
    # Python compiles what a synth imports anyway.
    subprocess.run(
        [
            str(venv / "bin/pip"),
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "-c",
            str(REPO / "constraints.txt"),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=900,
    )
    installed = subprocess.run(
        [str(venv / "bin/python"), "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    top_level = {line.split("==")[0].lower() for line in installed.splitlines()} - {"pip", "setuptools"}
    # Only the runtime set and what it pulls in: no test tools, no SageMaker SDK, no AWS SDK.
    assert top_level >= RUNTIME
    assert not top_level & {"pytest", "moto", "cfn-lint", "sagemaker", "boto3", "botocore", "pandas", "checkov"}
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert (site / PACKAGE / "lambda_image/Dockerfile").is_file()
    assert not (site / "monitors").exists() and not (site / "baseline").exists()

    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "full.yaml").write_bytes((REPO / "examples/full.yaml").read_bytes())
    from_wheel = subprocess.run(
        [str(venv / "bin/sagemaker-model-monitoring-synth"), "--config", "full.yaml", "--outdir", "out"],
        cwd=work,
        env=node_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert from_wheel.returncode == 0, from_wheel.stderr
    from_checkout = subprocess.run(
        [
            sys.executable,
            str(REPO / "main.py"),
            "--config",
            str(REPO / "examples/full.yaml"),
            "--outdir",
            str(tmp_path / "checkout-out"),
        ],
        env=node_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert from_checkout.returncode == 0, from_checkout.stderr
    wheel_tree, checkout_tree = _tree(work / "out"), _tree(tmp_path / "checkout-out")
    assert any(name.startswith("stacks/") and "/assets/" in name and name.endswith("Dockerfile") for name in wheel_tree)
    assert wheel_tree == checkout_tree  # every file, byte for byte (the Lambda build context included)
    print(f"wheel build + fresh install + synth: {time.monotonic() - started:.0f} s")


def test_public_names_resolve_in_the_checkout_and_unknown_names_fail():
    import sagemaker_model_monitoring_cdktf as public
    from monitors.settings.config import load_plan
    from monitors.settings.model import Settings

    assert public.Settings is Settings and public.load_plan is load_plan
    assert public.MonitoringStack.__module__ == "monitors.constructs.stack"
    try:
        _ = public.NotAName
    except AttributeError as exc:
        assert "NotAName" in str(exc)
    else:
        raise AssertionError("unknown public name resolved")
