"""Hostile input, in process: generated cases per parameter class, each refused with a message naming the parameter
and nothing but ConfigError (issue 22); the state path a re-synth must not reach."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import pytest
from conftest import MINIMAL

from monitors.settings.builder import SettingsError, monitoring_settings
from monitors.settings.config import ConfigError, validate
from monitors.settings.model import PARAMETERS
from monitors.tooling import output


def refused(config: dict) -> list[str]:
    try:
        validate(config)
    except ConfigError as exc:
        return exc.problems
    raise AssertionError(f"accepted: {config}")


# --- backend_local_path: never where a synth writes, moves or removes (monitors/tooling/output.py) ---------------
STATE_IN_SYNTH_OUTPUT = [
    "cdk.tf.json",
    "cdk.tf",
    "metadata.json",
    "assets",
    "assets/terraform.tfstate",
    "./assets/../assets/state",
    "../other-stack/cdk.tf.json",
    "../other-stack/assets/state",
    "../other-stack",
    "../.old.new/terraform.tfstate",
    "../../manifest.json",
    "../../.synth.lock",
    "../../.synth-1234/terraform.tfstate",
    "../../stacks",
    "../../../cdktf.out/stacks/x/cdk.tf.json",
    "../../../other-out/manifest.json",
]


@pytest.mark.parametrize("path", STATE_IN_SYNTH_OUTPUT)
def test_state_path_in_synth_output_is_refused(path):
    lines = refused({**MINIMAL, "backend_local_path": path})
    assert [line for line in lines if line.startswith("backend_local_path: ")], lines
    assert any("re-synth would overwrite or delete the state" in line for line in lines), lines


ACCEPTED_STATE_PATHS = [
    "terraform.tfstate",
    "state/terraform.tfstate",
    "../../terraform.tfstate",
    "../../state/terraform.tfstate",
    "../other-stack/terraform.tfstate",
    "../../../terraform.mine.tfstate",
    "../../../state/prod.tfstate",
]


@pytest.mark.parametrize("path", ACCEPTED_STATE_PATHS)
def test_state_path_outside_synth_output_is_accepted(path):
    assert validate({**MINIMAL, "backend_local_path": path}).backend_local_path == path


def _synthesized(root, stack: str) -> object:
    """A cdktf outdir as a synth writes it (in the scratch folder), with every generated entry."""
    folder = root / "stacks" / stack
    (folder / "assets" / "lambda").mkdir(parents=True)
    (folder / "assets" / "lambda" / "app.zip").write_text("zip")
    for name in ("cdk.tf.json", "metadata.json"):
        (folder / name).write_text(json.dumps({"new": True}))
    (root / "manifest.json").write_text("{}")
    return root


@pytest.mark.parametrize("path", ACCEPTED_STATE_PATHS)
def test_accepted_state_path_survives_a_resynth(tmp_path, path):
    """Every accepted form: the state file is untouched by two synths (install into an existing folder, and a
    stack that leaves the configuration is kept because of the state)."""
    project = tmp_path / "project"
    outdir = project / "cdktf.out"
    stack_dir = outdir / "stacks" / "mine"
    for run in range(2):
        with output.locked_output(outdir) as scratch:
            output.install(_synthesized(scratch, "mine"), outdir, ["mine"])
        state = os.path.normpath(stack_dir / path)
        if run == 0:
            os.makedirs(os.path.dirname(state), exist_ok=True)
            with open(state, "w") as f:
                f.write('{"version": 4, "serial": 7}')
    assert Path(state).read_text() == '{"version": 4, "serial": 7}'
    assert (stack_dir / "cdk.tf.json").is_file()


@pytest.mark.parametrize("path", ["cdk.tf.json", "assets/terraform.tfstate"])
def test_refused_state_paths_are_lost_by_a_resynth(tmp_path, path):
    """Why the rule exists: the same harness loses a state file at a refused path."""
    outdir = tmp_path / "cdktf.out"
    for run in range(2):
        with output.locked_output(outdir) as scratch:
            output.install(_synthesized(scratch, "mine"), outdir, ["mine"])
        state = outdir / "stacks" / "mine" / path
        if run == 0:
            state.write_text("state")
    assert not state.is_file() or state.read_text() != "state"


# --- cdktf token look-alikes (cdktf/lib/tokens/private/encoding.js): strings, keys, list items, numbers ------------
def _double(top: int, low: int = 7) -> float:
    """The double whose top 16 bits are `top`: cdktf's number token (0xfdff) and number list token (0xfbff)."""
    return struct.unpack("<d", struct.pack("<HHHH", low, 0, 0, top))[0]


NUMBER_TOKEN, NUMBER_LIST_TOKEN = _double(0xFDFF), _double(0xFBFF)
# Token numbers no app of the test process reaches: TOKEN.1 is a real token once any earlier test in the same worker
# built an app, and a real token of the app is a reference the library accepts (tests/test_construct.py).
TOKEN_TEXTS = [
    "${TfToken[TOKEN.987654321]}",
    "#{TfToken[TOKEN.987654321]}",
    "&{TfToken[TOKEN.987654321]}",
    "TfToken[TOKEN.987654321]",
    "a${b}",
    "a%{if x}",
    "x#{y",
    "x&{y",
    f"x{NUMBER_TOKEN!r}",
    f"{NUMBER_LIST_TOKEN!r}",
]
TOKEN_CASES = [
    *[({"endpoint_name": t}, "endpoint_name") for t in TOKEN_TEXTS],
    *[({"stack_name": t}, "stack_name") for t in TOKEN_TEXTS],
    *[({"subnet_ids": ["subnet-0123456789abcdef0", t]}, "subnet_ids[1]") for t in TOKEN_TEXTS],
    *[({"tags": {"team": t}}, "tags") for t in TOKEN_TEXTS],
    *[({"tags": {t: "v"}}, "tags") for t in TOKEN_TEXTS],
    *[({"baseline_model_bias_params": {t: "v"}}, "baseline_model_bias_params") for t in TOKEN_TEXTS],
    *[({"baseline_model_bias_params": {"label_header": t}}, "baseline_model_bias_params") for t in TOKEN_TEXTS],
    *[
        ({"data_quality_output_s3_uri": f"s3://sagemaker-us-east-2-123456789012/{t}"}, "data_quality_output_s3_uri")
        for t in TOKEN_TEXTS
    ],
    ({"baseline_instance_count": NUMBER_TOKEN}, "baseline_instance_count"),
    ({"data_quality_instance_count": NUMBER_LIST_TOKEN}, "data_quality_instance_count"),
    ({"data_quality_max_runtime_seconds": NUMBER_TOKEN}, "data_quality_max_runtime_seconds"),
    ({"baseline_model_bias_params": {"probability_threshold": NUMBER_TOKEN}}, "baseline_model_bias_params"),
    ({"baseline_model_bias_params": {"label_values": [NUMBER_LIST_TOKEN]}}, "baseline_model_bias_params"),
    ({"data_quality_drift_alarms": [{"feature": "a", "threshold": NUMBER_TOKEN}]}, "data_quality_drift_alarms"),
]


@pytest.mark.parametrize(("override", "field"), TOKEN_CASES)
def test_cdktf_token_look_alikes_are_refused(override, field):
    lines = refused({**MINIMAL, **override})
    assert any(line.startswith(field) for line in lines), lines


@pytest.mark.parametrize(("override", "field"), TOKEN_CASES)
def test_cdktf_token_look_alikes_are_refused_by_the_library(override, field):
    """monitoring_settings(...): no traceback; a token-like text that is no token of the app is refused (real
    references of the app are tests/test_construct.py's)."""
    with pytest.raises(SettingsError) as exc:
        monitoring_settings(**{**MINIMAL, **override})
    assert any(line.startswith(field.split("[")[0]) for line in exc.value.problems), exc.value.problems


@pytest.mark.parametrize("number", [-8.1e298, -1e280, -1e295, 1e300, -1e-300, 0.5, 2**60])
def test_plain_numbers_near_the_token_range_are_numbers(number):
    from monitors.settings.config import cdktf_number_token

    assert not cdktf_number_token(number)
    assert cdktf_number_token(NUMBER_TOKEN) and cdktf_number_token(NUMBER_LIST_TOKEN)


# --- tags as AWS accepts them (botocore sagemaker TagKey/TagValue, IAM tagKeyType/tagValueType) --------------------
TAG_CASES = [
    ({"tags": {"team": "a$b"}}, "tags"),
    ({"tags": {"team": "a{b}"}}, "tags"),
    ({"tags": {"team": "a;b"}}, "tags"),
    ({"tags": {"team": "<script>"}}, "tags"),
    ({"tags": {"team": 'a"b'}}, "tags"),
    ({"tags": {"team": "v" * 257}}, "tags"),
    ({"tags": {"": "v"}}, "tags"),
    ({"tags": {"k" * 129: "v"}}, "tags"),
    ({"tags": {"a*b": "v"}}, "tags"),
    ({"tags": {"AWS:owner": "me"}}, "tags"),
    ({"tags": {"Team": "a", "team": "b"}}, "tags"),
    ({"tags": {"Team": "a"}, "custom_tags": {"team": "b"}}, "custom_tags"),
    ({"tags": {"SageMaker:Project-Name": "x"}, "sagemaker_project_name": "p"}, "tags"),
    ({"custom_tags": {"x": "a%b"}}, "custom_tags"),
    ({"sagemaker_project_name": "a$b"}, "sagemaker_project_name"),
    ({"sagemaker_project_id": "p" * 257}, "sagemaker_project_id"),
    ({"seedfarmer_project_name": "x;rm -rf"}, "seedfarmer_project_name"),
    ({"seedfarmer_deployment_name": "a{b"}, "seedfarmer_deployment_name"),
    ({"seedfarmer_module_name": "a'b"}, "seedfarmer_module_name"),
]


@pytest.mark.parametrize(("override", "field"), TAG_CASES)
def test_tags_follow_aws_rules(override, field):
    lines = refused({**MINIMAL, **override})
    assert any(line.startswith(field) for line in lines), lines


def test_tags_aws_accepts_are_kept_as_given():
    tags = {"Équipe": "données ml", "cost-center": "a_b.c:d/e=f+g-h@i", "empty": "", "数": "値 1"}
    settings = validate({**MINIMAL, "tags": tags, "sagemaker_project_name": "proj-1", "custom_tags": {"team": "x"}})
    assert settings.resource_tags() == dict(sorted({**tags, "sagemaker:project-name": "proj-1", "team": "x"}.items()))


# --- item 4: instance types, regions, Terraform Cloud names, EventBridge input, schedules, e-mails, thresholds, URIs --
S = "s3://sagemaker-us-east-2-123456789012"
ALERTS = {"alert_sns_topic_arn": "arn:aws:sns:us-east-2:123456789012:alerts"}
GENERATION = {"baseline_training_data_s3_uri": f"{S}/train/data.csv", "baseline_output_data_s3_uri": f"{S}/generated/"}
MQ = {
    "enable_model_quality_monitor": True,
    "model_quality_baseline_s3_uri": f"{S}/b/mq/",
    "model_quality_output_s3_uri": f"{S}/o/mq/",
    "model_quality_ground_truth_s3_uri": f"{S}/gt/",
    "model_quality_problem_type": "BinaryClassification",
    "model_quality_inference_attribute": "0",
}
AWS_RULE_CASES = [
    ({"data_quality_instance_type": "ml.m5.huge"}, "data_quality_instance_type"),
    ({"data_quality_instance_type": "ml.x1.large"}, "data_quality_instance_type"),
    ({"baseline_instance_type": "ml.p9.large"}, "baseline_instance_type"),
    ({**GENERATION, "baseline_data_quality_params": {"instance_type": "ml.m5.nope"}}, "baseline_data_quality_params"),
    ({"region": "cn-north-1"}, "region"),
    ({"region": "us-gov-west-1"}, "region"),
    ({"model_bucket_arn": "arn:aws-cn:s3:::sagemaker-us-east-2-123456789012"}, "region"),
    ({"model_bucket_arn": "arn:aws-us-gov:s3:::sagemaker-us-east-2-123456789012"}, "region"),
    ({"backend": "cloud", "tfc_organization": "my org", "tfc_workspace_name": "w"}, "tfc_organization"),
    ({"backend": "cloud", "tfc_organization": "o", "tfc_workspace_name": "w/x"}, "tfc_workspace_name"),
    ({"backend": "cloud", "tfc_organization": "o", "tfc_workspace_name": "w" * 91}, "tfc_workspace_name"),
    ({"backend": "cloud", "tfc_organization": "o.rg", "tfc_workspace_name": "w"}, "tfc_organization"),
    ({**GENERATION, "baseline_schedule_expression": "rate(5 minutes)"}, "baseline_schedule_expression"),
    ({**GENERATION, "baseline_schedule_expression": "rate(59 minutes)"}, "baseline_schedule_expression"),
    ({**GENERATION, "baseline_schedule_expression": "cron(* 2 * * ? *)"}, "baseline_schedule_expression"),
    ({**GENERATION, "baseline_schedule_expression": "cron(0/5 * * * ? *)"}, "baseline_schedule_expression"),
    ({**GENERATION, "baseline_schedule_expression": "cron(0,30 * * * ? *)"}, "baseline_schedule_expression"),
    (
        {**ALERTS, "alert_email_addresses": ["a@example.com", "b@example.com", "A@example.com"]},
        "alert_email_addresses[2]",
    ),
    (
        {**ALERTS, **MQ, "model_quality_alarms": [{"metric": "accuracy", "threshold": -0.1, "direction": "below"}]},
        "model_quality_alarms[0].threshold",
    ),
    (
        {**ALERTS, **MQ, "model_quality_alarms": [{"metric": "f1", "threshold": 1.5, "direction": "below"}]},
        "model_quality_alarms[0].threshold",
    ),
    (
        {**ALERTS, **MQ, "model_quality_alarms": [{"metric": "auc", "threshold": 2, "direction": "below"}]},
        "model_quality_alarms[0].threshold",
    ),
    (
        {
            **ALERTS,
            **MQ,
            "model_quality_problem_type": "Regression",
            "model_quality_alarms": [{"metric": "rmse", "threshold": -1, "direction": "above"}],
        },
        "model_quality_alarms[0].threshold",
    ),
    ({"data_quality_output_s3_uri": f"{S}/baseline/dq/"}, "data_quality_output_s3_uri"),
    ({"data_quality_output_s3_uri": f"{S}/baseline/dq/reports/"}, "data_quality_output_s3_uri"),
    ({"data_quality_output_s3_uri": f"{S}/baseline/"}, "data_quality_output_s3_uri"),
    (
        {
            **GENERATION,
            "data_quality_baseline_s3_uri": None,
            "data_quality_output_s3_uri": f"{S}/generated/data_quality",
        },
        "data_quality_output_s3_uri",
    ),
    ({**GENERATION, "tags": {f"team{i}": "x" * 200 for i in range(45)}}, "baseline_data_quality_params"),
]


@pytest.mark.parametrize(("override", "field"), AWS_RULE_CASES)
def test_what_aws_would_refuse_at_apply_is_refused_at_synth(override, field):
    config = {k: v for k, v in {**MINIMAL, **override}.items() if v is not None}
    lines = refused(config)
    assert any(line.startswith(field) for line in lines), lines


@pytest.mark.parametrize(
    "override",
    [
        {"data_quality_instance_type": "ml.m7i-flex.large"},
        {"region": "cn-north-1", "model_bucket_arn": "arn:aws-cn:s3:::sagemaker-us-east-2-123456789012"},
        {"backend": "cloud", "tfc_organization": "my_org-1", "tfc_workspace_name": "prod_monitoring-2"},
        {**GENERATION, "baseline_schedule_expression": "rate(60 minutes)"},
        {**GENERATION, "baseline_schedule_expression": "rate(1 hour)"},
        {**GENERATION, "baseline_schedule_expression": "cron(15 */2 * * ? *)"},
        {**ALERTS, "alert_email_addresses": ["a@example.com", "b@example.com"]},
        {**ALERTS, **MQ, "model_quality_alarms": [{"metric": "accuracy", "threshold": 0.8, "direction": "below"}]},
        {
            **ALERTS,
            **MQ,
            "model_quality_problem_type": "Regression",
            "model_quality_alarms": [{"metric": "r2", "threshold": -0.5, "direction": "below"}],
        },
        {"data_quality_output_s3_uri": f"{S}/baseline/dq-reports/"},
    ],
)
def test_the_forms_aws_takes_are_accepted(override):
    validate({**MINIMAL, **override})


# --- item 5: environment variables with a file's bounds (monitors/tooling/yaml_source.py) -------------------------
ENV_CASES = [
    ("tags nested 60,000 deep", "SEEDFARMER_PARAMETER_TAGS", "[" * 60_000 + "]" * 60_000, "nested deeper than 32"),
    ("tags nested 33 deep", "SEEDFARMER_PARAMETER_TAGS", '{"a":' * 33 + "1" + "}" * 33, "nested deeper than 32"),
    ("mapping nested in strings is text", "SEEDFARMER_PARAMETER_TAGS", '{"a": "' + "[" * 100 + '"}', None),
    (
        "list over a megabyte",
        "SEEDFARMER_PARAMETER_SUBNET_IDS",
        json.dumps(["subnet-0123456789abcdef0"] * 50_000),
        "more than 1000000 bytes",
    ),
    ("text over a megabyte", "SEEDFARMER_PARAMETER_ENDPOINT_NAME", "e" * 1_000_001, "more than 1000000 bytes"),
    ("duplicate key", "SEEDFARMER_PARAMETER_TAGS", '{"a": "1", "a": "2"}', "has the key 'a' twice"),
    ("not JSON", "SEEDFARMER_PARAMETER_TAGS", "{a: 1", "must be JSON"),
    (
        "too many values",
        "SEEDFARMER_PARAMETER_SUBNET_IDS",
        "[" + ",".join(["0"] * 250_000) + "]",
        "more than 200000 values",
    ),
]


@pytest.mark.parametrize(("name", "variable", "raw", "expected"), ENV_CASES, ids=[c[0] for c in ENV_CASES])
def test_environment_values_have_a_files_bounds(name, variable, raw, expected):
    from monitors.settings.config import load_plan

    environ = {
        f"SEEDFARMER_PARAMETER_{k.upper()}": json.dumps(v) if isinstance(v, (list, dict)) else str(v)
        for k, v in MINIMAL.items()
    } | {variable: raw}
    with pytest.raises(ConfigError) as exc:
        load_plan(None, environ)
    field = variable.removeprefix("SEEDFARMER_PARAMETER_").lower()
    lines = [line for line in exc.value.problems if line.startswith(f"{field}: ")]
    assert lines, exc.value.problems
    if expected:
        assert expected in lines[0], lines


# --- item 7: a stack folder (or stacks/) that is a symbolic link is refused, never written through ---------------
@pytest.mark.parametrize("linked", ["stacks/mine", "stacks"])
def test_symlinked_stack_folders_are_refused(tmp_path, linked):
    outdir = tmp_path / "cdktf.out"
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "mine" if linked == "stacks" else elsewhere).mkdir(parents=True)
    victim = (elsewhere / "mine" if linked == "stacks" else elsewhere) / "cdk.tf.json"
    victim.write_text("someone else's")
    (outdir / linked).parent.mkdir(parents=True, exist_ok=True)
    (outdir / linked).symlink_to(elsewhere)
    with output.locked_output(outdir) as scratch, pytest.raises(output.OutputError) as exc:
        output.install(_synthesized(scratch, "mine"), outdir, ["mine"])
    assert "is a symbolic link" in str(exc.value) and "nothing was written" in str(exc.value)
    assert victim.read_text() == "someone else's"
    assert sorted(p.name for p in outdir.iterdir()) == [".synth.lock", "stacks"]


# --- item 9: the generated cases, kept as a test: hostile values per parameter class, for every parameter -------
def _classes(name: str) -> set[str]:
    from monitors.settings.config import _options, parameter_schema

    return ({option.get("type") for option in _options(parameter_schema(name))} - {"null"}) or {"string"}


_TEXTS = [
    "${x}",
    "%{if x}",
    "#{TfToken[TOKEN.1]}",
    "&{TfToken[TOKEN.1]}",
    "TfToken[1]",
    "a\nb",
    "\x00",
    f"a{NUMBER_TOKEN!r}",
]
HOSTILE_BY_CLASS: dict[str, list] = {
    "string": [*_TEXTS, NUMBER_TOKEN, ["a"], {"a": "b"}, "x" * 100_000],
    "integer": [
        True,
        "many",
        float("nan"),
        float("inf"),
        10**100,
        -(10**100),
        NUMBER_TOKEN,
        1.5,
        ["1"],
        {"a": 1},
        *_TEXTS,
    ],
    "number": [True, "many", float("nan"), float("inf"), 10**400, NUMBER_TOKEN, ["1"], {"a": 1}, *_TEXTS],
    "boolean": ["maybe", 2, [], {}, NUMBER_TOKEN, *_TEXTS],
    "array": [
        "not a list",
        {"a": 1},
        [None],
        ["${x}"],
        ["a\nb"],
        [NUMBER_TOKEN],
        ["#{TfToken[TOKEN.1]}"],
        [{"&{TfToken[T]}": 1}],
        5,
    ],
    "object": [
        "str",
        [1],
        {"${k}": "v"},
        {"k": "${v}"},
        {"&{TfToken[TOKEN.1]}": "v"},
        {"k": NUMBER_TOKEN},
        {"k\n": "v"},
        {"k": "#{TfToken[T.1]}"},
        5,
    ],
}


def _generated_cases(name: str) -> list:
    return [
        value for kind in sorted(_classes(name)) for value in HOSTILE_BY_CLASS.get(kind, HOSTILE_BY_CLASS["string"])
    ]


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_every_generated_hostile_value_is_refused_naming_the_parameter(name):
    """Each value: a ConfigError (nothing else escapes) with a line naming the parameter."""
    accepted, unnamed = [], []
    for value in _generated_cases(name):
        try:
            validate({**MINIMAL, name: value})
        except ConfigError as exc:
            if not any(line.startswith(name) for line in exc.problems):
                unnamed.append((repr(value)[:40], exc.problems[:3]))
        else:
            accepted.append(repr(value)[:40])
    assert (accepted, unnamed) == ([], [])


def test_the_generated_table_covers_every_parameter():
    cases = sum(len(_generated_cases(name)) for name in PARAMETERS)
    assert len(PARAMETERS) > 100 and cases > 1500, (len(PARAMETERS), cases)


@pytest.mark.parametrize(
    ("path", "endpoint"), [("state/prod.tfstate", "state-in-stack"), ("../../state/prod.tfstate", "state-beside-out")]
)
def test_accepted_state_path_survives_apply_and_resynth_against_the_emulator(
    moto_server, terraform, tmp_path, path, endpoint
):
    """Item 1 end to end: init -> apply with a non-default backend_local_path -> re-synth -> the state file is
    byte-identical and the plan is empty."""
    from emulator import harness

    from monitors.constructs.app import synthesize

    config = validate({**MINIMAL, "endpoint_name": endpoint, "backend_local_path": path})  # own names in the emulator
    outdir = tmp_path / "project" / "cdktf.out"
    [stack] = synthesize([config], outdir)
    (stack / "emulator_override.tf.json").write_text(
        json.dumps({"provider": {"aws": harness.provider_block(moto_server.endpoint, region="us-east-2")}})
    )
    tf = terraform(stack)
    tf.init()
    tf.apply()
    state = Path(os.path.normpath(stack / path))
    assert state.is_file()
    state_bytes = state.read_bytes()
    synthesize([config], outdir)
    assert state.read_bytes() == state_bytes
    assert tf.run("plan", "-detailed-exitcode").retcode == 0
