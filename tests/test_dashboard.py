"""CloudWatch dashboards (dashboard_enabled): the endpoint dashboard and the fleet overview, their widgets against
the alarms' metrics and the documented dashboard body structure, Terraform validate and an apply against moto."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml
from conftest import BUCKET, MINIMAL, REPO, one, resources
from emulator import harness

from monitors.constructs import dashboard as dash
from monitors.constructs.json_documents import document_value
from monitors.monitor_types import MONITORS
from monitors.monitor_types.data_quality import DriftAlarm
from monitors.monitor_types.model_bias import BiasAlarm
from monitors.monitor_types.model_explainability import ExplainabilityAlarm
from monitors.monitor_types.model_quality import METRICS, QualityAlarm
from monitors.settings.config import load_plan, validate
from monitors.tooling.cost import cost_lines, overview_lines

EXAMPLE = yaml.safe_load((REPO / "examples" / "full.yaml").read_text())
DASHBOARD_EXAMPLE = {**EXAMPLE, "dashboard_enabled": True}
S = f"s3://{BUCKET}"
TOPIC = "arn:aws:sns:us-east-2:123456789012:alerts"

# The documented fields this project writes ("Dashboard Body Structure and Syntax", CloudWatch API reference:
# overall structure, widgets array, metric widget, metrics array format, alarm status widget, text widget) and
# the quotas ("CloudWatch service quotas": 500 widgets per dashboard, 500 metrics per widget, 2,500 per dashboard).
METRIC_ROW = {
    "type": "array",
    "minItems": 1,
    "oneOf": [
        {  # [namespace, metric name, (dimension name, value)*, {rendering options}?]
            "prefixItems": [{"type": "string", "minLength": 1}, {"type": "string", "minLength": 1}],
            "items": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/rendering"}]},
        },
        {"maxItems": 1, "prefixItems": [{"$ref": "#/$defs/expression"}]},
    ],
}
BODY_SCHEMA = {
    "type": "object",
    "required": ["widgets"],
    "additionalProperties": False,
    "properties": {"widgets": {"type": "array", "maxItems": 500, "items": {"$ref": "#/$defs/widget"}}},
    "$defs": {
        "widget": {
            "type": "object",
            "required": ["type", "properties"],
            "additionalProperties": False,
            "properties": {
                "type": {"enum": ["metric", "text", "alarm"]},
                "x": {"type": "integer", "minimum": 0, "maximum": 23},
                "y": {"type": "integer", "minimum": 0},
                "width": {"type": "integer", "minimum": 1, "maximum": 24},
                "height": {"type": "integer", "minimum": 1, "maximum": 1000},
                "properties": {"type": "object"},
            },
            "allOf": [
                {
                    "if": {"properties": {"type": {"const": "metric"}}},
                    "then": {"properties": {"properties": {"$ref": "#/$defs/metric"}}},
                },
                {
                    "if": {"properties": {"type": {"const": "alarm"}}},
                    "then": {"properties": {"properties": {"$ref": "#/$defs/alarm"}}},
                },
                {
                    "if": {"properties": {"type": {"const": "text"}}},
                    "then": {"properties": {"properties": {"$ref": "#/$defs/text"}}},
                },
            ],
        },
        "metric": {
            "type": "object",
            "required": ["metrics", "region"],
            "additionalProperties": False,
            "properties": {
                "metrics": {"type": "array", "minItems": 1, "maxItems": 500, "items": METRIC_ROW},
                "region": {"type": "string", "minLength": 1},
                "title": {"type": "string"},
                "view": {"enum": ["timeSeries", "singleValue", "gauge", "bar", "pie"]},
                "stacked": {"type": "boolean"},
                "stat": {"type": "string"},
                "period": {"type": "integer", "minimum": 1},
                "annotations": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "horizontal": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["value"],
                                "additionalProperties": False,
                                "properties": {"value": {"type": "number"}, "label": {"type": "string"}},
                            },
                        }
                    },
                },
                "yAxis": {
                    "type": "object",
                    "properties": {
                        "left": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {"label": {"type": "string"}, "showUnits": {"type": "boolean"}},
                        }
                    },
                },
            },
        },
        "rendering": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"label": {"type": "string"}, "stat": {"type": "string"}, "id": {"type": "string"}},
        },
        "expression": {
            "type": "object",
            "required": ["expression", "id"],
            "additionalProperties": False,
            "properties": {
                "expression": {"type": "string"},
                "id": {"type": "string", "pattern": "^[a-z][a-zA-Z0-9_]*$"},
                "label": {"type": "string"},
            },
        },
        "alarm": {
            "type": "object",
            "required": ["alarms"],
            "additionalProperties": False,
            "properties": {
                "alarms": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 100,
                    "items": {"type": "string", "pattern": "^arn:[^:]+:cloudwatch:[^:]+:[^:]+:alarm:.+$"},
                },
                "title": {"type": "string"},
                "sortBy": {"enum": ["default", "stateUpdatedTimestamp", "timestamp"]},
                "states": {"type": "array"},
            },
        },
        "text": {
            "type": "object",
            "required": ["markdown"],
            "additionalProperties": False,
            "properties": {"markdown": {"type": "string", "minLength": 1}},
        },
    },
}


def bodies(tf: dict) -> dict[str, dict]:
    """dashboard name -> its body (the document its dashboard_body encodes)."""
    return {
        d["dashboard_name"]: document_value(tf, d["dashboard_body"]) for d in resources(tf, "aws_cloudwatch_dashboard")
    }


def check_body(body: dict) -> None:
    """The documented structure, the quotas, and a layout without overlaps inside the 24-unit grid."""
    jsonschema.validate(body, BODY_SCHEMA)
    widgets = body["widgets"]
    assert sum(len(w["properties"].get("metrics", ())) for w in widgets) <= 2500
    cells = set()
    for w in widgets:
        assert w["x"] + w["width"] <= 24
        mine = {(x, y) for x in range(w["x"], w["x"] + w["width"]) for y in range(w["y"], w["y"] + w["height"])}
        assert not cells & mine, f"widget {w['properties'].get('title')} overlaps another"
        cells |= mine
    json.dumps(body).encode()  # JSON as is


def synth_plans(tmp_path, config: dict) -> dict[str, dict]:
    from monitors.constructs.app import synthesize

    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(config))
    plans, _ = load_plan(path, environ={})
    return {
        p.name: json.loads((d / "cdk.tf.json").read_text())
        for p, d in zip(plans, synthesize(plans, tmp_path / "out"), strict=True)
    }


def fleet(names=("churn", "fraud"), **extra) -> dict:
    shared = {
        k: v
        for k, v in MINIMAL.items()
        if k not in ("endpoint_name", "data_quality_baseline_s3_uri", "data_quality_output_s3_uri")
    }
    return {
        **shared,
        "stack_per_endpoint": False,
        "dashboard_enabled": True,
        "alert_sns_topic_arn": TOPIC,
        "alert_on_monitoring_executions": False,
        **extra,
        "endpoints": [
            {
                "endpoint_name": n,
                "data_quality_baseline_s3_uri": f"{S}/{n}/baseline/",
                "data_quality_output_s3_uri": f"{S}/{n}/output/",
                "data_quality_drift_alarms": [{"feature": "tenure", "threshold": 0.2}],
            }
            for n in names
        ],
    }


@pytest.fixture
def tf(synth):
    return synth(DASHBOARD_EXAMPLE)


def widgets_titled(body: dict, prefix: str) -> list[dict]:
    return [w for w in body["widgets"] if w["properties"].get("title", "").startswith(prefix)]


# --- off by default -----------------------------------------------------------------------------------------------
def test_dashboards_are_off_by_default(synth):
    tf = synth(EXAMPLE)
    assert resources(tf, "aws_cloudwatch_dashboard") == []
    assert not any("dashboard" in name for name in tf.get("locals", {}))
    assert not any("dashboard" in name for name in tf.get("output", {}))
    assert not any("dashboard" in line for line in cost_lines([validate(EXAMPLE)]))


# --- the endpoint dashboard ---------------------------------------------------------------------------------------
def test_example_dashboard_follows_the_documented_body_structure(tf):
    [(name, body)] = bodies(tf).items()
    assert name == "sagemaker-model-monitoring-dashboard"
    check_body(body)
    assert one(tf, "aws_cloudwatch_dashboard")["dashboard_body"] == "${jsonencode(local.dashboard_dashboard_body)}"
    assert tf["output"]["dashboard_name"]["value"] == name


def test_alarm_status_shows_every_alarm_the_stack_creates(tf):
    body = bodies(tf)["sagemaker-model-monitoring-dashboard"]
    [widget] = [w for w in body["widgets"] if w["type"] == "alarm"]
    account = "${data.aws_caller_identity.caller.account_id}"
    expected = {
        f"arn:aws:cloudwatch:us-east-2:{account}:alarm:{a['alarm_name']}"
        for a in resources(tf, "aws_cloudwatch_metric_alarm")
    }
    assert len(expected) == 7  # 6 alarms of the monitors and the checker's own
    assert set(widget["properties"]["alarms"]) == expected


def test_model_quality_shows_its_problem_types_metrics_with_the_alarm_thresholds(tf):
    body = bodies(tf)["sagemaker-model-monitoring-dashboard"]
    [widget] = widgets_titled(body, "Model quality")
    names = [row[1] for row in widget["properties"]["metrics"]]
    assert names == list(METRICS["BinaryClassification"])
    assert widget["properties"]["annotations"]["horizontal"] == [
        {"label": "accuracy alarm (below 0.8)", "value": 0.8},
        {"label": "f1 alarm (below 0.7)", "value": 0.7},
    ]


def test_drift_per_named_feature_from_alarms_and_baseline_headers(tf):
    body = bodies(tf)["sagemaker-model-monitoring-dashboard"]
    [widget] = widgets_titled(body, "Data quality")
    rows = widget["properties"]["metrics"]
    # the alarms' features first, then the baselines' headers without the label
    assert [row[1] for row in rows] == [
        "feature_baseline_drift_tenure",
        "feature_baseline_drift_monthly_charges",
        "feature_baseline_drift_age",
    ]


def test_a_search_expression_when_no_feature_is_named(synth):
    body = next(iter(bodies(synth({**MINIMAL, "dashboard_enabled": True})).values()))
    check_body(body)
    [widget] = widgets_titled(body, "Data quality")
    [[search]] = widget["properties"]["metrics"]
    assert search["expression"] == (
        'SEARCH(\'{"aws/sagemaker/Endpoints/data-metrics",Endpoint,MonitoringSchedule} Endpoint="my-endpoint" '
        "MonitoringSchedule=\"my-endpoint-dq-schedule\" feature_baseline_drift_', 'Maximum', 3600)"
    )
    assert not [w for w in body["widgets"] if w["type"] == "alarm"]  # no alerts, no alarms


def test_endpoint_health_from_aws_sagemaker_over_every_variant(tf):
    body = bodies(tf)["sagemaker-model-monitoring-dashboard"]
    health = widgets_titled(body, "Endpoint:")
    expressions = [row[0]["expression"] for w in health for row in w["properties"]["metrics"]]
    for metric in ("Invocations", "ModelLatency", "Invocation4XXErrors", "Invocation5XXErrors"):
        assert any(
            f'{{AWS/SageMaker,EndpointName,VariantName}} EndpointName="churn-pred-endpoint" MetricName="{metric}"' in e
            for e in expressions
        ), metric
    [latency] = widgets_titled(body, "Endpoint: model latency (microseconds)")
    assert latency["properties"]["yAxis"]["left"]["label"] == "microseconds"


def test_execution_checker_and_baseline_runs_are_shown_as_what_is_measurable(tf):
    body = bodies(tf)["sagemaker-model-monitoring-dashboard"]
    checker = next(f for f in resources(tf, "aws_lambda_function") if f["function_name"].endswith("checker"))
    [widget] = widgets_titled(body, "Execution checker")
    assert widget["properties"]["metrics"][0][:4] == ["AWS/Lambda", "Errors", "FunctionName", checker["function_name"]]
    errors_alarm = next(a for a in resources(tf, "aws_cloudwatch_metric_alarm") if a["namespace"] == "AWS/Lambda")
    assert errors_alarm["dimensions"] == {"FunctionName": checker["function_name"]}
    [runs] = widgets_titled(body, "Baseline generation runs")
    machine = one(tf, "aws_sfn_state_machine")["name"]
    assert {row[1] for row in runs["properties"]["metrics"]} >= {
        "ExecutionsFailed",
        "ExecutionsTimedOut",
        "ExecutionsAborted",
    }
    assert all(row[3].endswith(f":stateMachine:{machine}") for row in runs["properties"]["metrics"])


def test_text_widget_names_the_report_locations_and_links_the_console(tf):
    body = bodies(tf)["sagemaker-model-monitoring-dashboard"]
    markdown = body["widgets"][0]["properties"]["markdown"]
    for monitor in ("data-quality", "model-quality", "model-bias", "model-explainability"):
        assert f"s3://sagemaker-us-east-2-123456789012/churn/monitoring/{monitor}/" in markdown
    assert (
        "https://us-east-2.console.aws.amazon.com/sagemaker/home?region=us-east-2#/endpoints/churn-pred-endpoint"
        in markdown
    )


def _alarm_model(monitor: str, name: str, dimensions: dict):
    """The alarm of ``monitor`` that would watch the metric ``name`` with ``dimensions``."""
    if monitor == "data_quality":
        return DriftAlarm(feature=name.removeprefix("feature_baseline_drift_"), threshold=1)
    if monitor == "model_quality":
        return QualityAlarm(metric=name, threshold=1, direction="above")
    if monitor == "model_bias":
        return BiasAlarm(
            metric=name.removeprefix("bias_metric_"),
            threshold=1,
            direction="above",
            label=dimensions["Label"],
            label_value=dimensions["LabelValue"],
            facet=dimensions["Facet"],
            facet_value=dimensions["FacetValue"],
        )
    return ExplainabilityAlarm(
        feature=name.removeprefix("feature_"), threshold=1, direction="above", label=dimensions["Label"]
    )


@pytest.mark.parametrize("config", ["example", "batch"])
def test_every_metric_a_widget_names_is_one_an_alarm_of_its_monitor_could_name(synth, config):
    from test_batch_transform import BATCH

    tf = synth(DASHBOARD_EXAMPLE if config == "example" else {**BATCH, "dashboard_enabled": True})
    by_namespace = {}
    for monitor, spec in MONITORS.items():
        for batch in (False, True):
            by_namespace[spec.metric_namespace(batch=batch)] = (monitor, batch)
    seen = set()
    [body] = bodies(tf).values()
    schedule_names = {s["name"] for s in resources(tf, "aws_sagemaker_monitoring_schedule")}
    for widget in body["widgets"]:
        for row in widget["properties"].get("metrics", ()):
            if isinstance(row[0], dict):  # a SEARCH: the same namespace and schedule
                namespaces = re.findall(r"\{\"([^\"]+)\"", row[0]["expression"])
                for ns in namespaces:
                    assert by_namespace[ns][1] == (config == "batch")
                    seen.add(by_namespace[ns][0])
                    assert any(f'MonitoringSchedule="{s}"' in row[0]["expression"] for s in schedule_names)
                continue
            namespace, name, *rest = row
            if namespace not in by_namespace:
                assert namespace in ("AWS/Lambda", "AWS/States")
                continue
            monitor, batch = by_namespace[namespace]
            assert batch == (config == "batch")
            flat = [x for x in rest if isinstance(x, str)]
            dimensions = dict(zip(flat[::2], flat[1::2], strict=True))
            alarm = _alarm_model(monitor, name, dimensions)
            metric = MONITORS[monitor].alarm_metric(
                alarm, batch=batch, endpoint_name="churn-pred-endpoint", schedule_name=dimensions["MonitoringSchedule"]
            )
            assert (metric.namespace, metric.metric_name, metric.dimensions) == (namespace, name, dimensions)
            assert dimensions["MonitoringSchedule"] in schedule_names
            if monitor == "model_quality":
                assert name in METRICS["BinaryClassification"]
            seen.add(monitor)
    assert seen == set(MONITORS)
    # and the synthesized alarms name theirs the same way (namespace, dimension names)
    for alarm in resources(tf, "aws_cloudwatch_metric_alarm"):
        if alarm["namespace"] in by_namespace:
            rows = [
                row
                for w in body["widgets"]
                for row in w["properties"].get("metrics", ())
                if not isinstance(row[0], dict) and row[0] == alarm["namespace"] and row[1] == alarm["metric_name"]
            ]
            flat = [[x for x in row[2:] if isinstance(x, str)] for row in rows]
            assert alarm["dimensions"] in [dict(zip(f[::2], f[1::2], strict=True)) for f in flat], alarm["alarm_name"]


def test_batch_transform_dashboard_has_no_endpoint_health(synth):
    from test_batch_transform import BATCH

    [body] = bodies(synth({**BATCH, "dashboard_enabled": True})).values()
    check_body(body)
    assert not widgets_titled(body, "Endpoint:")
    assert "aws/sagemaker/Endpoints" not in json.dumps(body)


# --- limits: more lines than a graph reads well, more widgets than a dashboard takes ---------------------------------
def test_many_features_are_split_into_graphs_and_dashboards_within_the_limits():
    rows = [["ns", f"m{i}", "D", "v"] for i in range(120)]
    widgets = dash.metric_widgets("t", rows, region="us-east-1", stat="Maximum", period=3600)
    assert [len(w["properties"]["metrics"]) for w in widgets] == [50, 50, 20]
    assert [w["properties"]["title"] for w in widgets] == ["t (1/3)", "t (2/3)", "t (3/3)"]
    many = dash.metric_widgets("t", [["ns", f"m{i}"] for i in range(50 * 60)], region="r", stat="Sum", period=60)
    pages = dash.bodies(many)
    assert len(pages) == 2 and [len(p["widgets"]) for p in pages] == [50, 10]  # 2,500 metrics, then the rest
    for page in pages:
        check_body(page)
    texts = [dash.text_widget("x", height=1)] * 501
    assert [len(p) for p in dash.pages(texts)] == [500, 1]
    arns = [f"arn:aws:cloudwatch:r:1:alarm:a{i}" for i in range(150)]
    assert [len(w["properties"]["alarms"]) for w in dash.alarm_widgets("a", arns)] == [100, 50]


# --- fleet ----------------------------------------------------------------------------------------------------------
def test_a_shared_fleet_stack_gets_an_overview_of_its_endpoints(tmp_path):
    [tf] = synth_plans(tmp_path, fleet()).values()
    found = bodies(tf)
    assert set(found) == {"smm-us-east-2-churn-dashboard", "smm-us-east-2-fraud-dashboard", "smm-us-east-2-overview"}
    overview = next(body for name, body in found.items() if name.endswith("-overview"))
    check_body(overview)
    for body in found.values():
        check_body(body)
    for endpoint in ("churn", "fraud"):
        [alarms] = widgets_titled(overview, f"{endpoint}: alarms")
        assert all(":alarm:" + endpoint in arn for arn in alarms["properties"]["alarms"])
        [drift] = widgets_titled(overview, f"{endpoint}: Data quality")
        assert drift["properties"]["metrics"][0][:4] == [
            "aws/sagemaker/Endpoints/data-metrics",
            "feature_baseline_drift_tenure",
            "Endpoint",
            endpoint,
        ]
    [plan_overview] = overview_lines(load_plan_of(tmp_path, fleet()))
    assert plan_overview.endswith(
        "fleet overview: 1 CloudWatch dashboard (billed per month beyond CloudWatch's free dashboards)"
    )


def load_plan_of(tmp_path, config: dict):
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(config))
    return load_plan(path, environ={})[0]


def test_stacks_per_endpoint_get_no_overview(tmp_path):
    config = {**fleet(), "stack_per_endpoint": True}
    stacks = synth_plans(tmp_path, config)
    assert len(stacks) == 2
    assert all(len(bodies(tf)) == 1 and not any(n.endswith("overview") for n in bodies(tf)) for tf in stacks.values())
    assert overview_lines(load_plan_of(tmp_path, config)) == []


def test_cost_lines_count_the_dashboards():
    lines = cost_lines([validate(DASHBOARD_EXAMPLE)])
    assert lines[-1] == (
        "cost: churn-pred-endpoint dashboard: 1 CloudWatch dashboard (billed per month beyond "
        "CloudWatch's free dashboards)"
    )


# --- Terraform and the emulator -------------------------------------------------------------------------------------
@pytest.mark.slow
def test_terraform_validates_the_dashboards(synth, terraform_validate, tmp_path):
    # A given baseline Lambda image: the validate fixture's working directory has no docker provider.
    image = "123456789012.dkr.ecr.us-east-2.amazonaws.com/baseline:1"
    report = terraform_validate(synth({**DASHBOARD_EXAMPLE, "baseline_lambda_image_uri": image}))
    assert report["valid"], report["diagnostics"]
    [fleet_tf] = synth_plans(tmp_path, fleet()).values()
    report = terraform_validate(fleet_tf)
    assert report["valid"], report["diagnostics"]


@pytest.mark.slow
def test_applied_against_the_emulator_and_read_back_equal(emulated_account, synth, terraform, tmp_path):
    config = {
        **MINIMAL,
        "region": "us-east-1",
        "dashboard_enabled": True,
        "alert_sns_topic_arn": "arn:aws:sns:us-east-1:123456789012:alerts",
        "alert_on_monitoring_executions": False,
        "data_quality_drift_alarms": [{"feature": "tenure", "threshold": 0.2}],
    }
    tf = synth(config)
    stack = synth.folder(config)
    workdir = harness.emulator_copy(stack, tmp_path / "apply", emulated_account.endpoint, region="us-east-1")
    cli = terraform(workdir)
    cli.init()
    cli.apply()
    cloudwatch = emulated_account.client("cloudwatch", region="us-east-1")
    [(name, expected)] = bodies(tf).items()
    expected = json.loads(
        json.dumps(expected).replace("${data.aws_caller_identity.caller.account_id}", harness.ACCOUNT_ID)
    )
    assert json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"]) == expected
    assert cli.plan_exit_code() == 0  # a second plan is empty


# --- the user guide's example -------------------------------------------------------------------------------------
def test_the_user_guides_example_and_layout(synth):
    guide = (REPO / "docs" / "user-guide.md").read_text()
    section = guide[guide.index("## Dashboards") : guide.index("## Moving from the CDK module")]
    config = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))
    assert config == {"dashboard_enabled": True}
    [body] = bodies(synth({**EXAMPLE, **config})).values()
    rows: dict[int, list[str]] = {}
    for w in body["widgets"]:
        rows.setdefault(w["y"], []).append(w["type"] if w["type"] == "text" else w["properties"]["title"])
    # the rows of the sketch, top to bottom
    assert list(rows.values()) == [
        ["text"],
        ["churn-pred-endpoint: alarms"],
        ["Data quality: feature drift from the baseline", "Model quality (BinaryClassification)"],
        ["Model bias (post-training)", "Model explainability: global SHAP value per feature"],
        ["Endpoint: invocations", "Endpoint: model latency (microseconds)", "Endpoint: 4XX and 5XX errors"],
        ["Execution checker (Failed/CompletedWithViolations executions are e-mailed)", "Baseline generation runs"],
    ]
    sketch = re.search(r"```text\n(.*?)```", section, re.S).group(1)
    for word in (
        "alarm status",
        "data quality",
        "model quality",
        "model bias",
        "explainability",
        "invocations",
        "model latency",
        "4XX and 5XX",
        "execution checker",
        "baseline runs",
    ):
        assert word in sketch


def test_searches_name_every_dimension_of_the_metrics_they_find(synth):
    """A SEARCH matches only metrics with exactly the dimension names in its schema: bias and explainability name
    the extra dimensions their alarms' metrics have, with any value."""
    alarm = BiasAlarm(
        metric="DPPL", threshold=1, direction="above", label="l", label_value="1", facet="f", facet_value="v"
    )
    assert tuple(alarm.extra_dimensions) == dash.BIAS_DIMENSIONS
    config = {k: v for k, v in DASHBOARD_EXAMPLE.items() if not k.endswith("_alarms") and not k.startswith("alert_")}
    [body] = bodies(synth(config)).values()
    expressions = {
        w["properties"]["title"]: w["properties"]["metrics"][0][0]["expression"]
        for w in body["widgets"]
        if w["type"] == "metric" and isinstance(w["properties"]["metrics"][0][0], dict)
    }
    bias = expressions["Model bias (post-training)"]
    assert bias.startswith(
        'SEARCH(\'{"aws/sagemaker/Endpoints/bias-metrics",Endpoint,MonitoringSchedule,BiasStage,'
        'Label,LabelValue,Facet,FacetValue} Endpoint="churn-pred-endpoint" MonitoringSchedule='
    )
    assert "Facet=" not in bias
    shap = body["widgets"][
        [w["properties"].get("title") for w in body["widgets"]].index(
            "Model explainability: global SHAP value per feature"
        )
    ]["properties"]["metrics"]
    # a generated baseline: the named features' SHAP values with label0
    assert [row[1] for row in shap] == ["feature_age", "feature_tenure", "feature_monthly_charges"]


def test_explainability_rows_use_the_label_headers_of_the_written_configuration(synth):
    """With model_explainability_label_headers, Clarify publishes feature_<f> under Label=<header> (not label0), so the
    dashboard's SHAP rows name each header; one header keeps the feature as the row's label."""

    def shap_rows(label_headers: list[str]) -> list[tuple[str, str, str]]:
        config = {
            k: v for k, v in DASHBOARD_EXAMPLE.items() if not k.endswith("_alarms") and not k.startswith("alert_")
        }
        [body] = bodies(synth({**config, "model_explainability_label_headers": label_headers})).values()
        titles = [w["properties"].get("title") for w in body["widgets"]]
        metrics = body["widgets"][titles.index("Model explainability: global SHAP value per feature")]["properties"]
        return [(row[1], row[row.index("Label") + 1], row[-1]["label"]) for row in metrics["metrics"]]

    assert shap_rows(["churn"])[:2] == [
        ("feature_age", "churn", "age"),
        ("feature_tenure", "churn", "tenure"),
    ]
    assert shap_rows(["stay", "churn"])[:2] == [
        ("feature_age", "stay", "age (stay)"),
        ("feature_age", "churn", "age (churn)"),
    ]
