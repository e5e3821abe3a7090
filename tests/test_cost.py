"""Cost at a glance: runs per day from the schedules and the instance-hours upper bound per monitor."""

from __future__ import annotations

import pytest
from conftest import BUCKET, MINIMAL

from monitors.settings.config import validate
from monitors.tooling.cost import baseline_runs_per_day, cost_lines, monitoring_runs_per_day

S = f"s3://{BUCKET}"


@pytest.mark.parametrize(
    "expression, runs",
    [
        ("cron(0 * ? * * *)", 24),
        ("cron(0 5 ? * * *)", 1),
        ("cron(0 0/2 ? * * *)", 12),
        ("cron(0 1/6 ? * * *)", 4),
        ("cron(0 20/6 ? * * *)", 1),
        ("cron(0 0/24 ? * * *)", 1),
    ],
)
def test_monitoring_runs_per_day(expression, runs):
    assert monitoring_runs_per_day(expression) == runs


@pytest.mark.parametrize(
    "expression, per_day, note",
    [
        ("cron(0 2 * * ? *)", 1, ""),
        ("rate(6 hours)", 4, ""),
        ("rate(1 day)", 1, ""),
        ("rate(30 minutes)", 48, ""),
        ("rate(2 days)", 0.5, ""),
        ("cron(0,30 8-10 * * ? *)", 6, ""),
        ("cron(0 */4 * * ? *)", 6, ""),
        ("cron(15 3 ? * MON *)", 1, " on the days it runs"),
    ],
)
def test_baseline_runs_per_day(expression, per_day, note):
    frequency = baseline_runs_per_day(expression)
    assert (frequency.per_day, frequency.note) == (per_day, note)


def test_one_line_per_monitor_and_one_for_baselines():
    settings = validate(
        {
            **MINIMAL,
            "data_quality_instance_count": 2,
            "data_quality_max_runtime_in_seconds": 1800,
            "enable_model_quality_monitor": True,
            "model_quality_output_s3_uri": f"{S}/mq/",
            "model_quality_ground_truth_s3_uri": f"{S}/gt/",
            "model_quality_inference_attribute": "0",
            "model_quality_schedule_expression": "cron(0 3 ? * * *)",
            "baseline_training_data_s3_uri": f"{S}/train.csv",
            "baseline_output_data_s3_uri": f"{S}/baselines/",
            "baseline_schedule_expression": "rate(12 hours)",
            "baseline_instance_count": 3,
            "baseline_max_runtime_seconds": 5400,
        }
    )
    assert cost_lines([settings]) == [
        "cost: my-endpoint data_quality: 24 run(s)/day x 2 ml.m5.large x at most 0.50 h = at most 24 "
        "instance-hours/day",
        "cost: my-endpoint model_quality: 1 run(s)/day x 1 ml.m5.large x at most 0.50 h = at most 0.50 "
        "instance-hours/day",
        "cost: my-endpoint baselines: 2 run(s)/day (rate(12 hours)) x 2 monitor(s) x 3 ml.m5.xlarge x at most 1.50 h = "
        "at most 18 instance-hours/day (plus one run per monitor at apply time)",
    ]


def test_no_baseline_line_without_baseline_generation():
    assert cost_lines([validate(MINIMAL)]) == [
        "cost: my-endpoint data_quality: 24 run(s)/day x 1 ml.m5.large x at most 1 h = at most 24 instance-hours/day"
    ]
