"""Input that must reach the output literally or not at all (issue 11 items 5-8, issue 14 "errors that say why")."""

from __future__ import annotations

import json

import pytest
from conftest import BUCKET, MINIMAL, one, resources
from pydantic import ValidationError

from monitors.settings.config import ConfigError, load_settings, validate
from monitors.settings.model import Settings, flat_location, nest

S = f"s3://{BUCKET}"
HOSTILE = '${file("/etc/hostname")}'
MQ = {
    "enable_model_quality_monitor": True,
    "model_quality_baseline_s3_uri": f"{S}/b/",
    "model_quality_output_s3_uri": f"{S}/o/",
    "model_quality_ground_truth_s3_uri": f"{S}/gt/",
    "model_quality_inference_attribute": "0",
}


@pytest.mark.parametrize("value", [HOSTILE, "%{if true}x%{endif}", "a$b%c{d}"])
def test_tag_values_with_template_characters_are_refused(value):
    """Tags used to be written escaped ($${, %%{); AWS refuses '$' and '{' in tags anyway (issue 22 item 3), so
    they are refused at synth, naming the tag."""
    with pytest.raises(ConfigError) as exc:
        validate({**MINIMAL, **MQ, "tags": {"host": value}})
    assert [p for p in exc.value.problems if p.startswith("tags")], exc.value.problems


def test_plain_tags_reach_every_resource_as_given(synth):
    tf = synth({**MINIMAL, **MQ, "tags": {"team": "ml ops", "cost": "a_b.c:d/e=f+g-h@i"}})
    expected = {"team": "ml ops", "cost": "a_b.c:d/e=f+g-h@i"}
    assert tf["provider"]["aws"][0]["default_tags"] == [{"tags": expected}]
    # awscc has no default_tags: the same values are set on the resource
    tags = one(tf, "awscc_sagemaker_model_quality_job_definition")["tags"]
    assert {t["key"]: t["value"] for t in tags} == expected


@pytest.mark.parametrize(
    "field, value",
    [
        ("region", "us-east-2\n"),
        ("endpoint_name", "my-endpoint\n"),
        ("kms_key_id", "alias/k\n"),
        ("data_quality_output_s3_uri", f"{S}/out/\n"),
        ("stack_name", "monitoring\n"),
    ],
)
def test_patterns_match_the_whole_value(field, value):
    # Settings alone (without the config reader's control-character check): `$` would accept the newline.
    with pytest.raises(ValidationError) as err:
        Settings.model_validate(nest({**MINIMAL, field: value}))
    assert [flat_location(tuple(e["loc"]))[0] for e in err.value.errors()] == [field]


def test_permissions_boundary_name_resolves_in_the_stack_account(synth):
    tf = synth({**MINIMAL, "permissions_boundary_name": "TeamBoundary"})
    [role] = resources(tf, "aws_iam_role")
    assert (
        role["permissions_boundary"] == "arn:aws:iam::${data.aws_caller_identity.caller.account_id}:policy/TeamBoundary"
    )


def test_ecr_repository_name_is_lower_case(synth):
    tf = synth(
        {
            **MINIMAL,
            "endpoint_name": "Churn-Model",
            "stack_name": "Churn-Monitoring",
            "region": "us-east-2",
            "baseline_training_data_s3_uri": f"{S}/train.csv",
            "baseline_output_data_s3_uri": f"{S}/baselines/",
            "data_quality_baseline_s3_uri": None,
        }
    )
    assert one(tf, "aws_ecr_repository")["name"] == "churn-monitoring-baseline"
    assert (
        one(tf, "aws_lambda_function")["function_name"] == "Churn-Monitoring-baseline"
    )  # Lambda names may be mixed case


def test_yes_for_a_boolean_parameter_means_true(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "".join(f"{k}: {v}\n" for k, v in MINIMAL.items() if k != "enable_data_quality_monitor")
        + "enable_data_quality_monitor: yes\nenable_network_isolation: on\n"
    )
    settings, _ = load_settings(path, environ={})
    assert settings.data_quality.enabled is True and settings.enable_network_isolation is True


def test_quoted_values_are_text(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "".join(f"{k}: {v}\n" for k, v in MINIMAL.items()) + "sagemaker_project_id: '0123'\ntags: {a: 'yes'}\n"
    )
    settings, _ = load_settings(path, environ={})
    assert settings.sagemaker_project_id == "0123" and settings.tags == {"a": "yes"}


def test_warning_for_a_disabled_monitors_parameters(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        json.dumps({**MINIMAL, "model_bias_instance_type": "ml.m5.xlarge", "model_bias_output_s3_uri": f"{S}/o/"})
    )
    _, warnings = load_settings(path, environ={})
    assert warnings == [
        "warning: model_bias_instance_type, model_bias_output_s3_uri: set, but enable_model_bias_monitor "
        "is false, so ignored"
    ]


def test_no_warning_when_generated_baselines_are_read(tmp_path):
    path = tmp_path / "c.yaml"
    config = {
        **MINIMAL,
        "data_quality_baseline_s3_uri": None,
        "baseline_training_data_s3_uri": f"{S}/train.csv",
        "baseline_output_data_s3_uri": f"{S}/baselines/",
    }
    path.write_text(json.dumps({k: v for k, v in config.items() if v is not None}))
    _, warnings = load_settings(path, environ={})
    assert warnings == []
    path.write_text(json.dumps({**config, "data_quality_baseline_s3_uri": f"{S}/b/"}))
    _, warnings = load_settings(path, environ={})
    assert len(warnings) == 1 and "no monitor reads the generated baselines" in warnings[0]


def test_every_problem_at_once_including_raw_ones():
    with pytest.raises(ConfigError) as err:
        validate({**MINIMAL, "endpoint_name": "x\n", "data_quality_instance_count": True, "region": "us-east-9"})
    fields = [p.split(":")[0] for p in err.value.problems]
    assert fields == ["endpoint_name", "data_quality_instance_count", "region"], err.value.problems


@pytest.mark.parametrize(
    "expression",
    [
        "rate(60 minutes)",
        "rate(1 hour)",
        "rate(1 day)",
        "cron(0 2 * * ? *)",
        "cron(15 * ? * MON-FRI *)",
        "cron(0 12 L * ? 2027)",
        "cron(0 8 ? * 2#1 *)",
    ],
)
def test_eventbridge_schedules_it_accepts(expression):
    settings = validate(
        {
            **MINIMAL,
            "baseline_training_data_s3_uri": f"{S}/train.csv",
            "baseline_output_data_s3_uri": f"{S}/baselines/",
            "baseline_schedule_expression": expression,
        }
    )
    assert settings.baseline_schedule_expression == expression


@pytest.mark.parametrize("expression", ["rate(1 minute)", "rate(5 minutes)", "cron(0/15 * ? * MON-FRI *)"])
def test_eventbridge_schedules_more_often_than_hourly_are_refused(expression):
    """EventBridge takes them, but baselines are regenerated at most hourly (issue 22 item 4)."""
    with pytest.raises(ConfigError) as exc:
        validate(
            {
                **MINIMAL,
                "baseline_training_data_s3_uri": f"{S}/train.csv",
                "baseline_output_data_s3_uri": f"{S}/baselines/",
                "baseline_schedule_expression": expression,
            }
        )
    assert [
        p for p in exc.value.problems if p.startswith("baseline_schedule_expression: regenerates baselines more often")
    ]


@pytest.mark.parametrize(
    "key",
    [
        "0123abcd-0123-4567-89ab-0123456789ab",
        "mrk-0123456789abcdef0123456789abcdef",
        "alias/team/key",
        "arn:aws:kms:us-east-2:123456789012:key/0123abcd-0123-4567-89ab-0123456789ab",
        "arn:aws:kms:us-east-2:123456789012:alias/key",
    ],
)
def test_kms_key_forms_aws_accepts(key):
    assert validate({**MINIMAL, "kms_key_id": key}).kms_key_id == key
