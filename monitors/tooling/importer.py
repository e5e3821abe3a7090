"""`python main.py import`: monitors that already run (made with the SageMaker SDK, the console or the CDK module)
become this project's configuration and a file of Terraform ``import`` blocks, so the first plan adopts them.

1. Read (boto3: the usual credentials, region and ``AWS_ENDPOINT_URL``) the monitoring schedules of one endpoint
   (``--endpoint``) or of every endpoint in the region (``--all``) and each schedule's job definition.
2. Map each schedule and job definition onto the flat parameters (``endpoint_parameters``). Every field of the
   descriptions is accounted for: mapped to a parameter, one of the few known differences this project makes on
   purpose (``ACCEPTED``, reported as notes), or refused, naming the field. The configuration is then validated as
   any other (``load_plan``); its problems are refusals too. A refusal writes nothing (exit 2).
3. Write the configuration (one endpoint: flat; several: ``endpoints:``, values they share hoisted), synthesize it,
   and write ``imports.tf.json`` (``imports.tf`` with ``--hcl``) into each stack folder: an ``import`` block
   (Terraform >= 1.5) for each schedule (adopted, then updated in place) and each job definition (immutable and
   named by its content here, so the plan replaces it, create before destroy). The addresses are read from the
   synthesized stack, never written down here: a schedule is found by its name, its job definition by the
   schedule's reference to it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitors.monitor_types import MONITORS
from monitors.monitor_types.base import MonitorType
from monitors.naming import default_schedule_name
from monitors.settings.fields import RESERVED_ENVIRONMENT_KEYS

BY_MONITORING_TYPE = {spec.monitoring_type: spec for spec in MONITORS.values()}
ANALYZER_REPOSITORY = "sagemaker-model-monitor-analyzer"  # the region's prebuilt image (the project's default)
CLARIFY_REPOSITORY, CLARIFY_TAG = "sagemaker-clarify-processing", "1.0"
IMPORT_TERRAFORM_VERSION = ">= 1.5.0"  # import blocks
# Fields whose value this project sets differently on purpose (docs/sdk-parity.md): reported, not refused.
ACCEPTED = {
    "RoleArn": "the stack's own least-privilege monitoring role replaces it",
    "LocalPath": "a path inside the container; the project uses SageMaker's defaults",
    "S3UploadMode": "the project uploads reports at the end of the job (EndOfJob), as docs/sdk-parity.md explains",
    "BaseliningJobName": "the new job definition reads the same baseline files, not the baselining job's record",
}
# Description fields that are no setting (identity, status, times).
IDENTITY = {"JobDefinitionArn", "JobDefinitionName", "CreationTime", "ResponseMetadata"}


class ImportRefused(Exception):
    """What the import cannot express: one line per field, each naming it."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Found:
    """One running monitor: its schedule, its job definition and their tags."""

    spec: MonitorType
    schedule: dict[str, Any]  # DescribeMonitoringSchedule
    job: dict[str, Any]  # Describe<Type>JobDefinition
    tags: dict[str, str]

    @property
    def name(self) -> str:
        return str(self.schedule["MonitoringScheduleName"])

    @property
    def where(self) -> str:
        return f"schedule {self.name} ({self.spec.title})"


# ---------------------------------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------------------------------
def _paged(call: Any, key: str, **kwargs: Any) -> Iterable[dict]:
    token = None
    while True:
        page = call(**kwargs, **({"NextToken": token} if token else {}))
        yield from page.get(key, [])
        token = page.get("NextToken")
        if not token:
            return


def _tags(sagemaker: Any, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in _paged(sagemaker.list_tags, "Tags", ResourceArn=arn)}


def read_monitors(sagemaker: Any, endpoint: str | None) -> tuple[dict[str, list[Found]], list[str]]:
    """{endpoint name: its monitors} (one endpoint, or every endpoint with ``endpoint`` None) and the refusals of
    schedules that name no endpoint or an inline job definition."""
    found: dict[str, list[Found]] = {}
    problems: list[str] = []
    filters = {"EndpointName": endpoint} if endpoint else {}
    for summary in _paged(sagemaker.list_monitoring_schedules, "MonitoringScheduleSummaries", **filters):
        name = summary["MonitoringScheduleName"]
        schedule = sagemaker.describe_monitoring_schedule(MonitoringScheduleName=name)
        schedule.pop("ResponseMetadata", None)
        config = schedule.get("MonitoringScheduleConfig", {})
        spec = BY_MONITORING_TYPE.get(config.get("MonitoringType") or schedule.get("MonitoringType") or "DataQuality")
        where = f"schedule {name}"
        if spec is None:
            problems.append(
                f"{where}: MonitoringType {config.get('MonitoringType')!r} is no monitor type of this project"
            )
            continue
        if "MonitoringJobDefinition" in config:
            problems.append(
                f"{where}: MonitoringScheduleConfig.MonitoringJobDefinition: an inline job definition (an older "
                "SDK or API form) cannot be imported; this project's schedules name a job definition"
            )
            continue
        owner = schedule.get("EndpointName")
        if not owner:
            problems.append(
                f"{where}: EndpointName: none (a batch transform monitor); this project names every monitor after "
                "an endpoint, so it cannot be imported"
            )
            continue
        job_name = config["MonitoringJobDefinitionName"]
        job = getattr(sagemaker, f"describe_{spec.name}_job_definition")(JobDefinitionName=job_name)
        job.pop("ResponseMetadata", None)
        tags = {**_tags(sagemaker, job["JobDefinitionArn"]), **_tags(sagemaker, schedule["MonitoringScheduleArn"])}
        found.setdefault(owner, []).append(Found(spec, schedule, job, tags))
    order = list(MONITORS)
    for monitors in found.values():
        monitors.sort(key=lambda f: order.index(f.spec.name))
    return found, problems


# ---------------------------------------------------------------------------------------------------------------------
# Mapping: descriptions -> flat parameters
# ---------------------------------------------------------------------------------------------------------------------
def _leaves(node: Any, path: str = "") -> Iterable[tuple[str, Any]]:
    if isinstance(node, Mapping) and node and not path.endswith("Environment"):
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list) and node and not all(isinstance(v, str) for v in node):
        for i, value in enumerate(node):
            yield from _leaves(value, f"{path}[{i}]")
    else:
        yield path, node


@dataclass
class _Reader:
    """A description whose fields are taken one by one; what no one took is refused afterwards."""

    found: Found
    taken: set[str] = field(default_factory=set)

    def get(self, path: str) -> Any:
        node: Any = self.found.job
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
            if node is None:
                break
            node = node[int(part[1:-1])] if part.startswith("[") and isinstance(node, list) else node.get(part)
        self.taken.update(p for p, _ in _leaves(node, path)) if node is not None else None
        return node

    def rest(self) -> list[tuple[str, Any]]:
        return [
            (path, value)
            for path, value in _leaves(self.found.job)
            if path not in self.taken and path.split(".")[0] not in IDENTITY and value not in (None, {}, [])
        ]


@dataclass
class _Endpoint:
    """One endpoint's parameters as they are collected, and what it cannot express."""

    name: str
    parameters: dict[str, Any] = field(default_factory=dict)
    shared_from: dict[str, str] = field(default_factory=dict)  # parameter -> the schedule that set it
    problems: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)  # what is not carried over -> the schedules

    def note(self, found: Found, text: str) -> None:
        self.notes.setdefault(text, []).append(found.name)

    def refuse(self, found: Found, path: str, why: str) -> None:
        self.problems.append(f"{found.where}: {path}: {why}")

    def shared(self, found: Found, parameter: str, value: Any, path: str) -> None:
        """An endpoint-level parameter: every monitor must agree on it."""
        if parameter in self.parameters and self.parameters[parameter] != value:
            self.refuse(
                found,
                path,
                f"{value!r} differs from {self.parameters[parameter]!r} of schedule {self.shared_from[parameter]}; "
                f"{parameter} is one value for all monitors of an endpoint",
            )
            return
        self.parameters[parameter] = value
        self.shared_from.setdefault(parameter, found.name)

    def option(self, found: Found, option: str, value: Any, path: str) -> None:
        """A monitor option; written only when it differs from the option's default."""
        spec = found.spec
        if value is None:
            return
        if not spec.has(option):
            self.refuse(found, path, f"this project has no {spec.name}_{option} parameter")
            return
        if value != spec.options.model_fields[option].default:
            self.parameters[spec.setting(option)] = value


def _baseline_prefix(endpoint: _Endpoint, found: Found, files: dict[str, tuple[str, str]]) -> str | None:
    """The one prefix holding the baseline files under this project's names, or a refusal."""
    prefixes = set()
    for kind, (path, uri) in files.items():
        expected = found.spec.baseline_files[kind]
        if not uri.endswith("/" + expected):
            endpoint.refuse(
                found,
                path,
                f"{uri!r}: this project reads {expected} under {found.spec.setting('baseline_s3_uri')}; copy the "
                f"file there under that name",
            )
            return None
        prefixes.add(uri[: -len(expected)])
    if len(prefixes) != 1:
        endpoint.refuse(
            found,
            f"{_type_prefix(found)}BaselineConfig",
            f"the baseline files are under different prefixes ({', '.join(sorted(prefixes))}); this project reads "
            f"them from one, {found.spec.setting('baseline_s3_uri')}",
        )
        return None
    return prefixes.pop()


def _type_prefix(found: Found) -> str:
    return found.spec.monitoring_type


def _repository_and_tag(image: str) -> tuple[str, str | None]:
    path = image.split("/", 1)[-1]
    if "@" in path:
        return path.split("@", 1)[0], None
    repository, _, tag = path.partition(":")
    return repository, tag or None


def _map_monitor(endpoint: _Endpoint, found: Found) -> None:
    spec, reader, t = found.spec, _Reader(found), _type_prefix(found)
    option = lambda name, path: endpoint.option(found, name, reader.get(path), path)  # noqa: E731
    endpoint.parameters[spec.setting("enabled")] = True

    # Schedule: its name (kept when it is not the one this project derives) and its expression.
    config = found.schedule.get("MonitoringScheduleConfig", {})
    # The default for a literal endpoint name (EndpointSettings.schedule_name): kept only when it differs.
    if found.name != default_schedule_name(endpoint.name, spec.resource_short_name):
        endpoint.parameters[spec.setting("schedule_name")] = found.name
    schedule = config.get("ScheduleConfig", {})
    for key in ("DataAnalysisStartTime", "DataAnalysisEndTime"):
        if schedule.get(key):
            endpoint.refuse(
                found,
                f"MonitoringScheduleConfig.ScheduleConfig.{key}",
                "a one-time (NOW) analysis window; the aws provider's schedule resource has no such attribute",
            )
    expression = schedule.get("ScheduleExpression")
    if expression is not None:
        endpoint.option(found, "schedule_expression", expression, "MonitoringScheduleConfig.ScheduleConfig")

    # Resources and limits.
    option("instance_count", "JobResources.ClusterConfig.InstanceCount")
    option("instance_type", "JobResources.ClusterConfig.InstanceType")
    option("instance_volume_size_in_gb", "JobResources.ClusterConfig.VolumeSizeInGB")
    option("max_runtime_in_seconds", "StoppingCondition.MaxRuntimeInSeconds")
    volume_key = reader.get("JobResources.ClusterConfig.VolumeKmsKeyId")
    output_key = reader.get(f"{t}JobOutputConfig.KmsKeyId")
    if volume_key != output_key:
        endpoint.refuse(
            found,
            f"{t}JobOutputConfig.KmsKeyId",
            f"{output_key!r} differs from JobResources.ClusterConfig.VolumeKmsKeyId {volume_key!r}; this project "
            "encrypts volumes and outputs with one key, kms_key_id",
        )
    elif volume_key:
        endpoint.shared(found, "kms_key_id", volume_key, "JobResources.ClusterConfig.VolumeKmsKeyId")

    # Network: endpoint-level parameters.
    network = "NetworkConfig"
    endpoint.shared(
        found,
        "enable_inter_container_traffic_encryption",
        bool(reader.get(f"{network}.EnableInterContainerTrafficEncryption")),
        f"{network}.EnableInterContainerTrafficEncryption",
    )
    endpoint.shared(
        found,
        "enable_network_isolation",
        bool(reader.get(f"{network}.EnableNetworkIsolation")),
        f"{network}.EnableNetworkIsolation",
    )
    groups = reader.get(f"{network}.VpcConfig.SecurityGroupIds")
    subnets = reader.get(f"{network}.VpcConfig.Subnets")
    if groups is not None and len(groups) != 1:
        endpoint.refuse(
            found, f"{network}.VpcConfig.SecurityGroupIds", f"{len(groups)} security groups; security_group_id is one"
        )
    elif groups:
        endpoint.shared(found, "security_group_id", groups[0], f"{network}.VpcConfig.SecurityGroupIds")
        endpoint.shared(found, "subnet_ids", list(subnets or []), f"{network}.VpcConfig.Subnets")

    # The container: image, environment, scripts, problem type, analysis configuration.
    app = f"{t}AppSpecification"
    image = reader.get(f"{app}.ImageUri")
    repository, tag = _repository_and_tag(str(image or ""))
    if spec.image == "analyzer" and repository != ANALYZER_REPOSITORY:
        endpoint.shared(found, "model_monitor_image_uri", image, f"{app}.ImageUri")
    elif spec.image == "clarify" and (repository, tag) != (CLARIFY_REPOSITORY, CLARIFY_TAG):
        endpoint.shared(found, "clarify_image_uri", image, f"{app}.ImageUri")
    environment = dict(reader.get(f"{app}.Environment") or {})
    metrics = environment.pop("publish_cloudwatch_metrics", "Disabled")
    if metrics not in ("Enabled", "Disabled"):
        endpoint.refuse(found, f"{app}.Environment.publish_cloudwatch_metrics", f"{metrics!r}: Enabled or Disabled")
    endpoint.shared(
        found, "publish_cloudwatch_metrics", metrics == "Enabled", f"{app}.Environment.publish_cloudwatch_metrics"
    )
    for key in [k for k in environment if k in RESERVED_ENVIRONMENT_KEYS]:
        environment.pop(key)
        endpoint.refuse(
            found, f"{app}.Environment.{key}", "a key the container reserves; <monitor>_environment refuses it"
        )
    endpoint.option(found, "environment", dict(sorted(environment.items())) or None, f"{app}.Environment")
    option("record_preprocessor_source_uri", f"{app}.RecordPreprocessorSourceUri")
    option("post_analytics_processor_source_uri", f"{app}.PostAnalyticsProcessorSourceUri")
    option("problem_type", f"{app}.ProblemType")

    # Baseline.
    baseline = f"{t}BaselineConfig"
    files = {
        kind: (f"{baseline}.{resource}.S3Uri", reader.get(f"{baseline}.{resource}.S3Uri"))
        for kind, resource in (("constraints", "ConstraintsResource"), ("statistics", "StatisticsResource"))
        if kind in spec.baseline_files
    }
    if reader.get(f"{baseline}.BaseliningJobName"):
        endpoint.note(found, f"BaselineConfig.BaseliningJobName: {ACCEPTED['BaseliningJobName']}")
    missing = [path for path, uri in files.values() if not uri]
    if missing:
        endpoint.refuse(
            found,
            missing[0],
            "no baseline file; this project needs a baseline (give one, or turn on baseline generation)",
        )
    else:
        prefix = _baseline_prefix(endpoint, found, files)
        if prefix is not None:
            endpoint.parameters[spec.setting("baseline_s3_uri")] = prefix
            # Clarify: the job's own analysis configuration, read as it is (unset, the stack would write one
            # from baseline_<monitor>_params, which a running monitor does not have).
            endpoint.option(found, "analysis_config_s3_uri", reader.get(f"{app}.ConfigUri"), f"{app}.ConfigUri")

    # Input: the endpoint's captured data (and ground truth).
    job_input = f"{t}JobInput"
    if reader.get(f"{job_input}.BatchTransformInput"):
        endpoint.refuse(found, f"{job_input}.BatchTransformInput", "a batch transform input on an endpoint's schedule")
    captured = f"{job_input}.EndpointInput"
    if reader.get(f"{captured}.EndpointName") != endpoint.name:
        endpoint.refuse(found, f"{captured}.EndpointName", f"not the schedule's endpoint {endpoint.name}")
    option("s3_input_mode", f"{captured}.S3InputMode")
    option("s3_data_distribution_type", f"{captured}.S3DataDistributionType")
    excluded = reader.get(f"{captured}.ExcludeFeaturesAttribute")
    endpoint.option(
        found,
        "exclude_features",
        [name.strip() for name in str(excluded).split(",")] if excluded else None,
        f"{captured}.ExcludeFeaturesAttribute",
    )
    for api, name in (
        ("FeaturesAttribute", "features_attribute"),
        ("InferenceAttribute", "inference_attribute"),
        ("ProbabilityAttribute", "probability_attribute"),
        ("ProbabilityThresholdAttribute", "probability_threshold_attribute"),
        ("StartTimeOffset", "start_time_offset"),
        ("EndTimeOffset", "end_time_offset"),
    ):
        option(name, f"{captured}.{api}")
    option("ground_truth_s3_uri", f"{job_input}.GroundTruthS3Input.S3Uri")
    reader.get(f"{captured}.LocalPath")

    # Output.
    outputs = reader.get(f"{t}JobOutputConfig.MonitoringOutputs") or []
    if len(outputs) != 1:
        endpoint.refuse(found, f"{t}JobOutputConfig.MonitoringOutputs", f"{len(outputs)} outputs; this project has one")
    else:
        s3 = f"{t}JobOutputConfig.MonitoringOutputs[0].S3Output"
        option("output_s3_uri", f"{s3}.S3Uri")
        if reader.get(f"{s3}.S3UploadMode") not in (None, "EndOfJob"):
            endpoint.note(found, f"JobOutputConfig...S3UploadMode: {ACCEPTED['S3UploadMode']}")
        reader.get(f"{s3}.LocalPath")
    reader.get("RoleArn")
    endpoint.note(found, f"RoleArn {found.job.get('RoleArn')}: {ACCEPTED['RoleArn']}")

    # Tags, except AWS's own.
    tags = {k: v for k, v in sorted(found.tags.items()) if not k.lower().startswith("aws:")}
    if len(tags) != len(found.tags):
        endpoint.note(found, "Tags: aws:* tags are AWS's own and are not written")
    endpoint.shared(found, "tags", tags, "Tags")

    for path, _ in reader.rest():
        endpoint.refuse(found, path, "this project has no parameter for it")


def endpoint_parameters(
    endpoint: str, monitors: list[Found], region: str, partition: str = "aws"
) -> tuple[dict[str, Any], list[str]]:
    """One endpoint's flat parameters and notes, from its running monitors. Raises ImportRefused."""
    collected = _Endpoint(endpoint)
    collected.parameters.update(endpoint_name=endpoint, region=region)
    by_type: dict[str, list[Found]] = {}
    for found in monitors:
        by_type.setdefault(found.spec.name, []).append(found)
    for name, same in by_type.items():
        if len(same) > 1:
            collected.problems.append(
                f"endpoint {endpoint}: {len(same)} {MONITORS[name].title} schedules "
                f"({', '.join(sorted(f.name for f in same))}); this project runs one per monitor type"
            )
            continue
        _map_monitor(collected, same[0])
    if collected.problems:
        raise ImportRefused(collected.problems)
    parameters = collected.parameters
    buckets = [
        uri.split("/")[2]
        for key, uri in parameters.items()
        if key.endswith("_s3_uri") and isinstance(uri, str) and uri.startswith("s3://")
    ]
    if buckets:  # every S3 URI must be in it (the settings' rule reports those that are not)
        parameters["model_bucket_arn"] = f"arn:{partition}:s3:::{buckets[0]}"
    defaults = {
        "enable_inter_container_traffic_encryption": True,
        "enable_network_isolation": False,
        "publish_cloudwatch_metrics": True,
        "tags": {},
    }
    for key, default in defaults.items():
        if parameters.get(key) == default:
            del parameters[key]
    # The endpoint's identity, the shared parameters, then each monitor's (the registry's order).
    monitor_keys = {
        spec.setting(option): spec.name for spec in MONITORS.values() for option in spec.options.model_fields
    }
    order = [None, *MONITORS]
    first = ("endpoint_name", "model_bucket_arn", "region")
    ordered = {key: parameters[key] for key in first if key in parameters}
    rest = sorted((k for k in parameters if k not in first), key=lambda k: (order.index(monitor_keys.get(k)), k))
    ordered.update((key, parameters[key]) for key in rest)
    notes = [f"{text} (schedules {', '.join(names)})" for text, names in collected.notes.items()]
    return ordered, notes


def configuration(endpoints: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """The configuration file's content: flat for one endpoint; ``endpoints:`` for several, with the values they
    all share as the flat defaults (README, "Many endpoints")."""
    if len(endpoints) == 1:
        return dict(next(iter(endpoints.values())))
    entries = list(endpoints.values())
    shared = {
        key: value
        for key, value in entries[0].items()
        if key != "endpoint_name"
        and not key.endswith("_schedule_name")
        and all(key in e and e[key] == value for e in entries)
    }
    return {
        **shared,
        "endpoints": [{k: v for k, v in e.items() if k not in shared} for e in entries],
    }


# ---------------------------------------------------------------------------------------------------------------------
# Import blocks, from the synthesized stacks
# ---------------------------------------------------------------------------------------------------------------------
REFERENCE = re.compile(r"^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.[a-z_]+\}$")


def import_blocks(tf: Mapping[str, Any], monitors: Iterable[Found]) -> list[dict[str, str]]:
    """[{to, id}] for the schedules of ``monitors`` that this stack holds, and their job definitions: the addresses
    as the synth wrote them (a schedule found by its name, its job definition by the schedule's reference)."""
    schedules = {
        str(attrs.get("name")): (f"aws_sagemaker_monitoring_schedule.{address}", attrs)
        for address, attrs in tf.get("resource", {}).get("aws_sagemaker_monitoring_schedule", {}).items()
    }
    blocks = []
    for found in monitors:
        if found.name not in schedules:
            continue
        address, attrs = schedules[found.name]
        blocks.append({"to": address, "id": found.name})
        reference = REFERENCE.match(str(attrs["monitoring_schedule_config"]["monitoring_job_definition_name"]))
        assert reference, "the schedule refers to its job definition"
        definition = reference.group(1)
        # The aws provider imports a job definition by name; awscc by its primary identifier, the ARN.
        identifier = found.job["JobDefinitionName"] if definition.startswith("aws_") else found.job["JobDefinitionArn"]
        blocks.append({"to": definition, "id": identifier})
    return blocks


def imports_json(blocks: list[dict[str, str]]) -> str:
    return json.dumps(
        {"terraform": {"required_version": IMPORT_TERRAFORM_VERSION}, "import": blocks}, indent=2, sort_keys=False
    )


def imports_hcl(blocks: list[dict[str, str]]) -> str:
    from monitors.tooling.hcl import string_expression

    lines = ["terraform {", f"  required_version = {string_expression(IMPORT_TERRAFORM_VERSION)}", "}"]
    for block in blocks:
        lines += ["", "import {", f"  to = {block['to']}", f"  id = {string_expression(block['id'])}", "}"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------------------------------
def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="main.py import",
        description="Write the configuration of monitors that already run (their schedules and job definitions, read "
        "with boto3) and a file of Terraform import blocks, so the first plan adopts them. Whatever cannot be "
        "expressed is refused, naming the field; then nothing is written (exit 2).",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--endpoint", help="the endpoint whose monitors to import")
    which.add_argument("--all", action="store_true", help="every endpoint with monitors in the region")
    parser.add_argument("--region", help="AWS region (default: the usual AWS_REGION / profile)")
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("monitoring.yaml"),
        help="configuration file to write (default: %(default)s)",
    )
    parser.add_argument(
        "--outdir", type=Path, default=Path("cdktf.out"), help="synth output folder (default: %(default)s)"
    )
    parser.add_argument("--hcl", action="store_true", help="write cdk.tf and imports.tf (HCL) instead of JSON")
    return parser.parse_args(argv)


def _refused(problems: list[str]) -> int:
    for line in problems:
        print(f"error: {line}", file=sys.stderr)
    print(f"{len(problems)} field(s) cannot be imported; nothing was written.", file=sys.stderr)
    return 2


def main(argv: list[str]) -> int:
    import yaml

    args = parse_args(argv)
    if args.output.exists():
        return _refused([f"--output: {args.output} exists; remove it or give another file"])
    try:  # not a dependency of the synth (tests/test_synth_path.py): only this command reads the account
        import boto3
        import botocore.exceptions
    except ImportError:
        print("error: `main.py import` needs boto3 (pip install boto3); nothing was written.", file=sys.stderr)
        return 2

    try:
        session = boto3.Session(region_name=args.region)
        region = session.region_name
        if not region:
            return _refused(["--region: no region (give --region or set AWS_REGION)"])
        sagemaker = session.client("sagemaker")
        partition = session.get_partition_for_region(region)
        found, problems = read_monitors(sagemaker, args.endpoint)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        print(f"error: reading the monitoring schedules: {exc}", file=sys.stderr)
        return 2
    if not found and not problems:
        where = f"endpoint {args.endpoint}" if args.endpoint else f"region {region}"
        return _refused([f"{where}: no monitoring schedules found"])
    parameters: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for endpoint in sorted(found):
        try:
            parameters[endpoint], endpoint_notes = endpoint_parameters(endpoint, found[endpoint], region, partition)
            notes += endpoint_notes
        except ImportRefused as exc:
            problems += exc.problems
    if problems:
        return _refused(problems)
    config = configuration(parameters)
    text = yaml.safe_dump(config, sort_keys=False, default_flow_style=False)

    from monitors.settings.config import ConfigError, load_plan

    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / "import.yaml"
        candidate.write_text(text, encoding="utf-8")
        try:
            plans, warnings = load_plan(candidate, environ={})
        except ConfigError as exc:
            return _refused([f"the imported configuration: {line}" for line in exc.problems])

    os.environ.pop("SYNTH_HCL_OUTPUT", None)
    from monitors.constructs.app import synthesize
    from monitors.tooling.output import OutputError

    try:
        stacks = synthesize(plans, args.outdir, hcl=args.hcl)
    except (OutputError, OSError) as exc:
        print(f"error: --outdir: {exc}; the configuration was not written.", file=sys.stderr)
        return 2
    args.output.write_text(
        "# Written by `python main.py import` from the monitors that run in "
        f"{region}; see docs/user-guide.md#adopting-monitors-that-already-run\n" + text,
        encoding="utf-8",
    )
    for line in warnings:  # what a synth of the written file says too
        print(line, file=sys.stderr)
    print(f"wrote {args.output}", file=sys.stderr)
    every = [f for endpoint in found.values() for f in endpoint]
    for stack in stacks:
        tf = json.loads((stack / "cdk.tf.json").read_text()) if not args.hcl else _synthesized_json(plans, stack)
        blocks = import_blocks(tf, every)
        target = stack / ("imports.tf" if args.hcl else "imports.tf.json")
        target.write_text(imports_hcl(blocks) if args.hcl else imports_json(blocks) + "\n", encoding="utf-8")
        print(f"wrote {os.path.relpath(target)} ({len(blocks)} import blocks)", file=sys.stderr)
    for line in notes:
        print(f"note: {line}", file=sys.stderr)
    return 0


def _synthesized_json(plans: list[Any], stack: Path) -> dict[str, Any]:
    """The stack's JSON document (the HCL output holds the same resources): synthesized again into a scratch folder."""
    from monitors.constructs.app import synthesize

    with tempfile.TemporaryDirectory() as scratch:
        for path in synthesize(plans, Path(scratch) / "out"):
            if path.name == stack.name:
                return dict(json.loads((path / "cdk.tf.json").read_text()))
    raise AssertionError(f"no stack {stack.name} in the synthesis")
