"""What this project sends to the SageMaker API for a case's setup.

* Job definitions and schedules: the synthesized ``cdk.tf.json`` mapped to the API request shapes. The aws
  provider's and awscc's attribute names are the snake_case of the API members (CloudFormation property
  names are the API names); ``tests/emulator/harness._coerce_to_shape`` maps them member by member against
  botocore's SageMaker service model and fails on any attribute that is not a member of the operation's
  input shape, and botocore's parameter validator then checks types and required members. (Applying with
  Terraform against moto would only cover the aws provider's half, and costs minutes under load; this
  mapping covers all four monitors in about a second.) Terraform references are resolved to the values
  the SDK side is given (role, KMS key ARN, image, the job definition's own name).
* Baseline processing jobs: the baseline Lambda's own code (lambda_image/sagemaker_baseline.py, which
  drives the SDK) run on the event the stack sends (monitors/settings/baseline_events.py) with the Lambda's environment
  from the synthesized function, its SageMaker calls captured like the SDK's (capture.py).
* Analysis config files: what the monitor's ``ConfigUri`` points at: an ``aws_s3_object`` of the stack,
  the file the baseline job writes, or a file the user provides.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path
from typing import Any

import botocore.session
from botocore.validate import validate_parameters

from sdk_parity import matrix as m
from sdk_parity.capture import Recorder
from sdk_parity.matrix import Case
from sdk_parity.sdk_requests import LIFETIME_IMMUTABLE, MONITORING_TYPES, collect

REPO = Path(__file__).resolve().parents[2]
META_ARGUMENTS = {"//", "lifecycle", "depends_on", "provider", "count", "for_each"}
IMAGE_REGISTRY = f"000000000000.dkr.ecr.{m.REGION}.amazonaws.com"  # normalized away (compare.py)
LIFETIME_BASELINE_RUN = "the baseline job's output, rewritten in place by every baseline run"
LIFETIME_USER = "a file the user provides under the baseline prefix (the project writes none)"
LIFETIME_OBJECT_SHARED = "an aws_s3_object whose key does not change with its content"


@functools.cache
def service_model():
    return botocore.session.get_session().get_service_model("sagemaker")


def synthesize(cases: tuple[Case, ...], outdir: Path) -> dict[str, tuple[dict, Path]]:
    """{case id: (cdk.tf.json, stack folder)}: all cases in one app (jsii loads once)."""
    from monitors.constructs.app import synthesize as synth
    from monitors.settings.config import validate

    folders = synth([validate(m.project_config(case)) for case in cases], outdir)
    by_name = {folder.name: folder for folder in folders}
    return {
        case.id: (
            json.loads((by_name[m.project_config(case)["stack_name"]] / "cdk.tf.json").read_text()),
            by_name[m.project_config(case)["stack_name"]],
        )
        for case in cases
    }


# --------------------------------------------------------------------------- Terraform references


def _resolver(tf: dict):
    names = {}
    for rtype, resources in tf.get("resource", {}).items():
        for logical, attrs in resources.items():
            for attr in ("name", "job_definition_name", "key", "bucket"):
                if isinstance(attrs.get(attr), str):
                    names[f"{rtype}.{logical}.{attr}"] = attrs[attr]
    images = {
        logical: f"{IMAGE_REGISTRY}/{attrs['repository_name']}:{attrs['image_tag']}"
        for logical, attrs in tf.get("data", {}).get("aws_sagemaker_prebuilt_ecr_image", {}).items()
    }
    rules = [
        (re.compile(r"\$\{aws_iam_role\.monitoring_role[A-Za-z0-9_]*\.arn\}"), lambda _: m.ROLE_ARN),
        (re.compile(r"\$\{data\.aws_kms_key\.[A-Za-z0-9_]+\.arn\}"), lambda _: m.KMS_KEY_ARN),
        (
            re.compile(r"\$\{data\.aws_sagemaker_prebuilt_ecr_image\.([A-Za-z0-9_]+)\.registry_path\}"),
            lambda g: images[g.group(1)],
        ),
        (
            re.compile(r"\$\{([a-z_]+\.[A-Za-z0-9_]+\.(?:name|job_definition_name|key|bucket))\}"),
            lambda g: names[g.group(1)],
        ),
    ]

    def resolve(value: Any) -> Any:
        if isinstance(value, str):
            for pattern, replace in rules:
                value = pattern.sub(replace, value)
            assert "${" not in value, f"unmapped Terraform reference in {value!r}: teach project_requests._resolver"
            return value
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return value

    return resolve


def _to_api(operation: str, attributes: dict) -> dict:
    """awscc / aws provider attributes -> the operation's request, every key checked against botocore's model."""
    from emulator.harness import _coerce_to_shape

    shape = service_model().operation_model(operation).input_shape
    request = _coerce_to_shape(attributes, shape, operation)
    validate_parameters(request, shape)  # types and required members (raises ParamValidationError)
    return request


def _tags(tags: dict) -> list[dict]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def terraform_requests(tf: dict) -> dict[str, Any]:
    resolve = _resolver(tf)
    default_tags = {}
    for provider in tf.get("provider", {}).get("aws", []):
        for block in provider.get("default_tags", []):
            default_tags.update(block.get("tags", {}))
    requests: dict[str, Any] = {}
    resources = tf.get("resource", {})
    for attrs in resources.get("aws_sagemaker_data_quality_job_definition", {}).values():
        body = resolve({k: v for k, v in attrs.items() if k not in META_ARGUMENTS})
        body["job_definition_name"] = body.pop("name")
        # The aws provider adds default_tags to every resource that takes tags.
        body["tags"] = _tags({**default_tags, **body.pop("tags", {})})
        requests["CreateDataQualityJobDefinition"] = _to_api("CreateDataQualityJobDefinition", body)
    for monitor, mtype in MONITORING_TYPES.items():
        for attrs in resources.get(f"awscc_sagemaker_{monitor}_job_definition", {}).values():
            body = resolve({k: v for k, v in attrs.items() if k not in META_ARGUMENTS})
            requests[f"Create{mtype}JobDefinition"] = _to_api(f"Create{mtype}JobDefinition", body)
    for attrs in resources.get("aws_sagemaker_monitoring_schedule", {}).values():
        body = resolve({k: v for k, v in attrs.items() if k not in META_ARGUMENTS})
        body["monitoring_schedule_name"] = body.pop("name")
        body["tags"] = _tags({**default_tags, **body.pop("tags", {})})
        request = _to_api("CreateMonitoringSchedule", body)
        requests[f"CreateMonitoringSchedule ({request['MonitoringScheduleConfig']['MonitoringType']})"] = request
    return requests


# --------------------------------------------------------------------------- baseline Lambda


def _lambda_modules():
    lambda_dir = str(REPO / "lambda_image")
    if lambda_dir not in sys.path:
        sys.path.insert(0, lambda_dir)
    import event_validation
    import sagemaker_baseline

    return event_validation, sagemaker_baseline


def baseline_requests(case: Case, tf: dict, recorder: Recorder) -> dict[str, Any]:
    """The baseline Lambda's requests for each monitor's baseline run, from the stack's own event."""
    from monitors.settings.baseline_events import baseline_event
    from monitors.settings.config import validate

    event_validation, sagemaker_baseline = _lambda_modules()
    [function] = [
        f
        for f in tf["resource"]["aws_lambda_function"].values()
        if "SAGEMAKER_ROLE_ARN" in f.get("environment", {}).get("variables", {})
    ]
    environment = _resolver(tf)(function["environment"]["variables"])
    runtime = event_validation.RuntimeSettings.from_env(environment)
    settings = validate(m.project_config(case))
    session = recorder.session()
    for monitor in case.monitors:
        request = event_validation.validate_start(baseline_event(settings, monitor))
        sagemaker_baseline.start_baseline_job(request, runtime, session)
    return collect(case, recorder, session.client("s3"), side="project")


# --------------------------------------------------------------------------- analysis config files


def _s3_objects(tf: dict, stack_dir: Path) -> dict[str, dict]:
    """{s3 uri: {"content": parsed JSON, "upload": encryption arguments}} of the stack's aws_s3_object resources."""
    resolve = _resolver(tf)
    found = {}
    for attrs in tf.get("resource", {}).get("aws_s3_object", {}).values():
        attrs = resolve({k: v for k, v in attrs.items() if k not in META_ARGUMENTS})
        if "content" in attrs:
            text = attrs["content"]
        elif "source" in attrs:
            text = (stack_dir / attrs["source"]).read_text()
        else:
            continue
        try:
            content = json.loads(text)
        except ValueError:
            continue
        upload = {}
        if attrs.get("kms_key_id"):
            upload["SSEKMSKeyId"] = attrs["kms_key_id"]
        if attrs.get("server_side_encryption"):
            upload["ServerSideEncryption"] = attrs["server_side_encryption"]
        found[f"s3://{attrs['bucket']}/{attrs['key']}"] = {"content": content, "upload": upload}
    return found


def analysis_configs(case: Case, tf: dict, stack_dir: Path, requests: dict[str, Any]) -> dict[str, Any]:
    """The analysis config each Clarify monitor reads, classified by who writes it and how long it lives."""
    objects = _s3_objects(tf, stack_dir)
    configs = {}
    for monitor in ("model_bias", "model_explainability"):
        mtype = MONITORING_TYPES[monitor]
        definition = requests.get(f"Create{mtype}JobDefinition")
        if definition is None:
            continue
        uri = definition[f"{mtype}AppSpecification"]["ConfigUri"]
        job_name = definition["JobDefinitionName"]
        baseline_job_config = requests.get(f"analysis_config.json ({mtype} baseline job)")
        if uri in objects:
            # Immutable when its key changes with its content or names its job definition (which does).
            key = uri.removeprefix("s3://").split("/", 1)[1]
            immutable = job_name in key or re.search(r"[0-9a-f]{8,}", key)
            entry = {
                "uri": uri,
                **objects[uri],
                "lifetime": LIFETIME_IMMUTABLE if immutable else LIFETIME_OBJECT_SHARED,
            }
        elif baseline_job_config is not None and uri == baseline_job_config["uri"]:
            entry = {**baseline_job_config, "lifetime": LIFETIME_BASELINE_RUN}
        elif case.baselines == "given" and uri.startswith(m.given_baseline_prefix(monitor)):
            entry = {"uri": uri, "content": None, "upload": None, "lifetime": LIFETIME_USER}
        else:
            raise AssertionError(f"{monitor}: cannot tell who writes its analysis config {uri}")
        configs[f"analysis_config.json ({mtype} monitor)"] = entry
    return configs


def project_requests(case: Case, tf: dict, stack_dir: Path, recorder: Recorder) -> dict[str, Any]:
    requests = terraform_requests(tf)
    if case.baselines == "generated":
        requests.update(baseline_requests(case, tf, recorder))
    requests.update(analysis_configs(case, tf, stack_dir, requests))
    return requests
