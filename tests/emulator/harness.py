"""The offline AWS emulator and Terraform, for tests (the fixtures are in tests/conftest.py).

* ``MotoServer``: moto's own ``ThreadedMotoServer`` in this process, with the operations moto lacks
  (``moto_extensions.py``); ``MotoServer.reset()`` is the one way to empty it.
* ``without_awscc()``: the one way to drop the awscc resources (no awscc provider binary exists here);
  ``emulator_copy()``: a working copy of a stack whose aws provider talks to the emulator.
* ``Terraform``: tftest's ``TerraformTest`` (PyPI ``tftest``) with offline init from ``PLUGIN_DIR`` and a time
  limit per command.
* ``create_job_definition()``: the awscc-only job definitions created through boto3 instead.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tftest

from . import moto_extensions

TERRAFORM_BIN = "/usr/local/bin/terraform"
PLUGIN_DIR = "/opt/tf-plugins"
AWS_PROVIDER_DIR = Path(PLUGIN_DIR) / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# One Terraform command's limit (the full example's apply against moto takes ~1-3 min on a loaded CI machine): a hung
# Terraform fails its test instead of hanging CI (tftest 1.8.8 waits without limit).
TERRAFORM_TIMEOUT_SECONDS = 900
# Go's garbage collector for Terraform and the provider plugins it starts (they inherit its environment): the aws
# provider builds its whole schema on every start, three starts per plan. 400 instead of Go's 100: a plan of the full
# example against moto took 7.5 s of CPU instead of 10.4 s (3 runs each); a schema load peaked at 656 MB, not 620.
GOGC = "400"


class MotoServer:
    """One in-process moto server. Lambda runs without Docker (``aws_lambda_invocation`` answers from a queue)."""

    CONFIG = {"lambda": {"use_docker": False}}

    def __init__(self) -> None:
        import requests
        from moto.server import ThreadedMotoServer

        moto_extensions.register()  # patches moto's classes in this process, where the server runs
        self._managed_policies(True)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no log record per request
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self._http = requests.Session()
        self._post("config", self.CONFIG)

    def _post(self, path: str, body: Any = None) -> None:
        self._http.post(f"{self.endpoint}/moto-api/{path}", json=body, timeout=60).raise_for_status()

    def reset(self, *, managed_policies: bool = True) -> None:
        """Forget every emulated resource; the configuration stays. ``managed_policies``: the AWS managed policies
        (arn:aws:iam::aws:policy/...) exist, as in AWS. moto builds ~1,500 of them whenever it makes an IAM backend
        (~4 s per Lambda handler test, measured); tests that never read them (the Lambda handler's) reset without."""
        self._managed_policies(False)  # moto re-creates the existing backends before it drops them: skip that load
        self._post("reset")
        self._managed_policies(managed_policies)  # read when the IAM backend is next made (on first use)
        self._post("config", self.CONFIG)

    @staticmethod
    def _managed_policies(load: bool) -> None:
        # moto's setting (moto.settings.load_iam_aws_managed_policies), in this process where the server runs; its
        # /moto-api/config endpoint does not take "iam", and MOTO_IAM_LOAD_MANAGED_POLICIES would override it.
        from moto.core.config import default_user_config

        default_user_config["iam"] = {**default_user_config.get("iam", {}), "load_aws_managed_policies": load}

    def answer_lambda_invocations(self, result: Any, region: str = REGION) -> None:
        """Every Lambda invocation in ``region`` answers ``result`` until the next call or reset (moto's Docker-less
        Lambda echoes the request otherwise). moto's own queue (/moto-api/static/lambda-simple/response) hands each
        answer out once: an SDK retry of an invocation whose response was lost on a loaded machine then got the echo
        (seen once under pytest-xdist); a deterministic function answers a retry the same."""
        from moto.awslambda_simple.models import lambda_simple_backends

        lambda_simple_backends[ACCOUNT_ID][region].lambda_simple_results_queue = _Always(
            result if isinstance(result, str) else json.dumps(result)
        )

    def client(self, service: str, region: str = REGION) -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def stop(self) -> None:
        self._server.stop()


class _Always(list):
    """moto's Lambda results queue that answers the same every time (moto checks it is non-empty, then pop(0)s)."""

    def __init__(self, answer: str) -> None:
        super().__init__([answer])

    def pop(self, index: Any = -1) -> str:
        return self[0]


# ---------------------------------------------------------------------------------------------------------------------
# Terraform JSON for the emulator
# ---------------------------------------------------------------------------------------------------------------------

AWSCC_REFERENCE = re.compile(r"\$\{(awscc_\w+\.\w+\.\w+)\}")


def without_awscc(tf: Mapping[str, Any], substitutions: Mapping[str, str] | None = None) -> dict:
    """A copy without the awscc resources and provider. ``${awscc_...}`` references become the literal in
    ``substitutions`` (keyed ``type.name.attribute``), or a stand-in name when none is given (enough to validate)."""
    tf = json.loads(json.dumps(tf))
    for rtype in [r for r in tf.get("resource", {}) if r.startswith("awscc_")]:
        del tf["resource"][rtype]
    tf.get("provider", {}).pop("awscc", None)
    tf["terraform"]["required_providers"].pop("awscc", None)
    subs = substitutions or {}

    def literal(match: re.Match) -> str:
        return subs.get(match.group(1)) or "stub-" + match.group(1).split(".")[1].replace("_", "-")

    return json.loads(AWSCC_REFERENCE.sub(literal, json.dumps(tf)))


def provider_block(endpoint: str, region: str = REGION) -> dict[str, Any]:
    """Arguments of a ``provider "aws"`` block that sends every service the stacks use to the emulator."""
    services = (
        "sagemaker",
        "iam",
        "sts",
        "s3",
        "kms",
        "logs",
        "lambda",
        "sfn",
        "events",
        "scheduler",
        "ecr",
        "sns",
        "sqs",
        "cloudwatch",
        "ec2",
    )
    return {
        "region": region,
        "access_key": "testing",
        "secret_key": "testing",
        "skip_credentials_validation": True,
        "skip_metadata_api_check": True,
        "skip_region_validation": True,
        "s3_use_path_style": True,
        "max_retries": 2,
        "endpoints": [{service: endpoint for service in services}],
    }


def emulator_copy(
    stack: Path,
    workdir: Path,
    endpoint: str,
    *,
    substitutions: Mapping[str, str] | None = None,
    region: str = REGION,
    tf: Mapping[str, Any] | None = None,
) -> Path:
    """Copy the stack folder (its assets too) into ``workdir`` without awscc, with local state in ``workdir`` and
    the aws provider pointed at the emulator (default tags kept). ``tf`` replaces the folder's cdk.tf.json."""
    shutil.copytree(stack, workdir, dirs_exist_ok=True)
    doc = without_awscc(tf if tf is not None else json.loads((stack / "cdk.tf.json").read_text()), substitutions)
    doc["terraform"].pop("backend", None)
    doc["provider"]["aws"] = [
        {**{k: v for k, v in block.items() if k in ("alias", "default_tags")}, **provider_block(endpoint, region)}
        for block in doc["provider"]["aws"]
    ]
    (workdir / "cdk.tf.json").write_text(json.dumps(doc, indent=2))
    return workdir


# ---------------------------------------------------------------------------------------------------------------------
# Terraform CLI (tftest)
# ---------------------------------------------------------------------------------------------------------------------


class TerraformUnavailable(RuntimeError):
    """The Terraform CLI or the aws provider under PLUGIN_DIR is missing."""


def require_terraform() -> str:
    problems = []
    if not os.access(TERRAFORM_BIN, os.X_OK):
        problems.append(f"Terraform CLI not found or not executable at {TERRAFORM_BIN}")
    if not list(AWS_PROVIDER_DIR.glob("*/terraform-provider-aws*")):
        problems.append(f"hashicorp/aws provider binary not found under {AWS_PROVIDER_DIR}")
    if problems:
        raise TerraformUnavailable("; ".join(problems) + " (the tests init offline: -plugin-dir=" + PLUGIN_DIR + ")")
    return TERRAFORM_BIN


class Terraform(tftest.TerraformTest):
    """tftest in one folder: ``init()`` offline from PLUGIN_DIR; errors (exit 1) raise ``TerraformTestError``
    with Terraform's output. The caller's AWS_* and TF_* variables are not passed on. Each command stops after
    ``timeout`` seconds (TerraformTestError)."""

    def __init__(self, workdir: Path, timeout: float = TERRAFORM_TIMEOUT_SECONDS):
        super().__init__(str(workdir), binary=require_terraform())
        self.timeout = timeout
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))},
            **CREDENTIALS,
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "GOGC": GOGC,
        }

    def execute_command(self, cmd: str, *cmd_args: str) -> tftest.TerraformCommandOutput:
        """tftest's execute_command (the same result and errors: exit 1 or 11 raises) with a time limit. On timeout
        Terraform's process group (its provider plugins too) is killed."""
        with subprocess.Popen(
            [self.binary, cmd, *cmd_args],
            cwd=self.tfdir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="ignore",
            start_new_session=True,
        ) as proc:
            try:
                out, err = proc.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                out, err = proc.communicate()
                raise tftest.TerraformTestError(  # noqa: B904 (the timeout, not TimeoutExpired, is the error)
                    f"{' '.join(['terraform', cmd, *cmd_args])}: no result after {self.timeout:g} s, killed"
                    f"\n{out}\n{err}",
                    err,
                )
        if proc.returncode in (1, 11):
            raise tftest.TerraformTestError(f"Error running command {cmd}: {proc.returncode} {out} {err}", err)
        return tftest.TerraformCommandOutput(proc.returncode, out, err)

    def init(self, **kw: Any) -> str:  # type: ignore[override]
        return super().init(**{"plugin_dir": PLUGIN_DIR, **kw})

    def run(self, *args: str) -> tftest.TerraformCommandOutput:
        return self.execute_command(args[0], "-input=false", "-no-color", *args[1:])

    def plan_exit_code(self) -> int:
        """``plan -detailed-exitcode``: 0 no changes, 2 changes."""
        return self.run("plan", "-detailed-exitcode").retcode

    def show(self, plan_file: str) -> dict:
        return json.loads(self.execute_command("show", "-json", plan_file).out)

    def state_list(self) -> list[str]:
        return self.execute_command("state", "list").out.split()

    def validate_json(self) -> dict:
        """``terraform validate -json``; an invalid document raises TerraformTestError naming the problem."""
        return json.loads(self.execute_command("validate", "-no-color", "-json").out)


# ---------------------------------------------------------------------------------------------------------------------
# SageMaker job definitions that only the awscc provider creates, through boto3
# ---------------------------------------------------------------------------------------------------------------------


def _squash(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def _coerce_to_shape(value: Any, shape: Any, path: str) -> Any:
    """Convert ``value`` (API CamelCase or awscc/CFN snake_case keys) to the botocore ``shape``; map keys (e.g.
    Environment) are kept as they are; an unknown key raises ValueError."""
    if shape.type_name == "structure":
        members = {_squash(k): k for k in shape.members}
        out = {}
        for key, item in value.items():
            if key == "//":  # cdktf metadata
                continue
            member = key if key in shape.members else members.get(_squash(key))
            if member is None:
                raise ValueError(f"{path}.{key}: not a member of {shape.name} (members: {', '.join(shape.members)})")
            if item is not None:
                out[member] = _coerce_to_shape(item, shape.members[member], f"{path}.{member}")
        return out
    if shape.type_name == "list":
        return [
            _coerce_to_shape(v, shape.member, f"{path}[{i}]")
            for i, v in enumerate(value if isinstance(value, list) else [value])
        ]
    if shape.type_name == "map":
        return {str(k): _coerce_to_shape(v, shape.value, f"{path}.{k}") for k, v in value.items()}
    if shape.type_name in ("integer", "long"):
        return int(value)
    if shape.type_name in ("float", "double"):
        return float(value)
    if shape.type_name == "boolean":
        return value.strip().lower() == "true" if isinstance(value, str) else bool(value)
    if shape.type_name == "string":
        return value if isinstance(value, str) else str(value)
    return value


def create_job_definition(sagemaker: Any, awscc_type: str, payload: Mapping[str, Any]) -> dict:
    """Create the job definition an ``awscc_sagemaker_<kind>_job_definition`` resource describes (its attributes,
    ``${...}`` references resolved by the caller) with boto3's ``Create<Kind>JobDefinition``."""
    kind = awscc_type.removeprefix("awscc_sagemaker_").removesuffix("_job_definition")
    operation = "Create" + kind.title().replace("_", "") + "JobDefinition"
    shape = sagemaker.meta.service_model.operation_model(operation).input_shape
    request = _coerce_to_shape(
        {k: v for k, v in payload.items() if k != "endpoint_name" or k in shape.members}, shape, operation
    )
    return getattr(sagemaker, f"create_{kind}_job_definition")(**request)
