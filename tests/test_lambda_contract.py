"""The baseline Lambda's image is self-contained (lambda_image/ imports nothing of monitors/ or baseline/), so it keeps
its own copies of some monitor-type facts; these tests check that they agree with monitors/, and that the synth-time
check of the baseline events (monitors/settings/baseline_events.py) maps the Lambda's problems to settings by
location."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import typing
from pathlib import Path

import botocore.session
import pytest
from conftest import BUCKET, MINIMAL

REPO = Path(__file__).resolve().parent.parent
S = f"s3://{BUCKET}"
BASELINE = {"baseline_training_data_s3_uri": f"{S}/train.csv", "baseline_output_data_s3_uri": f"{S}/baselines/"}
RESOURCE_FIELDS = {"instance_count", "instance_type", "volume_size_gb", "max_runtime_seconds"}


def monitors_side_facts() -> dict:
    """The facts as monitors/ keeps them. Monitor types from the registry (monitors/monitor_types/__init__.py)."""
    from monitors.monitor_types import MONITOR_TYPES
    from monitors.settings import fields as settings
    from monitors.settings.model import PARAMETERS

    def literal(field: str) -> tuple:
        return typing.get_args(PARAMETERS[field].info.annotation)

    return {
        "monitor_types": tuple(MONITOR_TYPES),
        "problem_types": literal("model_quality_problem_type"),
        "data_quality_dataset_formats": literal("data_quality_baseline_dataset_format"),
        "model_quality_dataset_formats": literal("model_quality_baseline_dataset_format"),
        "instance_type_pattern": settings.INSTANCE_TYPE_RE.pattern,
        "endpoint_name_pattern": settings.ENDPOINT_NAME_RE.pattern,
        "subnet_pattern": settings.SUBNET_RE.pattern,
        "security_group_pattern": settings.SECURITY_GROUP_RE.pattern,
    }


def lambda_side_facts() -> dict:
    from monitors.settings.baseline_events import _event_validation

    image = _event_validation()
    return {
        "monitor_types": tuple(image.PARAMS),
        "problem_types": image.PROBLEM_TYPES,
        "data_quality_dataset_formats": image.DATASET_FORMATS,
        "model_quality_dataset_formats": image.DATASET_FORMATS,
        "instance_type_pattern": image.INSTANCE_TYPE_RE.pattern,
        "endpoint_name_pattern": image.SAGEMAKER_NAME_RE.pattern,
        "subnet_pattern": image.SUBNET_RE.pattern,
        "security_group_pattern": image.SECURITY_GROUP_RE.pattern,
    }


def test_the_lambda_and_monitors_agree_on_the_monitor_type_facts():
    assert lambda_side_facts() == monitors_side_facts()


def test_the_lambda_keys_its_own_tables_by_the_same_monitor_types():
    from monitors.settings.baseline_events import _event_validation

    image = _event_validation()
    types = monitors_side_facts()["monitor_types"]
    assert tuple(image.MONITOR_TYPES) == tuple(image.MONITOR_TYPE_SHORT) == tuple(image.PARAMS) == types
    assert all(model.monitor_type == monitor for monitor, model in image.PARAMS.items())
    # job names are at most 63 characters and the Lambda role may act only on processing-job/baseline-*
    assert len(set(image.MONITOR_TYPE_SHORT.values())) == len(types)


def test_the_instance_type_pattern_takes_every_sagemaker_processing_instance_type():
    # botocore's sagemaker service model: ProcessingInstanceType (monitoring jobs take the same enum)
    names = botocore.session.get_session().get_service_model("sagemaker").shape_for("ProcessingInstanceType").enum
    pattern = re.compile(monitors_side_facts()["instance_type_pattern"])
    assert "ml.m7i-flex.large" in names
    assert [name for name in names if not pattern.match(name)] == []
    assert not any(pattern.match(name) for name in ("m5.large", "ml.m5", "ml.M5.large", "ml.m5.large "))


def test_the_allowed_baseline_params_are_the_lambdas_models_fields():
    from monitors.settings.baseline_events import param_fields

    # suggest_baseline's scripts: DefaultModelMonitor takes both, ModelQualityMonitor the post-analytics one only
    assert param_fields("data_quality") == RESOURCE_FIELDS | {
        "record_preprocessor_script",
        "post_analytics_processor_script",
    }
    assert param_fields("model_quality") == RESOURCE_FIELDS | {
        "post_analytics_processor_script",
        "problem_type",
        "inference_attribute",
        "probability_attribute",
        "ground_truth_attribute",
        "probability_threshold_attribute",
    }
    assert param_fields("model_bias") == RESOURCE_FIELDS | {
        "label_header",
        "headers",
        "dataset_type",
        "label_values",
        "facet_name",
        "facet_values",
        "facets",
        "group_name",
        "features",
        "probability_threshold",
        "model_name",
    }
    assert param_fields("model_explainability") == RESOURCE_FIELDS | {
        "label_header",
        "headers",
        "dataset_type",
        "model_name",
        "num_samples",
        "agg_method",
        "save_local_shap_values",
        "shap_baseline",
        "features",
        "use_logit",
        "seed",
        "num_clusters",
    }


@pytest.mark.parametrize("monitor", ["model_bias", "model_explainability"])
def test_the_parameter_table_names_the_allowed_baseline_params(monitor):
    """The README table (generated from the registry) lists the params a user may give for each monitor type."""
    from monitors.monitor_types import MONITORS
    from monitors.settings.baseline_events import param_fields
    from monitors.tooling.docs import monitor_options_table

    [row] = [line for line in monitor_options_table() if line.startswith("| `baseline_params`")]
    listed = row.split(f"{MONITORS[monitor].title}: ", 1)[1].split(";", 1)[0].rstrip(". |")
    assert {name.strip() for name in listed.split(",")} == param_fields(monitor)


def test_unknown_baseline_params_are_named_with_the_allowed_ones():
    from monitors.settings.config import ConfigError, validate

    with pytest.raises(ConfigError) as exc:
        validate({**MINIMAL, **BASELINE, "baseline_data_quality_params": {"dataset_format": "csv", "instance_cnt": 2}})
    assert exc.value.problems == [
        "baseline_data_quality_params: unknown field 'dataset_format'; allowed: instance_count, instance_type, "
        "max_runtime_seconds, post_analytics_processor_script, record_preprocessor_script, volume_size_gb",
        "baseline_data_quality_params: unknown field 'instance_cnt' (did you mean 'instance_count'?); allowed: "
        "instance_count, instance_type, max_runtime_seconds, post_analytics_processor_script, "
        "record_preprocessor_script, volume_size_gb",
    ]


def test_lambda_problems_map_to_settings_by_location(monkeypatch):
    """Each problem's pydantic location names the event field, whatever the message says."""
    import monitors.settings.baseline_events as events
    from monitors.settings.config import validate

    settings = validate({**MINIMAL, **BASELINE})
    real_event = events.baseline_event

    def broken_event(settings, monitor):
        return {
            **real_event(settings, monitor),
            "training_data_uri": "https://x/train.csv",
            "baseline_output_uri": 7,
            "data_quality_params": {"instance_count": 0},
        }

    monkeypatch.setattr(events, "baseline_event", broken_event)
    params, problems = events.check_baseline_event(settings, "data_quality")
    assert params is None
    assert problems == [
        (
            "baseline_training_data_s3_uri",
            "the baseline Lambda would reject it: 'training_data_uri' must be an s3://bucket/key URI (got 'https://x/train.csv')",
        ),
        (
            "baseline_output_data_s3_uri",
            "the baseline Lambda would reject it: 'baseline_output_uri' must be an s3://bucket[/prefix] URI (got 7)",
        ),
        (
            "baseline_data_quality_params",
            "the baseline Lambda would reject it: 'data_quality_params.instance_count' must be an integer from 1 to "
            "100 "
            "(got 0)",
        ),
    ]


def test_lambda_problems_come_with_the_settings_problems():
    """The baseline-event check runs after the settings model's rules and reports with them: all problems at once."""
    from monitors.settings.config import ConfigError, validate

    with pytest.raises(ConfigError) as exc:
        validate(
            {
                **MINIMAL,
                **BASELINE,
                "enable_model_bias_monitor": True,
                "model_bias_output_s3_uri": f"{S}/o/",
                "model_bias_ground_truth_s3_uri": f"{S}/gt/",
                "backend": "s3",
                "baseline_model_bias_params": {"headers": ["label", "age"], "facet_name": "agee"},
            }
        )
    assert exc.value.problems == [
        "backend_s3_bucket: is required when backend is s3",
        "baseline_model_bias_params: the baseline Lambda would reject it: 'model_bias_params.facet_name' 'agee' must "
        "be "
        "one of 'model_bias_params.headers' (label, age)",
    ]


def test_settings_do_not_import_the_baseline_constructs_and_the_image_imports_nothing_of_the_project():
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, monitors.settings.model; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'baseline'))",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert loaded.strip() == "[]"
    for path in (REPO / "lambda_image").rglob("*.py"):
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        imported |= {
            node.module.split(".")[0]
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert not imported & {"monitors", "baseline"}, path


MODEL_FORMATS = ("content_type", "accept_type", "content_template", "record_template", "label_headers")


def test_registry_baseline_param_fields_are_the_lambda_models_fields():
    """The registry's baseline param fields are the Lambda's params model's fields, less exactly those that other
    settings fill (monitors.settings.baseline_events.baseline_params): one list, checked, not two that drift."""
    from monitors.monitor_types import MONITORS
    from monitors.settings.baseline_events import _event_validation

    filled_by_other_settings = {
        "data_quality": {"dataset_format"},  # data_quality_baseline_dataset_format
        "model_quality": {"dataset_format"},  # model_quality_baseline_dataset_format
        # the monitor's own attributes and model formats (<monitor>_content_type, ...)
        "model_bias": {"inference_attribute", "probability_attribute", *MODEL_FORMATS},
        "model_explainability": {"inference_attribute", "probability_attribute", *MODEL_FORMATS},
    }
    for name, spec in MONITORS.items():
        model_fields = set(_event_validation().PARAMS[name].model_fields)
        assert model_fields - set(spec.baseline_param_fields) == filled_by_other_settings[name], name
        assert set(spec.baseline_param_fields) <= model_fields, name
