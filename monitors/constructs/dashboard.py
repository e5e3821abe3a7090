"""CloudWatch dashboards (opt-in, ``dashboard_enabled``): one per endpoint, and a fleet overview in a shared stack.

The widgets name metrics the way the alarms do (``MonitorType.published_metric``, the one source of namespaces,
metric names and dimensions; batch transform monitors their own namespaces), plus the endpoint's own health from
``AWS/SageMaker`` and what the alerts make measurable (the execution checker Lambda's errors, the baseline state
machine's failed executions). The body is a ``locals`` entry encoded with ``jsonencode``
(monitors/constructs/json_documents.py), so the plan shows it as a structure.

Facts this relies on (CloudWatch "Dashboard Body Structure and Syntax" and "CloudWatch service quotas"):
- a body is ``{"widgets": [...]}`` with 0-500 widgets; a widget has ``type`` (metric, text, alarm, ...), ``x``
  (0-23), ``y``, ``width`` (1-24), ``height`` (1-1000) and ``properties``; a metric widget needs ``metrics`` and
  ``region``; each metric is ``[namespace, name, dimension name, value, ..., {rendering options}]`` or
  ``[{"expression": ..., "id": ..., "label": ...}]``; ``annotations.horizontal`` takes ``{value, label}``;
- an alarm status widget lists 1-100 alarm ARNs; a widget at most 500 metrics, a dashboard at most 2,500;
- SageMaker endpoint metrics: namespace AWS/SageMaker, dimensions EndpointName and VariantName; ModelLatency in
  microseconds; Invocation4XXErrors/Invocation5XXErrors; Step Functions: AWS/States, StateMachineArn,
  ExecutionsFailed/TimedOut/Aborted; Lambda: AWS/Lambda, FunctionName, Errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from constructs import Construct

from monitors.constructs.alerts import ALARM_PERIOD_SECONDS
from monitors.constructs.aws_bindings import aws
from monitors.constructs.iam import AccountContext
from monitors.constructs.json_documents import json_document
from monitors.monitor_types.base import MonitorView, PublishedMetric
from monitors.monitor_types.model_explainability import DIMENSIONS as EXPLAINABILITY_DIMENSIONS
from monitors.monitor_types.model_quality import METRICS as MODEL_QUALITY_METRICS
from monitors.naming import bounded_name
from monitors.payloads.analysis_configs import writes_config
from monitors.settings.views import DashboardSettings, EndpointSettings

# Documented limits (CloudWatch "Dashboard Body Structure and Syntax", "CloudWatch service quotas").
MAX_WIDGETS = 500  # per dashboard
MAX_DASHBOARD_METRICS = 2500  # per dashboard, across its widgets
MAX_WIDGET_METRICS = 500  # per widget
MAX_ALARMS_PER_WIDGET = 100  # an alarm status widget's ARNs
GRID_WIDTH = 24
# Ours, for readable graphs: at most this many lines in one graph (more go to further widgets).
METRICS_PER_GRAPH = 50
ENDPOINT_PERIOD_SECONDS = 300  # SageMaker endpoint metrics are per minute; 5 minutes reads well over days
# The dimensions a bias metric has beyond the schedule's (BiasAlarm.extra_dimensions; a SEARCH must name them all).
BIAS_DIMENSIONS = ("BiasStage", "Label", "LabelValue", "Facet", "FacetValue")
EXPLAINABILITY_DEFAULT_LABEL = "label0"  # generated baselines: the model output has no label headers


@dataclass(frozen=True)
class MonitorPanel:
    """What the dashboard shows of one enabled monitor."""

    view: MonitorView
    schedule_name: str
    baseline_prefix: str  # the monitor's baseline (its own, or where baseline generation writes it)

    @property
    def batch(self) -> bool:
        return self.view.options.batch_transform_input is not None

    def metric(self, endpoint_name: str, metric_name: str, extra: dict[str, str] | None = None) -> PublishedMetric:
        return self.view.spec.published_metric(
            metric_name,
            batch=self.batch,
            endpoint_name=endpoint_name,
            schedule_name=self.schedule_name,
            extra_dimensions=extra,
        )

    def alarm_metrics(self, endpoint_name: str) -> list[tuple[PublishedMetric, Any]]:
        return [
            (
                self.view.spec.alarm_metric(
                    alarm, batch=self.batch, endpoint_name=endpoint_name, schedule_name=self.schedule_name
                ),
                alarm,
            )
            for alarm in self.view.alarms
        ]


@dataclass(frozen=True)
class DashboardConfig:
    endpoint: EndpointSettings
    dashboard: DashboardSettings
    account: AccountContext  # region (literal or the provider's), partition, account id
    monitors: tuple[MonitorPanel, ...]
    alarm_names: tuple[str, ...]  # every alarm this project created for the endpoint (empty without alerts)
    checker_function_name: str | None  # the monitoring execution checker, when alerts check executions
    state_machine_arn: str | None  # baseline generation, when present

    @property
    def name(self) -> str:
        return dashboard_name(self.endpoint.stack_name)


def dashboard_name(stack_name: str) -> str:
    """Dashboard names: up to 255 of A-Z a-z 0-9 - _."""
    return bounded_name(stack_name, "dashboard", max_length=255)


# --- widgets ------------------------------------------------------------------------------------------------------
def metric_row(metric: PublishedMetric, **options: Any) -> list[Any]:
    """One entry of a metric widget's ``metrics``: [namespace, name, dimension, value, ..., {options}]."""
    row: list[Any] = [metric.namespace, metric.metric_name]
    for key, value in metric.dimensions.items():
        row += [key, value]
    return [*row, options] if options else row


def search_row(
    metric: PublishedMetric, term: str, stat: str, period: int, id: str, *, any_value: Sequence[str] = ()
) -> list[Any]:
    """A SEARCH expression over the metrics with ``metric``'s namespace and dimension names, its dimension values
    (but those in ``any_value``), whose name contains ``term`` (a partial match), e.g. every
    feature_baseline_drift_* metric of one schedule."""
    schema = ",".join([json.dumps(metric.namespace), *metric.dimensions])
    filters = " ".join(f"{key}={json.dumps(value)}" for key, value in metric.dimensions.items() if key not in any_value)
    expression = f"SEARCH('{{{schema}}} {filters} {term}', '{stat}', {period})"
    return [{"expression": expression, "id": id}]


def metric_widgets(
    title: str,
    rows: Sequence[list[Any]],
    *,
    region: str,
    stat: str,
    period: int,
    annotations: Sequence[dict[str, Any]] = (),
    y_label: str | None = None,
    width: int = 12,
) -> list[dict[str, Any]]:
    """Metric widgets of at most METRICS_PER_GRAPH lines each (the first with the annotations)."""
    widgets = []
    chunks = [rows[i : i + METRICS_PER_GRAPH] for i in range(0, len(rows), METRICS_PER_GRAPH)]
    for i, chunk in enumerate(chunks):
        properties: dict[str, Any] = {
            "title": title if len(chunks) == 1 else f"{title} ({i + 1}/{len(chunks)})",
            "view": "timeSeries",
            "stacked": False,
            "region": region,
            "stat": stat,
            "period": period,
            "metrics": list(chunk),
        }
        if annotations:
            properties["annotations"] = {"horizontal": list(annotations)}
        if y_label:
            properties["yAxis"] = {"left": {"label": y_label, "showUnits": False}}
        widgets.append({"type": "metric", "width": width, "height": 6, "properties": properties})
    return widgets


def alarm_widgets(title: str, alarm_arns: Sequence[str], *, width: int = GRID_WIDTH) -> list[dict[str, Any]]:
    chunks = [alarm_arns[i : i + MAX_ALARMS_PER_WIDGET] for i in range(0, len(alarm_arns), MAX_ALARMS_PER_WIDGET)]
    return [
        {
            "type": "alarm",
            "width": width,
            "height": 2 + min(4, (len(chunk) + 3) // 4),
            "properties": {
                "title": title if len(chunks) == 1 else f"{title} ({i + 1}/{len(chunks)})",
                "alarms": list(chunk),
                "sortBy": "stateUpdatedTimestamp",
            },
        }
        for i, chunk in enumerate(chunks)
    ]


def text_widget(markdown: str, *, height: int) -> dict[str, Any]:
    return {"type": "text", "width": GRID_WIDTH, "height": height, "properties": {"markdown": markdown}}


def _threshold(alarm: Any, label: str) -> dict[str, Any]:
    return {"label": f"{label} alarm ({alarm.direction} {alarm.threshold:g})", "value": alarm.threshold}


# --- one endpoint -------------------------------------------------------------------------------------------------
def endpoint_widgets(config: DashboardConfig) -> list[dict[str, Any]]:
    """The endpoint dashboard's widgets, in order, without positions (``layout`` places them)."""
    endpoint, region = config.endpoint.endpoint_name, config.account.region
    widgets: list[dict[str, Any]] = [text_widget(_overview_markdown(config), height=7)]
    if config.alarm_names:
        widgets += alarm_widgets(f"{endpoint}: alarms", [alarm_arn(config.account, n) for n in config.alarm_names])
    for panel in config.monitors:
        if panel.view.publishes_metrics:
            widgets += monitor_widgets(panel, endpoint, region, config.dashboard.features)
    if any(not panel.batch for panel in config.monitors):
        widgets += endpoint_health_widgets(endpoint, region)
    widgets += operations_widgets(config)
    return widgets


def monitor_widgets(
    panel: MonitorPanel, endpoint: str, region: str, features: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The widgets of one monitor's published metrics (what its alarms watch, with their thresholds)."""
    name = panel.view.name
    alarmed = panel.alarm_metrics(endpoint)
    annotations = [_threshold(alarm, metric.metric_name) for metric, alarm in alarmed]
    if name == "data_quality":
        named = list(dict.fromkeys([*(a.feature for a in panel.view.alarms), *features]))
        rows = [metric_row(panel.metric(endpoint, f"feature_baseline_drift_{f}"), label=f) for f in named]
        if not rows:
            rows = [search_row(panel.metric(endpoint, ""), "feature_baseline_drift_", "Maximum", 3600, "drift")]
        return metric_widgets(
            "Data quality: feature drift from the baseline",
            rows,
            region=region,
            stat="Maximum",
            period=ALARM_PERIOD_SECONDS,
            annotations=annotations,
        )
    if name == "model_quality":
        metrics = MODEL_QUALITY_METRICS[panel.view.options.problem_type]
        rows = [metric_row(panel.metric(endpoint, m), label=m) for m in metrics]
        return metric_widgets(
            f"Model quality ({panel.view.options.problem_type})",
            rows,
            region=region,
            stat="Average",
            period=ALARM_PERIOD_SECONDS,
            annotations=annotations,
        )
    if name == "model_bias":
        rows = [metric_row(metric, label=_bias_label(alarm)) for metric, alarm in alarmed]
        if not rows:
            schema = panel.metric(endpoint, "", dict.fromkeys(BIAS_DIMENSIONS, ""))
            rows = [search_row(schema, "bias_metric_", "Average", 3600, "bias", any_value=BIAS_DIMENSIONS)]
        return metric_widgets(
            "Model bias (post-training)",
            rows,
            region=region,
            stat="Average",
            period=ALARM_PERIOD_SECONDS,
            annotations=annotations,
        )
    if name == "model_explainability":
        rows = [metric_row(metric, label=f"{alarm.feature} ({alarm.label})") for metric, alarm in alarmed]
        shown = {(alarm.feature, alarm.label) for alarm in panel.view.alarms}
        if writes_config(panel.view):  # the configuration written here: its label_headers, else label0
            labels = panel.view.options.label_headers or [EXPLAINABILITY_DEFAULT_LABEL]
            rows += [
                metric_row(
                    panel.metric(endpoint, f"feature_{f}", {**EXPLAINABILITY_DIMENSIONS, "Label": label}),
                    label=f if len(labels) == 1 else f"{f} ({label})",
                )
                for f in features
                for label in labels
                if (f, label) not in shown
            ]
        if not rows:
            schema = panel.metric(endpoint, "", {**EXPLAINABILITY_DIMENSIONS, "Label": ""})
            rows = [search_row(schema, "feature_", "Average", 3600, "shap", any_value=("Label",))]
        return metric_widgets(
            "Model explainability: global SHAP value per feature",
            rows,
            region=region,
            stat="Average",
            period=ALARM_PERIOD_SECONDS,
            annotations=annotations,
        )
    return []


def _bias_label(alarm: Any) -> str:
    return f"{alarm.metric} {alarm.facet}={alarm.facet_value} ({alarm.label}={alarm.label_value})"


def endpoint_health_widgets(endpoint: str, region: str) -> list[dict[str, Any]]:
    """The endpoint's own metrics (AWS/SageMaker), over every variant (the variant is not a parameter)."""

    def search(metric: str, stat: str, id: str) -> list[Any]:
        expression = (
            f"SEARCH('{{AWS/SageMaker,EndpointName,VariantName}} EndpointName={json.dumps(endpoint)} "
            f"MetricName={json.dumps(metric)}', '{stat}', {ENDPOINT_PERIOD_SECONDS})"
        )
        return [{"expression": expression, "id": id}]

    common: dict[str, Any] = {"region": region, "period": ENDPOINT_PERIOD_SECONDS, "width": 8}
    return [
        *metric_widgets("Endpoint: invocations", [search("Invocations", "Sum", "inv")], stat="Sum", **common),
        *metric_widgets(
            "Endpoint: model latency (microseconds)",
            [search("ModelLatency", "Average", "lat")],
            stat="Average",
            y_label="microseconds",
            **common,
        ),
        *metric_widgets(
            "Endpoint: 4XX and 5XX errors",
            [search("Invocation4XXErrors", "Sum", "e4"), search("Invocation5XXErrors", "Sum", "e5")],
            stat="Sum",
            **common,
        ),
    ]


def operations_widgets(config: DashboardConfig) -> list[dict[str, Any]]:
    """What is measurable of failed or violating monitoring executions and failed baseline runs: the checker Lambda
    notifies them by e-mail and publishes no metric, so its own errors; the state machine's failed executions."""
    region, widgets = config.account.region, []
    if config.checker_function_name:
        rows = [
            metric_row(PublishedMetric("AWS/Lambda", m, {"FunctionName": config.checker_function_name}), label=m)
            for m in ("Errors", "Invocations")
        ]
        widgets += metric_widgets(
            "Execution checker (Failed/CompletedWithViolations executions are e-mailed)",
            rows,
            region=region,
            stat="Sum",
            period=ALARM_PERIOD_SECONDS,
        )
    if config.state_machine_arn:
        rows = [
            metric_row(PublishedMetric("AWS/States", m, {"StateMachineArn": config.state_machine_arn}), label=m)
            for m in ("ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted", "ExecutionsSucceeded")
        ]
        widgets += metric_widgets(
            "Baseline generation runs", rows, region=region, stat="Sum", period=ALARM_PERIOD_SECONDS
        )
    return widgets


def alarm_arn(account: AccountContext, name: str) -> str:
    return account.arn("cloudwatch", f"alarm:{name}")


def _console(account: AccountContext) -> str:
    domain = {"aws-cn": "console.amazonaws.cn", "aws-us-gov": "console.amazonaws-us-gov.com"}
    host = domain.get(account.partition, "console.aws.amazon.com")
    return f"https://{account.region}.{host}"


def _overview_markdown(config: DashboardConfig) -> str:
    endpoint, acct = config.endpoint.endpoint_name, config.account
    console, region = _console(acct), acct.region
    lines = [
        f"# {endpoint}: SageMaker Model Monitor",
        "",
        "**Latest reports** (under `<endpoint>/<schedule>/yyyy/mm/dd/hh/`):",
    ]
    for panel in config.monitors:
        output = panel.view.options.output_s3_uri
        published = "" if panel.view.publishes_metrics else " (publishes no CloudWatch metrics)"
        lines.append(
            f"* {panel.view.spec.title}: reports `{output}`, baseline `{panel.baseline_prefix}`, "
            f"schedule `{panel.schedule_name}`{published}"
        )
    if config.dashboard.baseline_output_s3_uri:
        lines.append(f"* generated baselines: `{config.dashboard.baseline_output_s3_uri}`")
    links = [
        f"[endpoint and its schedules]({console}/sagemaker/home?region={region}#/endpoints/{endpoint})",
        f"[alarms]({console}/cloudwatch/home?region={region}#alarmsV2:?search={endpoint})",
    ]
    if config.state_machine_arn:
        links.append(
            f"[baseline runs]({console}/states/home?region={region}#/statemachines/view/{config.state_machine_arn})"
        )
    if config.checker_function_name:
        links.append(
            f"[execution checker]({console}/lambda/home?region={region}#/functions/{config.checker_function_name})"
        )
    lines += ["", "Console: " + " | ".join(links)]
    return "\n".join(lines)


# --- layout and limits -------------------------------------------------------------------------------------------
def layout(widgets: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Place widgets left to right in rows of the 24-unit grid (x, y), in order."""
    placed, x, y, row_height = [], 0, 0, 0
    for widget in widgets:
        if x + widget["width"] > GRID_WIDTH:
            x, y, row_height = 0, y + row_height, 0
        placed.append({**widget, "x": x, "y": y})
        x += widget["width"]
        row_height = max(row_height, widget["height"])
    return placed


def metric_count(widget: dict[str, Any]) -> int:
    return len(widget["properties"].get("metrics", ())) if widget["type"] == "metric" else 0


def pages(widgets: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Split widgets into dashboards within the limits (widgets and metrics per dashboard), in order."""
    out: list[list[dict[str, Any]]] = [[]]
    metrics = 0
    for widget in widgets:
        count = metric_count(widget)
        if len(out[-1]) >= MAX_WIDGETS or metrics + count > MAX_DASHBOARD_METRICS:
            out.append([])
            metrics = 0
        out[-1].append(widget)
        metrics += count
    return out


def bodies(widgets: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"widgets": layout(page)} for page in pages(widgets)]


def _paged_names(name: str, count: int) -> list[str]:
    return [name if i == 0 else bounded_name(name, str(i + 1), max_length=255) for i in range(count)]


class Dashboards(Construct):
    """aws_cloudwatch_dashboard resources from widgets: one, or several when the limits require."""

    def __init__(self, scope: Construct, id: str, *, name: str, widgets: Sequence[dict[str, Any]]) -> None:
        super().__init__(scope, id)
        self.names: list[str] = []
        documents = bodies(widgets)
        for i, page_name in enumerate(_paged_names(name, len(documents))):
            suffix, body = ("" if i == 0 else f"_{i + 1}"), documents[i]
            aws("cloudwatch_dashboard").CloudwatchDashboard(
                self,
                f"dashboard{suffix}",
                dashboard_name=page_name,
                dashboard_body=json_document(self, f"dashboard_body{suffix}", body),
            )
            self.names.append(page_name)


def endpoint_dashboard(scope: Construct, config: DashboardConfig) -> Dashboards:
    return Dashboards(scope, "dashboard", name=config.name, widgets=endpoint_widgets(config))


# --- fleet overview -----------------------------------------------------------------------------------------------
def overview_widgets(configs: Sequence[DashboardConfig]) -> list[dict[str, Any]]:
    """Per endpoint: its alarms' states and its data quality drift."""
    widgets: list[dict[str, Any]] = [
        text_widget(
            "# Fleet overview\n\n" + " | ".join(f"`{c.endpoint.endpoint_name}`: dashboard `{c.name}`" for c in configs),
            height=3,
        )
    ]
    for config in configs:
        endpoint, region = config.endpoint.endpoint_name, config.account.region
        if config.alarm_names:
            arns = [alarm_arn(config.account, n) for n in config.alarm_names]
            widgets += alarm_widgets(f"{endpoint}: alarms", arns, width=12)
        for panel in config.monitors:
            if panel.view.name == "data_quality" and panel.view.publishes_metrics:
                for widget in monitor_widgets(panel, endpoint, region, config.dashboard.features):
                    title = widget["properties"]["title"]
                    widgets.append({**widget, "properties": {**widget["properties"], "title": f"{endpoint}: {title}"}})
    return widgets


def overview_dashboard(scope: Construct, stack_name: str, configs: Sequence[DashboardConfig]) -> Dashboards:
    name = bounded_name(stack_name, "overview", max_length=255)
    return Dashboards(scope, "fleet_overview", name=name, widgets=overview_widgets(configs))
