"""Offline AWS emulator harness (no pytest dependency).

* ``start_moto_server()`` / ``MotoServer.stop()``: moto server (with the
  extensions from ``moto_extensions.py``) as a subprocess on 127.0.0.1.
* ``emulator_provider_block()`` / ``prepare_workdir()``: a working copy of a
  synthesized ``cdk.tf.json`` whose ``aws`` provider talks to the emulator.
* ``prune_tf_json()``: drop resources / providers that cannot run offline
  (``awscc_*``, ``docker_*``).
* ``require_terraform()`` / ``run_terraform()`` / ``terraform_init()``:
  Terraform CLI with the local provider mirror, no checkpoint, a timeout.
* ``create_job_definition()``: create the awscc-only SageMaker job
  definitions (model quality / bias / explainability) through boto3.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------
# constants
# --------------------------------------------------------------------------

TERRAFORM_BIN = os.environ.get("EMULATOR_TERRAFORM_BIN", "/usr/local/bin/terraform")
PLUGIN_DIR = os.environ.get("EMULATOR_TF_PLUGIN_DIR", "/opt/tf-plugins")
AWS_PROVIDER_VERSION = "5.100.0"
AWS_PROVIDER_DIR = (
    Path(PLUGIN_DIR) / "registry.terraform.io" / "hashicorp" / "aws" / AWS_PROVIDER_VERSION
)

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
ACCESS_KEY = "testing"
SECRET_KEY = "testing"

SERVER_SCRIPT = Path(__file__).resolve().parent / "server.py"

# Endpoint names as the aws provider 5.x spells them (canonical names only:
# setting a name and its alias at once is an error).
DEFAULT_ENDPOINT_SERVICES: tuple[str, ...] = (
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
    "ssm",
    "secretsmanager",
    "cloudformation",
    "resourcegroupstaggingapi",
)

DEFAULT_DROP_RESOURCE_PREFIXES: tuple[str, ...] = ("awscc_", "docker_")
DEFAULT_DROP_PROVIDERS: tuple[str, ...] = ("awscc", "docker")

TERRAFORM_TIMEOUT = 600.0


class EmulatorError(RuntimeError):
    """The emulator could not be started or configured."""


class TerraformUnavailable(RuntimeError):
    """The Terraform CLI or the local aws provider mirror is missing."""


# --------------------------------------------------------------------------
# moto server
# --------------------------------------------------------------------------


def find_free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _http(
    method: str, url: str, body: Any = None, timeout: float = 5.0
) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@dataclass
class MotoServer:
    host: str
    port: int
    process: subprocess.Popen
    log_path: Path
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_running(self) -> bool:
        return self.process.poll() is None

    def configure(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """POST ``config`` to /moto-api/config; returns the server's config."""
        status, body = _http("POST", f"{self.endpoint}/moto-api/config", dict(config))
        if status >= 300:
            raise EmulatorError(f"moto-api/config answered {status}: {body[:500]!r}")
        self.config.update(config)
        return json.loads(body or b"{}")

    def queue_lambda_results(self, results: list[Any], *, region: str = "us-east-1") -> None:
        """What the next Lambda invocations return, in order (moto's Docker-less Lambda otherwise echoes
        the request payload back)."""
        payload = {"results": [r if isinstance(r, str) else json.dumps(r) for r in results], "region": region}
        status, body = _http("POST", f"{self.endpoint}/moto-api/static/lambda-simple/response", payload)
        if status >= 300:
            raise EmulatorError(f"moto-api lambda-simple/response answered {status}: {body[:500]!r}")

    def reset(self) -> None:
        """Forget every emulated resource (then re-apply the config)."""
        status, body = _http("POST", f"{self.endpoint}/moto-api/reset")
        if status >= 300:
            raise EmulatorError(f"moto-api/reset answered {status}: {body[:500]!r}")
        if self.config:
            self.configure(self.config)

    def client(self, service: str, region: str = REGION, **kwargs: Any) -> Any:
        """A boto3 client bound to this server (fake credentials)."""
        import boto3
        from botocore.config import Config

        kwargs.setdefault(
            "config", Config(retries={"max_attempts": 1, "mode": "standard"})
        )
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            **kwargs,
        )

    def log_tail(self, max_chars: int = 4000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return text[-max_chars:]

    def stop(self, timeout: float = 10.0) -> int | None:
        """Terminate this server (by its pid); kill it if it does not exit."""
        return stop_process(self.process, timeout=timeout)


def stop_process(process: subprocess.Popen, timeout: float = 10.0) -> int | None:
    if process.poll() is not None:
        return process.returncode
    process.terminate()
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait(timeout=timeout)


# lambda.use_docker=False: Lambda invocations (aws_lambda_invocation) work
# without Docker.  (/moto-api/config only accepts batch/lambda/stepfunctions;
# AWS managed IAM policies are switched on through the environment, see
# start_moto_server.)
DEFAULT_MOTO_CONFIG: dict[str, Any] = {"lambda": {"use_docker": False}}


def start_moto_server(
    host: str = "127.0.0.1",
    port: int | None = None,
    log_path: str | os.PathLike[str] | None = None,
    config: Mapping[str, Any] | None = None,
    startup_timeout: float = 60.0,
    attempts: int = 3,
    load_aws_managed_policies: bool = True,
    extra_env: Mapping[str, str] | None = None,
) -> MotoServer:
    """Start ``server.py`` as a subprocess and wait until it answers.

    ``config`` (default ``DEFAULT_MOTO_CONFIG``: Lambda without Docker) is
    POSTed to ``/moto-api/config`` before the server is handed out, before any
    AWS request.  ``load_aws_managed_policies`` (MOTO_IAM_LOAD_MANAGED_POLICIES)
    makes ``arn:aws:iam::aws:policy/...`` attachable, as in AWS.
    """
    config = DEFAULT_MOTO_CONFIG if config is None else config
    if log_path is None:
        log_path = Path(tempfile.mkdtemp(prefix="moto-emulator-")) / "moto.log"
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)

    last_error = ""
    for _ in range(attempts):
        chosen = port or find_free_port(host)
        env = dict(os.environ)
        env.setdefault("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        env.setdefault("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        env["PYTHONUNBUFFERED"] = "1"
        if load_aws_managed_policies:
            env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        env.update(extra_env or {})
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, str(SERVER_SCRIPT), "-H", host, "-p", str(chosen)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        server = MotoServer(host=host, port=chosen, process=process, log_path=log_path)
        deadline = time.monotonic() + startup_timeout
        while time.monotonic() < deadline:
            if not server.is_running():
                break
            try:
                status, _ = _http("GET", f"{server.endpoint}/moto-api/config", timeout=2)
            except OSError:
                time.sleep(0.2)
                continue
            if 200 <= status < 300:
                server.configure(config)
                return server
            time.sleep(0.2)
        last_error = server.log_tail()
        server.stop()
        if port:
            break
    raise EmulatorError(f"moto server did not start; log tail:\n{last_error}")


# --------------------------------------------------------------------------
# Terraform JSON: provider settings, pruning, working copy
# --------------------------------------------------------------------------


def emulator_provider_block(
    endpoint: str,
    region: str = REGION,
    services: Iterable[str] = DEFAULT_ENDPOINT_SERVICES,
    max_retries: int = 2,
) -> dict[str, Any]:
    """Arguments of a ``provider "aws"`` block that targets the emulator."""
    return {
        "region": region,
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "skip_credentials_validation": True,
        "skip_metadata_api_check": True,
        "skip_region_validation": True,
        "skip_requesting_account_id": False,
        "s3_use_path_style": True,
        "max_retries": max_retries,
        "endpoints": [{service: endpoint for service in services}],
    }


# provider arguments that would make the provider look for real credentials
_CREDENTIAL_ARGS = (
    "profile",
    "shared_config_files",
    "shared_credentials_files",
    "token",
    "assume_role_with_web_identity",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
    "sts_region",
    "custom_ca_bundle",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
    "http_proxy",
    "https_proxy",
)


def _as_block_list(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _address_pattern(addresses: Iterable[str]) -> re.Pattern[str] | None:
    addrs = sorted(set(addresses), key=len, reverse=True)
    if not addrs:
        return None
    return re.compile(
        r"(?<![\w.-])(" + "|".join(re.escape(a) for a in addrs) + r")(?![\w-])"
    )


def _walk_strings(node: Any, fn: Any) -> Any:
    if isinstance(node, str):
        return fn(node)
    if isinstance(node, list):
        return [_walk_strings(v, fn) for v in node]
    if isinstance(node, dict):
        return {k: _walk_strings(v, fn) for k, v in node.items()}
    return node


def _strings(node: Any) -> Iterable[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)


def prune_tf_json(
    doc: Mapping[str, Any],
    drop_resource_prefixes: Sequence[str] = DEFAULT_DROP_RESOURCE_PREFIXES,
    drop_providers: Sequence[str] = DEFAULT_DROP_PROVIDERS,
    substitutions: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Copy ``doc`` without the resources/data sources whose type starts with
    one of ``drop_resource_prefixes`` and without the ``drop_providers``.

    ``substitutions`` maps a reference to a dropped resource's attribute
    (``"awscc_sagemaker_model_quality_job_definition.mq.job_definition_name"``)
    to the literal value to use instead (e.g. the name of a job definition
    created through boto3).  ``"${ref}"`` becomes the value; the reference
    inside a larger expression becomes a quoted literal.

    Dropped addresses are removed from ``depends_on``; outputs that still
    refer to a dropped resource are dropped.  Any other remaining reference to
    a dropped resource raises ``ValueError`` naming it.

    Returns ``(pruned copy, dropped addresses)``.
    """
    out = copy.deepcopy(dict(doc))
    prefixes = tuple(drop_resource_prefixes)
    dropped: list[str] = []

    for section, addr_prefix in (("resource", ""), ("data", "data.")):
        blocks = out.get(section)
        if not isinstance(blocks, dict):
            continue
        for rtype in list(blocks):
            if rtype.startswith(prefixes):
                for rname in blocks[rtype]:
                    dropped.append(f"{addr_prefix}{rtype}.{rname}")
                del blocks[rtype]
        if not blocks:
            del out[section]

    providers = out.get("provider")
    if isinstance(providers, dict):
        for name in drop_providers:
            providers.pop(name, None)
        if not providers:
            del out["provider"]
    terraform = out.get("terraform")
    if isinstance(terraform, dict):
        required = terraform.get("required_providers")
        for block in _as_block_list(required):
            if isinstance(block, dict):
                for name in drop_providers:
                    block.pop(name, None)

    if not dropped:
        return out, dropped

    for ref, value in (substitutions or {}).items():
        literal = value if isinstance(value, str) else json.dumps(value)
        exact = "${" + ref + "}"
        inner = re.compile(r"(?<![\w.-])" + re.escape(ref) + r"(?![\w-])")
        quoted = json.dumps(str(value)) if isinstance(value, str) else json.dumps(value)

        def _sub(s: str, exact: str = exact, literal: str = literal,
                 inner: re.Pattern[str] = inner, quoted: str = quoted) -> str:
            s = s.replace(exact, literal)
            return inner.sub(lambda _m: quoted, s)

        out = _walk_strings(out, _sub)

    pattern = _address_pattern(dropped)
    assert pattern is not None

    # depends_on entries naming dropped resources
    for section in ("resource", "data"):
        for blocks in (out.get(section) or {}).values():
            for body in blocks.values():
                for item in _as_block_list(body):
                    deps = item.get("depends_on") if isinstance(item, dict) else None
                    if isinstance(deps, list):
                        kept = [d for d in deps if not (isinstance(d, str) and pattern.fullmatch(d))]
                        if kept:
                            item["depends_on"] = kept
                        else:
                            del item["depends_on"]
    modules = out.get("module") or {}
    for body in modules.values():
        deps = body.get("depends_on") if isinstance(body, dict) else None
        if isinstance(deps, list):
            body["depends_on"] = [d for d in deps if not pattern.fullmatch(d)]

    outputs = out.get("output")
    if isinstance(outputs, dict):
        for name in list(outputs):
            if any(pattern.search(s) for s in _strings(outputs[name])):
                del outputs[name]
        if not outputs:
            del out["output"]

    dangling = []
    for section in ("resource", "data", "locals", "module", "provider"):
        node = out.get(section)
        if node is None:
            continue
        for s in _strings(node):
            for m in pattern.finditer(s):
                dangling.append(f"{section}: {m.group(1)} in {s!r}")
    if dangling:
        raise ValueError(
            "references to dropped resources remain (give substitutions for them):\n  "
            + "\n  ".join(sorted(set(dangling)))
        )
    return out, dropped


def point_aws_providers_at(
    doc: dict[str, Any],
    endpoint: str,
    region: str = REGION,
    services: Iterable[str] = DEFAULT_ENDPOINT_SERVICES,
    max_retries: int = 2,
) -> dict[str, Any]:
    """Edit every ``provider "aws"`` block of ``doc`` in place so that it uses
    the emulator (adds one when there is none).  Keeps alias/default_tags."""
    settings = emulator_provider_block(endpoint, region, services, max_retries)
    providers = doc.setdefault("provider", {})
    blocks = _as_block_list(providers.get("aws"))
    if not blocks:
        blocks = [{}]
    new_blocks = []
    for block in blocks:
        block = dict(block)
        for arg in _CREDENTIAL_ARGS:
            block.pop(arg, None)
        block.update(copy.deepcopy(settings))
        new_blocks.append(block)
    providers["aws"] = new_blocks

    terraform = doc.setdefault("terraform", {})
    required = terraform.get("required_providers")
    if not required:
        terraform["required_providers"] = {
            "aws": {"source": "hashicorp/aws", "version": AWS_PROVIDER_VERSION}
        }
    else:
        first = _as_block_list(required)[0]
        if isinstance(first, dict) and "aws" not in first:
            first["aws"] = {"source": "hashicorp/aws", "version": AWS_PROVIDER_VERSION}
    return doc


def prepare_workdir(
    source: str | os.PathLike[str] | Mapping[str, Any],
    workdir: str | os.PathLike[str],
    endpoint: str,
    *,
    drop_resource_prefixes: Sequence[str] = DEFAULT_DROP_RESOURCE_PREFIXES,
    drop_providers: Sequence[str] = DEFAULT_DROP_PROVIDERS,
    substitutions: Mapping[str, Any] | None = None,
    region: str = REGION,
    services: Iterable[str] = DEFAULT_ENDPOINT_SERVICES,
    max_retries: int = 2,
    filename: str = "cdk.tf.json",
    copy_assets: bool = True,
) -> Path:
    """Write an emulator-ready copy of a synthesized Terraform JSON.

    ``source`` is a ``cdk.tf.json`` path (its directory's other files, e.g.
    CDKTF ``assets/``, are copied too when ``copy_assets``) or an already
    loaded document.  The copy is pruned (``prune_tf_json``), its backend is
    replaced by the default local one (state in ``workdir``), and every aws
    provider block points at ``endpoint``.  Returns the written file.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if isinstance(source, Mapping):
        doc = copy.deepcopy(dict(source))
    else:
        src = Path(source)
        doc = json.loads(src.read_text())
        if copy_assets:
            for item in src.parent.iterdir():
                if item == src or item.name in (".terraform", "terraform.tfstate"):
                    continue
                if item.name.endswith((".tfstate", ".tfstate.backup", ".lock.hcl")):
                    continue
                if item.suffix == ".json" and item.name.endswith(".tf.json"):
                    continue
                target = workdir / item.name
                if item.is_dir():
                    shutil.copytree(item, target, dirs_exist_ok=True)
                else:
                    shutil.copy2(item, target)

    doc, _dropped = prune_tf_json(
        doc, drop_resource_prefixes, drop_providers, substitutions
    )
    terraform = doc.get("terraform")
    if isinstance(terraform, dict):
        terraform.pop("backend", None)
        terraform.pop("cloud", None)
    point_aws_providers_at(doc, endpoint, region, services, max_retries)

    path = workdir / filename
    path.write_text(json.dumps(doc, indent=2, sort_keys=False))
    return path


# --------------------------------------------------------------------------
# Terraform CLI
# --------------------------------------------------------------------------


def require_terraform(
    terraform_bin: str = TERRAFORM_BIN, plugin_dir: str = PLUGIN_DIR
) -> str:
    """Return the Terraform binary path; raise TerraformUnavailable with a
    clear message when the CLI or the aws provider in ``plugin_dir`` is
    missing."""
    problems = []
    resolved = terraform_bin if os.path.isabs(terraform_bin) else shutil.which(terraform_bin)
    if not resolved or not os.path.isfile(resolved) or not os.access(resolved, os.X_OK):
        problems.append(f"Terraform CLI not found or not executable at {terraform_bin!r}")
    provider_dir = (
        Path(plugin_dir) / "registry.terraform.io" / "hashicorp" / "aws" / AWS_PROVIDER_VERSION
    )
    binaries = list(provider_dir.glob("*/terraform-provider-aws*"))
    if not binaries:
        problems.append(
            f"hashicorp/aws {AWS_PROVIDER_VERSION} provider binary not found under "
            f"{provider_dir} (expected <os_arch>/terraform-provider-aws_v{AWS_PROVIDER_VERSION}_x5)"
        )
    if problems:
        raise TerraformUnavailable(
            "the offline Terraform emulator test cannot run: "
            + "; ".join(problems)
            + ". Install Terraform and mirror the provider there "
            "(there is no network access to the Terraform registry)."
        )
    return str(resolved)


_CLI_CONFIG_TEXT = "disable_checkpoint = true\n"


def cli_config_file(directory: str | os.PathLike[str] | None = None) -> Path:
    """A Terraform CLI config file that disables checkpoint (upgrade/security
    checks over the network)."""
    directory = Path(directory) if directory else Path(tempfile.gettempdir()) / "emulator-tf-cli"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "terraformrc"
    if not path.exists() or path.read_text() != _CLI_CONFIG_TEXT:
        path.write_text(_CLI_CONFIG_TEXT)
    return path


def terraform_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    keep = ("TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_LOG_CORE")
    env = {
        k: v
        for k, v in os.environ.items()
        if k in keep or not k.startswith(("AWS_", "TF_", "CHECKPOINT_"))
    }
    env.update(
        {
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            "TF_CLI_CONFIG_FILE": str(cli_config_file()),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
        }
    )
    if extra:
        env.update(extra)
    return env


def run_terraform(
    args: Sequence[str],
    cwd: str | os.PathLike[str],
    *,
    timeout: float = TERRAFORM_TIMEOUT,
    env: Mapping[str, str] | None = None,
    terraform_bin: str = TERRAFORM_BIN,
) -> tuple[int, str, str]:
    """Run ``terraform <args>`` in ``cwd``; return ``(rc, stdout, stderr)``.

    The environment sets TF_IN_AUTOMATION, TF_INPUT=0, CHECKPOINT_DISABLE and
    TF_CLI_CONFIG_FILE (checkpoint disabled); the caller's AWS_* and TF_*
    variables are not passed on, except TF_LOG* (``env`` adds/overrides, e.g.
    ``{"TF_LOG": "DEBUG", "TF_LOG_PATH": "/tmp/tf.log"}``).  On timeout the process group is killed and rc is 124.
    Raises TerraformUnavailable when the CLI or provider mirror is missing.
    """
    binary = require_terraform(terraform_bin)
    proc = subprocess.Popen(
        [binary, *args],
        cwd=str(cwd),
        env=terraform_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
        return proc.returncode, stdout, stderr
    except subprocess.TimeoutExpired:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)  # the group this call started
            except ProcessLookupError:
                break
            try:
                stdout, stderr = proc.communicate(timeout=15)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            stdout, stderr = "", ""
        return (
            124,
            stdout or "",
            (stderr or "") + f"\n[harness] terraform {' '.join(args)} timed out after {timeout:.0f}s\n",
        )


def terraform_init(
    cwd: str | os.PathLike[str], *, timeout: float = 300.0, plugin_dir: str = PLUGIN_DIR
) -> tuple[int, str, str]:
    """``terraform init`` from the local provider mirror only."""
    return run_terraform(
        ["init", "-input=false", "-no-color", f"-plugin-dir={plugin_dir}"],
        cwd,
        timeout=timeout,
    )


def format_result(args: Sequence[str], result: tuple[int, str, str], max_chars: int = 8000) -> str:
    """Human-readable summary of a ``run_terraform`` result for assertions."""
    rc, out, err = result
    return (
        f"terraform {' '.join(args)} -> rc={rc}\n--- stdout (tail) ---\n{out[-max_chars:]}"
        f"\n--- stderr (tail) ---\n{err[-max_chars:]}"
    )


# --------------------------------------------------------------------------
# SageMaker job definitions that only the awscc provider creates
# --------------------------------------------------------------------------

_MONITORING_TYPE_ALIASES = {
    "dataquality": "DataQuality",
    "modelquality": "ModelQuality",
    "modelbias": "ModelBias",
    "modelexplainability": "ModelExplainability",
}


def normalize_monitoring_type(value: str) -> str:
    """'ModelQuality', 'model_quality', 'MODEL_QUALITY', 'model-quality' or
    'awscc_sagemaker_model_quality_job_definition' -> 'ModelQuality'."""
    key = value.lower()
    for junk in ("awscc_", "sagemaker", "jobdefinition", "job_definition", "_", "-", " "):
        key = key.replace(junk, "")
    try:
        return _MONITORING_TYPE_ALIASES[key]
    except KeyError:
        raise ValueError(
            f"unknown monitoring type {value!r}; expected one of "
            f"{sorted(_MONITORING_TYPE_ALIASES.values())}"
        ) from None


def _squash(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def _coerce_to_shape(value: Any, shape: Any, path: str) -> Any:
    """Convert ``value`` (API CamelCase or awscc/CFN snake_case keys) to the
    botocore ``shape``; map keys (e.g. Environment) are kept as they are."""
    type_name = shape.type_name
    if type_name == "structure":
        if not isinstance(value, Mapping):
            raise ValueError(f"{path}: expected an object, got {value!r}")
        members = {_squash(k): k for k in shape.members}
        result = {}
        for key, item in value.items():
            if key == "//":  # CDKTF metadata
                continue
            member = key if key in shape.members else members.get(_squash(key))
            if member is None:
                raise ValueError(
                    f"{path}.{key}: not a member of {shape.name} "
                    f"(members: {', '.join(shape.members)})"
                )
            if item is None:
                continue
            result[member] = _coerce_to_shape(item, shape.members[member], f"{path}.{member}")
        return result
    if type_name == "list":
        if not isinstance(value, list):
            value = [value]
        return [_coerce_to_shape(v, shape.member, f"{path}[{i}]") for i, v in enumerate(value)]
    if type_name == "map":
        if not isinstance(value, Mapping):
            raise ValueError(f"{path}: expected a map, got {value!r}")
        return {str(k): _coerce_to_shape(v, shape.value, f"{path}.{k}") for k, v in value.items()}
    if type_name in ("integer", "long"):
        return int(value)
    if type_name in ("float", "double"):
        return float(value)
    if type_name == "boolean":
        if isinstance(value, str):
            return value.strip().lower() == "true"
        return bool(value)
    if type_name == "string":
        return value if isinstance(value, str) else str(value)
    return value


# awscc attributes that are outputs or CFN-only, not CreateXJobDefinition input
_AWSCC_ONLY_KEYS = {"endpointname", "jobdefinitionarn", "creationtime", "id"}


def job_definition_request(
    client: Any, monitoring_type: str, payload: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """(boto3 method name, request kwargs) for creating a job definition of
    ``monitoring_type`` from ``payload`` (API-shaped or awscc-shaped)."""
    mtype = normalize_monitoring_type(monitoring_type)
    operation = f"Create{mtype}JobDefinition"
    shape = client.meta.service_model.operation_model(operation).input_shape
    cleaned = {
        k: v
        for k, v in payload.items()
        if not (k not in shape.members and _squash(k) in _AWSCC_ONLY_KEYS)
    }
    request = _coerce_to_shape(cleaned, shape, operation)
    missing = [m for m in shape.required_members if m not in request]
    if missing:
        raise ValueError(f"{operation}: missing required {missing}")
    method = re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
    return method, request


def create_job_definition(
    client: Any, monitoring_type: str, payload: Mapping[str, Any]
) -> dict[str, Any]:
    """Create a SageMaker monitoring job definition through boto3.

    ``client`` is a boto3 SageMaker client (e.g. ``server.client("sagemaker")``);
    ``monitoring_type`` is ModelQuality / ModelBias / ModelExplainability (or
    DataQuality), in any of the spellings ``normalize_monitoring_type``
    accepts; ``payload`` is either the boto3 request (``JobDefinitionName``,
    ``ModelQualityAppSpecification``, ...) or the attributes of the awscc
    resource (``job_definition_name``, ``model_quality_app_specification``,
    ``tags=[{"key":..,"value":..}]``, ...); keys are matched to the API shape
    case/underscore-insensitively, map keys are kept, awscc-only attributes
    (``endpoint_name``, ``job_definition_arn``) are dropped.  Terraform
    ``${...}`` references must be resolved by the caller.  Returns the boto3
    response (``JobDefinitionArn``).
    """
    method, request = job_definition_request(client, monitoring_type, payload)
    return getattr(client, method)(**request)


def delete_job_definition(client: Any, monitoring_type: str, name: str) -> None:
    mtype = normalize_monitoring_type(monitoring_type)
    method = re.sub(r"(?<!^)(?=[A-Z])", "_", f"Delete{mtype}JobDefinition").lower()
    getattr(client, method)(JobDefinitionName=name)


# --------------------------------------------------------------------------
# convenience runner for one working directory
# --------------------------------------------------------------------------


class TerraformError(AssertionError):
    """A Terraform command ended with an unexpected exit code."""


class TerraformWorkdir:
    """Runs Terraform in one working directory and records per-step timings.

    Every method raises ``TerraformError`` (an AssertionError, so pytest
    shows the Terraform output) when the exit code is not an expected one.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = TERRAFORM_TIMEOUT,
        env: Mapping[str, str] | None = None,
    ):
        self.path = Path(path)
        self.timeout = timeout
        self.env = dict(env or {})
        self.timings: list[tuple[str, float]] = []

    def run(self, *args: str, ok: Iterable[int] = (0,)) -> tuple[int, str, str]:
        start = time.monotonic()
        result = run_terraform(list(args), self.path, timeout=self.timeout, env=self.env)
        self.timings.append((" ".join(args[:1]), time.monotonic() - start))
        if result[0] not in tuple(ok):
            raise TerraformError(format_result(args, result))
        return result

    def init(self) -> tuple[int, str, str]:
        start = time.monotonic()
        result = terraform_init(self.path, timeout=self.timeout)
        self.timings.append(("init", time.monotonic() - start))
        if result[0] != 0:
            raise TerraformError(format_result(["init"], result))
        return result

    def plan(self, *args: str) -> tuple[int, str, str]:
        """``plan -detailed-exitcode``: rc 0 = no changes, 2 = changes."""
        return self.run(
            "plan", "-input=false", "-no-color", "-detailed-exitcode", *args, ok=(0, 2)
        )

    def apply(self, *args: str) -> tuple[int, str, str]:
        return self.run("apply", "-input=false", "-no-color", "-auto-approve", *args)

    def destroy(self, *args: str) -> tuple[int, str, str]:
        return self.run("destroy", "-input=false", "-no-color", "-auto-approve", *args)

    def state_list(self) -> list[str]:
        _, out, _ = self.run("state", "list")
        return [line.strip() for line in out.splitlines() if line.strip()]

    def timing_report(self) -> str:
        total = sum(t for _, t in self.timings)
        steps = ", ".join(f"{name} {t:.1f}s" for name, t in self.timings)
        return f"{steps}; total {total:.1f}s"
