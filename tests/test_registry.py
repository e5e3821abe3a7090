"""The monitor-type registry is the one place a monitor type's facts live: views, tables and layers built on it."""

from __future__ import annotations

import ast
import gzip
import importlib.util
import json
import re
from pathlib import Path

import pytest
from conftest import BUCKET, MINIMAL

from monitors.settings.config import validate
from monitors.monitor_types import MONITOR_TYPES, MONITORS
from monitors.settings.model import INSTANCE_TYPE_RE, STACK_LEVEL, MonitorSettings, Settings

ROOT = Path(__file__).resolve().parent.parent
S = f"s3://{BUCKET}"
SOURCES = sorted([*(ROOT / "monitors").glob("*.py"), *(ROOT / "baseline").glob("*.py")])


def test_every_per_monitor_parameter_is_in_exactly_one_view():
    mentioned = {f for f in Settings.model_fields if any(m in f for m in MONITOR_TYPES)}
    mapped = [setting for spec in MONITORS.values() for setting in spec.settings_fields.values()]
    assert sorted(mapped) == sorted(mentioned)  # each once, none missing, none invented
    view_fields = {f for f in MonitorSettings.__dataclass_fields__ if f not in ("spec", "publishes_metrics", "generated_baseline")}
    assert {f for spec in MONITORS.values() for f in spec.view_fields} == view_fields


def test_view_reads_the_monitor_parameters_without_prefix():
    settings = validate({**MINIMAL, "enable_model_bias_monitor": True, "model_bias_baseline_s3_uri": f"{S}/b/",
                         "model_bias_output_s3_uri": f"{S}/o/", "model_bias_ground_truth_s3_uri": f"{S}/gt/",
                         "model_bias_instance_type": "ml.c5.xlarge", "model_bias_start_time_offset": "-PT2H",
                         "publish_cloudwatch_metrics": False})
    bias = settings.monitor("model_bias")
    assert (bias.name, bias.enabled, bias.instance_type, bias.start_time_offset, bias.ground_truth_s3_uri) == (
        "model_bias", True, "ml.c5.xlarge", "-PT2H", f"{S}/gt/")
    assert (bias.publishes_metrics, bias.generated_baseline) == (False, False)
    quality = settings.monitor("data_quality")
    assert quality.ground_truth_s3_uri is None and quality.problem_type is None  # not a data quality field
    assert settings.enabled_monitors == ("data_quality", "model_bias")


def test_constructs_get_typed_views_not_the_whole_settings():
    """Only the public construct (monitors/constructs/construct.py, the composition root) takes Settings; each construct below
    it gets the typed views of what it builds (issue 12)."""
    import dataclasses
    import typing

    from monitors.constructs.baseline_generation import BaselineConfig
    from monitors.constructs.alerts import AlertsConfig
    from monitors.payloads.job_definitions import MonitorJob
    from monitors.constructs.monitor import MonitorConfig

    for config in (MonitorConfig, MonitorJob, BaselineConfig, AlertsConfig):
        hints = typing.get_type_hints(config)
        assert set(hints) == {f.name for f in dataclasses.fields(config)}
        assert Settings not in [a for hint in hints.values() for a in (hint, *typing.get_args(hint))], config
    for module in ("monitors/constructs/monitor.py", "monitors/constructs/alerts.py", "monitors/constructs/baseline_generation.py"):
        imported = {a.name for node in ast.walk(ast.parse((ROOT / module).read_text()))
                    if isinstance(node, ast.ImportFrom) for a in node.names}
        assert "Settings" not in imported, module


def test_shared_views_carry_the_endpoint_baseline_and_alert_settings():
    settings = validate({**MINIMAL, "kms_key_id": "alias/mm", "subnet_ids": ["subnet-0123456789abcdef0"],
                         "security_group_id": "sg-0123456789abcdef0", "enable_network_isolation": True,
                         "tags": {"team": "ml"}, "baseline_training_data_s3_uri": f"{S}/train.csv",
                         "baseline_output_data_s3_uri": f"{S}/baselines", "baseline_instance_type": "ml.m5.2xlarge",
                         "baseline_run_on_deploy": False, "baseline_log_retention_days": 30,
                         "alert_sns_topic_arn": "arn:aws:sns:us-east-2:123456789012:alerts",
                         "alert_email_addresses": ["ops@example.com"], "alert_check_interval_minutes": 15})
    endpoint = settings.endpoint()
    assert (endpoint.endpoint_name, endpoint.stack_name, endpoint.model_bucket_arn, endpoint.kms_key_id) == (
        settings.endpoint_name, settings.stack_name, settings.model_bucket_arn, "alias/mm")
    assert dict(endpoint.tags) == settings.resource_tags() and endpoint.tags["team"] == "ml"
    net = endpoint.network
    assert (net.subnet_ids, net.security_group_id, net.vpc_enabled, net.enable_network_isolation,
            net.enable_inter_container_traffic_encryption) == (("subnet-0123456789abcdef0",), "sg-0123456789abcdef0", True, True, True)
    generation = settings.baseline_generation()
    assert (generation.training_data_s3_uri, generation.output_data_s3_uri, generation.instance_type,
            generation.run_on_deploy, generation.log_retention_days, generation.schedule_expression) == (
        f"{S}/train.csv", f"{S}/baselines", "ml.m5.2xlarge", False, 30, "cron(0 2 * * ? *)")
    alerting = settings.alerting()
    assert (alerting.sns_topic_arn, alerting.email_addresses, alerting.check_interval_minutes, alerting.log_retention_days,
            alerting.on_monitoring_executions, alerting.alarm_treat_missing_data) == (
        "arn:aws:sns:us-east-2:123456789012:alerts", ("ops@example.com",), 15, 30, True, "ignore")
    plain = validate(MINIMAL)
    assert plain.baseline_generation() is None and plain.alerting() is None
    assert plain.endpoint().network.vpc_enabled is False and plain.endpoint().network.subnet_ids == ()


@pytest.mark.parametrize("monitor", MONITOR_TYPES)
def test_spec_names_real_builders_and_resources(monitor):
    spec = MONITORS[monitor]
    from monitors.payloads import analysis_configs, job_definitions

    assert callable(getattr(job_definitions, spec.builder))
    assert spec.analysis_config is None or callable(getattr(analysis_configs, spec.analysis_config))
    assert (spec.analysis_config is not None) == ("config" in spec.baseline_files)
    assert spec.job_definition_resource.startswith(f"{spec.provider}_sagemaker_")
    from monitors.constructs.monitor import job_definition_class

    resource_class = job_definition_class(spec)
    assert getattr(resource_class, "TF_RESOURCE_TYPE", getattr(resource_class, "RESOURCE_TYPE", None)) == spec.job_definition_resource
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
    terraform = {n for n, f in Settings.model_fields.items() if (f.json_schema_extra or {}).get("group") == "Terraform"}
    assert terraform <= STACK_LEVEL  # a new backend parameter is stack-level unless someone says otherwise
    assert STACK_LEVEL - terraform == {"tags", "custom_tags", "sagemaker_project_id", "sagemaker_project_name",
                                       "seedfarmer_project_name", "seedfarmer_deployment_name", "seedfarmer_module_name"}


def _imports(path: Path) -> set[str]:
    """Project modules a file imports, at module level or inside functions."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("monitors", "baseline"):
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names if (ROOT / node.module.replace(".", "/") / f"{a.name}.py").exists())
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] in ("monitors", "baseline"))
    return {m for m in out if (ROOT / f"{m.replace('.', '/')}.py").exists()}


def test_no_import_cycle_and_settings_stays_below_baseline():
    graph = {f"{p.parent.name}.{p.stem}": _imports(p) for p in SOURCES}

    def reachable(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    assert [m for m in graph if m in reachable(m)] == []
    for lower in ("monitors.monitor_types", "monitors.settings.model"):
        assert not {m for m in reachable(lower) if m.startswith("baseline.")}, lower
    assert reachable("monitors.monitor_types") == set()  # pure data


def _monitor_literals(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and n.value in MONITOR_TYPES]


def test_no_module_outside_the_registry_lists_or_branches_on_monitor_types():
    found = []
    for path in SOURCES:
        if path.name == "registry.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
                items = node.keys if isinstance(node, ast.Dict) else node.elts
                names = [i.value for i in items if isinstance(i, ast.Constant) and i.value in MONITOR_TYPES]
                if len(names) >= 2:
                    found.append(f"{where} lists {names}")
            if isinstance(node, ast.Compare) and _monitor_literals(node):
                found.append(f"{where} branches on {_monitor_literals(node)}")
            # getattr(settings, f"{monitor}_...") instead of the typed view
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
                    and len(node.args) > 1 and isinstance(node.args[1], ast.JoinedStr)):
                found.append(f"{where} builds an attribute name")
    assert found == []


def _extending_section() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("## Extending: adding a monitor type", 1)[1].split("\n## ", 1)[0]


def test_extending_walkthrough_names_at_most_four_files_that_exist():
    steps = re.findall(r"^\d+\. \*\*`([^`]+)`\*\*", _extending_section(), re.M)
    assert 1 <= len(steps) <= 4, steps
    assert [s for s in steps if not (ROOT / s).is_file()] == []
    assert "monitors/monitor_types/__init__.py" in steps


def test_readme_counts_the_bad_input_cases():
    import test_bad_input

    readme = (ROOT / "README.md").read_text()
    counted = re.search(r"\((\d+) settings cases and (\d+) file cases", readme)
    assert counted, "README names the number of bad-input cases"
    assert (int(counted[1]), int(counted[2])) == (len(test_bad_input.CASES), len(test_bad_input.FILE_CASES))


def test_test_files_named_in_the_code_exist():
    named = {m for p in [*SOURCES, *(ROOT / "lambda_image").rglob("*.py")]
             for m in re.findall(r"tests/[\w/]+\.py", p.read_text())}
    assert named and sorted(n for n in named if not (ROOT / n).is_file()) == []
