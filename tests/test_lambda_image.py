"""Static checks of the baseline Lambda image (lambda_image/): Dockerfile, pins, module."""

from __future__ import annotations

import importlib.metadata as metadata
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LAMBDA_DIR = Path(__file__).resolve().parents[1] / "lambda_image"
DOCKERFILE = LAMBDA_DIR / "Dockerfile"
REQUIREMENTS = LAMBDA_DIR / "requirements.txt"

BASE_IMAGE_RE = re.compile(r"^public\.ecr\.aws/lambda/python:(?P<tag>(?P<minor>3\.\d+)\S*)$")


def instructions():
    """Dockerfile instructions as (KEYWORD, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    result = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        result.append((keyword.upper(), args.strip()))
    return result


def pins():
    result = {}
    for raw in REQUIREMENTS.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert (
                sep
                and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name.strip())
                and re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version.strip())
            ), f"requirements.txt line is not an exact 'name==version' pin: {raw!r}"
            result[canonicalize_name(name.strip())] = version.strip()
    return result


def test_base_image_is_the_pinned_lambda_python_image():
    froms = [args for keyword, args in instructions() if keyword == "FROM"]
    assert len(froms) == 1, froms
    match = BASE_IMAGE_RE.match(froms[0])
    assert match, f"not the AWS Lambda Python base image with an explicit tag: {froms[0]}"
    assert match.group("tag") != "latest"
    assert match.group("minor") in ("3.11", "3.12")
    # ... and a Python that the pinned SDK declares support for
    classifiers = metadata.metadata("sagemaker").get_all("Classifier")
    assert f"Programming Language :: Python :: {match.group('minor')}" in classifiers


def test_requirements_are_copied_and_installed_before_the_handler():
    steps = instructions()
    keywords = [k for k, _ in steps]
    copy_reqs = next(i for i, (k, a) in enumerate(steps) if k == "COPY" and a.split()[0] == "requirements.txt")
    install = next(i for i, (k, a) in enumerate(steps) if k == "RUN" and "pip install" in a)
    run_args = steps[install][1].split()
    assert "--no-cache-dir" in run_args
    target = steps[copy_reqs][1].split()[-1]
    requirement_file = run_args[run_args.index("-r") + 1]
    assert requirement_file in ("requirements.txt", target), (requirement_file, target)
    copy_app = next(i for i, (k, a) in enumerate(steps) if k == "COPY" and "app.py" in a.split())
    assert copy_reqs < install < copy_app  # dependency layer is cached across code changes
    assert keywords[-1] == "CMD"


def test_every_handler_module_is_copied_into_the_task_root():
    copied = set()
    for keyword, args in instructions():
        if keyword == "COPY":
            *sources, destination = args.split()
            assert destination.startswith("${LAMBDA_TASK_ROOT}"), args
            copied.update(sources)
    modules = {p.name for p in LAMBDA_DIR.glob("*.py")}
    assert modules and modules <= copied, f"not copied into the image: {modules - copied}"


def test_cmd_is_the_handler_and_v2_warning_is_suppressed():
    steps = instructions()
    cmds = [a for k, a in steps if k == "CMD"]
    assert len(cmds) == 1 and json.loads(cmds[0]) == ["app.handler"]
    envs = [a for k, a in steps if k == "ENV"]
    assert any(re.fullmatch(r"SAGEMAKER_SUPPRESS_V2_WARNING=\"?1\"?", a) for a in envs), envs


def test_requirements_pin_the_sdk_v2_and_boto():
    pinned = pins()
    assert pinned["sagemaker"] == "2.257.7"
    assert pinned["boto3"] == "1.44.8"
    assert pinned["botocore"] == "1.44.8"


def test_pins_match_the_running_environment():
    """The test venv is an environment built from requirements.txt: same versions."""
    mismatched = {}
    for name, version in pins().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            mismatched[name] = (version, installed)
    assert not mismatched, f"pinned vs installed: {mismatched}"


def test_pins_are_a_closed_set():
    """Every runtime dependency of every pinned package is pinned too (reproducible image)."""
    pinned = pins()
    missing = set()
    for name in pinned:
        for spec in metadata.requires(name) or []:
            requirement = Requirement(spec)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            dependency = canonicalize_name(requirement.name)
            if dependency not in pinned:
                missing.add(f"{dependency} (needed by {name})")
            elif not requirement.specifier.contains(pinned[dependency], prereleases=True):
                missing.add(f"{dependency}=={pinned[dependency]} violates {name}: {spec}")
    assert not missing, sorted(missing)


def _run_in_task_root(code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_DEFAULT_REGION="us-east-1", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=LAMBDA_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_app_imports_and_exposes_handler_like_the_lambda_runtime():
    """Import `app` from the task root, as the runtime does for CMD ["app.handler"]."""
    proc = _run_in_task_root(
        "import json, sys, app\n"
        "assert callable(app.handler)\n"
        "print(json.dumps({'sagemaker_loaded': 'sagemaker' in sys.modules,\n"
        "                  'result': app.handler({'action': 'nope'}, None)}))\n"
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    # the SDK (seconds to import) is only loaded on the start path
    assert report["sagemaker_loaded"] is False
    assert report["result"]["status"] == "ERROR"
    assert "'action' must be one of start, check, promote, start_executions" in report["result"]["error"]


def test_start_path_module_imports_with_the_pinned_sdk_and_names_jobs_validly():
    proc = _run_in_task_root(
        "import json\n"
        "import sagemaker_baseline, sagemaker\n"
        "from sagemaker.model_monitor import ModelBiasMonitor, ModelExplainabilityMonitor\n"
        "long_id = 'arn:aws:states:us-east-1:123456789012:execution:sm:' + 'x' * 200\n"
        "names = [sagemaker_baseline.processing_job_name(t, e)\n"
        "         for t in ('data_quality', 'model_quality', 'model_bias', 'model_explainability')\n"
        "         for e in (long_id, None)]\n"
        "print(json.dumps({'version': sagemaker.__version__, 'names': names}))\n"
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["version"] == pins()["sagemaker"]
    assert "SageMakerV2DeprecationWarning" not in proc.stderr
    assert len(set(report["names"])) == 8
    for name in report["names"]:
        assert len(name) <= 63
        assert re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", name), name
