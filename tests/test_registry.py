"""The monitor types: one module each, one registry; every flat parameter declared once and mapped in one place;
the layers import in one direction."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from conftest import BUCKET, MINIMAL

from monitors.monitor_types import MONITOR_TYPES, MONITORS
from monitors.monitor_types.base import MonitorOptions
from monitors.settings.config import validate
from monitors.settings.fields import INSTANCE_TYPE_RE
from monitors.settings.model import PARAMETERS, STACK_LEVEL, Settings, flat_location, nest

ROOT = Path(__file__).resolve().parent.parent
S = f"s3://{BUCKET}"
SOURCES = sorted([*(ROOT / "monitors").rglob("*.py"), *(ROOT / "baseline").rglob("*.py")])


def test_every_flat_parameter_has_one_place():
    per_monitor = {name: p for name, p in PARAMETERS.items() if p.monitor}
    # each monitor option is one flat parameter, and each flat parameter one field
    # 103: with the Clarify model formats, <monitor>_baseline_pinned, <monitor>_schedule_name, <monitor>_environment,
    # _s3_input_mode, _s3_data_distribution_type and data_quality_exclude_features (issues 20, 21)
    assert len(per_monitor) == sum(len(spec.options.model_fields) for spec in MONITORS.values()) == 103
    assert {(p.monitor, p.field) for p in per_monitor.values()} == {
        (spec.name, option) for spec in MONITORS.values() for option in spec.options.model_fields
    }
    assert set(PARAMETERS) - set(per_monitor) == set(Settings.model_fields) - set(MONITORS)
    # the seed's names: <monitor>_<option>, enable_<monitor>_monitor, baseline_<monitor>_params, the drift alarms
    assert {
        "enable_model_bias_monitor",
        "baseline_model_explainability_params",
        "data_quality_drift_alarms",
        "model_quality_alarms",
        "model_bias_instance_type",
        "data_quality_record_preprocessor_source_uri",
    } <= set(per_monitor)
    assert nest(
        {"model_bias_instance_type": "ml.c5.xlarge", "region": "us-east-1", "enable_data_quality_monitor": True}
    ) == {"model_bias": {"instance_type": "ml.c5.xlarge"}, "region": "us-east-1", "data_quality": {"enabled": True}}
    assert flat_location(("data_quality", "alarms", 0, "feature")) == ("data_quality_drift_alarms", 0, "feature")


def test_a_monitor_type_is_declared_by_its_options_model():
    for spec in MONITORS.values():
        assert issubclass(spec.options, MonitorOptions)
        # Settings holds one field per monitor type, typed by the type's own model
        assert Settings.model_fields[spec.name].annotation is spec.options


# A given Clarify baseline's monitor configuration is written from its params (headers; explainability: the model).
CLARIFY_PARAMS = {
    "model_bias": {"baseline_model_bias_params": {"headers": "feature1,feature2,feature3,label"}},
    "model_explainability": {
        "baseline_model_explainability_params": {"headers": "feature1,feature2,feature3,label", "model_name": "m"}
    },
}


def test_view_reads_the_monitor_parameters_without_prefix():
    settings = validate(
        {
            **MINIMAL,
            "enable_model_bias_monitor": True,
            "model_bias_baseline_s3_uri": f"{S}/b/",
            "baseline_model_bias_params": {"headers": "feature1,feature2,feature3,label"},
            "model_bias_output_s3_uri": f"{S}/o/",
            "model_bias_ground_truth_s3_uri": f"{S}/gt/",
            "model_bias_instance_type": "ml.c5.xlarge",
            "model_bias_start_time_offset": "-PT2H",
            "publish_cloudwatch_metrics": False,
        }
    )
    bias = settings.monitor("model_bias")
    assert (
        bias.name,
        bias.enabled,
        bias.options.instance_type,
        bias.options.start_time_offset,
        bias.options.ground_truth_s3_uri,
    ) == ("model_bias", True, "ml.c5.xlarge", "-PT2H", f"{S}/gt/")
    assert (bias.publishes_metrics, bias.generated_baseline) == (False, False)
    assert settings.parameter("model_bias_instance_type") == "ml.c5.xlarge" == settings.model_bias.instance_type
    quality = settings.monitor("data_quality")
    assert not quality.spec.has("ground_truth_s3_uri") and not hasattr(quality.options, "problem_type")
    assert settings.enabled_monitors == ("data_quality", "model_bias")


def test_constructs_get_typed_views_not_the_whole_settings():
    """Only the public construct (monitors/constructs/construct.py, the composition root) takes Settings; each
    construct below
    it gets the typed views of what it builds (issue 12)."""
    import dataclasses

    from monitors.constructs.alerts import AlertsConfig
    from monitors.constructs.baseline_generation import BaselineConfig
    from monitors.constructs.monitor import MonitorConfig
    from monitors.payloads.common import MonitorJob

    for config in (MonitorConfig, MonitorJob, BaselineConfig, AlertsConfig):
        hints = typing.get_type_hints(config)
        assert set(hints) == {f.name for f in dataclasses.fields(config)}
        assert Settings not in [a for hint in hints.values() for a in (hint, *typing.get_args(hint))], config


def test_shared_views_carry_the_endpoint_baseline_and_alert_settings():
    settings = validate(
        {
            **MINIMAL,
            "kms_key_id": "alias/mm",
            "subnet_ids": ["subnet-0123456789abcdef0"],
            "security_group_id": "sg-0123456789abcdef0",
            "enable_network_isolation": True,
            "tags": {"team": "ml"},
            "baseline_training_data_s3_uri": f"{S}/train.csv",
            "baseline_output_data_s3_uri": f"{S}/baselines",
            "baseline_instance_type": "ml.m5.2xlarge",
            "baseline_run_on_deploy": False,
            "baseline_log_retention_days": 30,
            "alert_sns_topic_arn": "arn:aws:sns:us-east-2:123456789012:alerts",
            "alert_email_addresses": ["ops@example.com"],
            "alert_check_interval_minutes": 15,
        }
    )
    endpoint = settings.endpoint()
    assert (endpoint.endpoint_name, endpoint.stack_name, endpoint.model_bucket_arn, endpoint.kms_key_id) == (
        settings.endpoint_name,
        settings.stack_name,
        settings.model_bucket_arn,
        "alias/mm",
    )
    assert dict(endpoint.tags) == settings.resource_tags() and endpoint.tags["team"] == "ml"
    net = endpoint.network
    assert (
        net.subnet_ids,
        net.security_group_id,
        net.vpc_enabled,
        net.enable_network_isolation,
        net.enable_inter_container_traffic_encryption,
    ) == (("subnet-0123456789abcdef0",), "sg-0123456789abcdef0", True, True, True)
    generation = settings.baseline_generation()
    assert (
        generation.training_data_s3_uri,
        generation.output_data_s3_uri,
        generation.instance_type,
        generation.run_on_deploy,
        generation.log_retention_days,
        generation.schedule_expression,
    ) == (f"{S}/train.csv", f"{S}/baselines", "ml.m5.2xlarge", False, 30, "cron(0 2 * * ? *)")
    alerting = settings.alerting()
    assert (
        alerting.sns_topic_arn,
        alerting.email_addresses,
        alerting.check_interval_minutes,
        alerting.log_retention_days,
        alerting.on_monitoring_executions,
        alerting.alarm_treat_missing_data,
    ) == ("arn:aws:sns:us-east-2:123456789012:alerts", ("ops@example.com",), 15, 30, True, "ignore")
    plain = validate(MINIMAL)
    assert plain.baseline_generation() is None and plain.alerting() is None
    assert plain.endpoint().network.vpc_enabled is False and plain.endpoint().network.subnet_ids == ()


@pytest.mark.parametrize("monitor", MONITOR_TYPES)
def test_spec_builds_its_payload_for_its_resource(monitor):
    from monitors.payloads.awscc_shapes import JobDefinitionConfig
    from monitors.payloads.common import MonitorInputs
    from monitors.payloads.job_definitions import monitor_job

    spec = MONITORS[monitor]
    assert (spec.analysis_config is not None) == ("config" in spec.baseline_files)
    assert spec.job_definition_resource.startswith(f"{spec.provider}_sagemaker_")
    settings = validate(
        {
            **MINIMAL,
            "enable_data_quality_monitor": False,
            f"enable_{monitor}_monitor": True,
            f"{monitor}_baseline_s3_uri": f"{S}/b/",
            f"{monitor}_output_s3_uri": f"{S}/o/",
            f"{monitor}_ground_truth_s3_uri": f"{S}/gt/",
            f"{monitor}_inference_attribute": "0",
            **CLARIFY_PARAMS.get(monitor, {}),
        }
        if spec.needs_ground_truth
        else {
            **MINIMAL,
            "enable_data_quality_monitor": False,
            f"enable_{monitor}_monitor": True,
            f"{monitor}_baseline_s3_uri": f"{S}/b/",
            f"{monitor}_output_s3_uri": f"{S}/o/",
            **CLARIFY_PARAMS.get(monitor, {}),
        }
    )
    payload = spec.build_payload(monitor_job(settings, monitor), MonitorInputs(role_arn="r", image_uri="i"), "n")
    if spec.provider == "awscc":  # the typed config names the resource the construct makes
        assert isinstance(payload, JobDefinitionConfig) and spec.job_definition_resource == payload.RESOURCE_TYPE
    else:
        assert (
            payload["name"] == "n"
            and payload["data_quality_job_output_config"]["monitoring_outputs"]["s3_output"]["s3_uri"] == f"{S}/o/"
        )
    assert spec.metric_namespace(batch=False) == f"aws/sagemaker/Endpoints/{spec.metrics}"
    assert spec.metric_namespace(batch=True) == f"aws/sagemaker/ModelMonitoring/{spec.metrics}"
    assert "constraints" in spec.baseline_files


def test_short_names_are_unique_per_use():
    for attribute in ("resource_short_name", "baseline_job_short_name", "monitoring_type"):
        values = [getattr(spec, attribute) for spec in MONITORS.values()]
        assert len(set(values)) == len(values), attribute


def test_lambda_tables_match_the_registry():
    """The self-contained Lambda image keeps its own copies (it cannot import the registry); they must agree."""
    from monitors.settings.baseline_events import _event_validation

    image = _event_validation()
    assert tuple(image.MONITOR_TYPES) == MONITOR_TYPES
    assert dict(image.MONITOR_TYPE_SHORT) == {n: s.baseline_job_short_name for n, s in MONITORS.items()}
    assert image.INSTANCE_TYPE_RE.pattern == INSTANCE_TYPE_RE.pattern  # one instance type rule, synth and Lambda


def test_instance_type_rule_accepts_every_processing_instance_type():
    spec = importlib.util.find_spec("botocore")
    assert spec and spec.origin
    models = sorted((Path(spec.origin).parent / "data" / "sagemaker").glob("*/service-2.json*"))
    raw = models[-1].read_bytes()
    model = json.loads(gzip.decompress(raw) if models[-1].suffix == ".gz" else raw)
    types = model["shapes"]["ProcessingInstanceType"]["enum"]
    assert "ml.m7i-flex.large" in types
    assert [t for t in types if not INSTANCE_TYPE_RE.fullmatch(t)] == []


def test_stack_level_is_declared_on_the_fields():
    terraform = {n for n, p in PARAMETERS.items() if p.extra("group") == "Terraform"}
    assert terraform <= STACK_LEVEL  # a new backend parameter is stack-level unless someone says otherwise
    assert STACK_LEVEL - terraform == {
        "tags",
        "custom_tags",
        "sagemaker_project_id",
        "sagemaker_project_name",
        "seedfarmer_project_name",
        "seedfarmer_deployment_name",
        "seedfarmer_module_name",
    }


def _loaded_after(statement: str) -> list[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()


def test_layers_import_in_one_direction():
    """baseline/ (the state machine) stands alone; monitors builds on it, never the reverse; validating settings
    loads neither cdktf nor jsii (a bad configuration is reported without starting Node)."""
    assert [m for m in _loaded_after("import baseline.state_machine") if m.split(".")[0] == "monitors"] == []
    loaded = _loaded_after("import monitors.settings.config, monitors.settings.builder, monitors.tooling.docs")
    assert [m for m in loaded if m.split(".")[0] in ("cdktf", "jsii", "constructs", "baseline")] == []
    assert "monitors.monitor_types.model_bias" in loaded


def test_test_files_named_in_the_code_exist():
    named = {
        m
        for p in [*SOURCES, *(ROOT / "lambda_image").rglob("*.py")]
        for m in re.findall(r"tests/[\w/]+\.py", p.read_text())
    }
    assert named and sorted(n for n in named if not (ROOT / n).is_file()) == []
