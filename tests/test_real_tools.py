"""Real tools on the synthesized JSON: terraform validate (aws 5.100.0 binary) and the CloudFormation
resource schemas shipped with cfn-lint for the awscc payloads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import cfnlint
import jsonschema
import pytest
import regex
from test_stack import FULL
from tftest import TerraformTestError

from monitors.monitor_types import MONITORS
from monitors.payloads.awscc_shapes import to_terraform  # noqa: F401  (documents where payloads come from)

# Every awscc job definition of the registry, by its CloudFormation type
# (AWS::SageMaker::<MonitoringType>JobDefinition).
CFN_TYPES = {
    spec.job_definition_resource: f"AWS::SageMaker::{spec.monitoring_type}JobDefinition"
    for spec in MONITORS.values()
    if spec.provider == "awscc"
}
SCHEMAS = Path(cfnlint.__file__).parent / "data" / "schemas"


def _pattern(validator, pattern, instance, schema):
    # CloudFormation patterns use \p{...} classes: the `regex` module understands them, `re` does not.
    if isinstance(instance, str) and not regex.search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


CfnValidator = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _pattern})


@pytest.fixture
def full(synth):
    return synth(FULL)


@pytest.mark.slow
def test_terraform_validate_full_stack(full, terraform_validate):
    report = terraform_validate(full)
    assert report["valid"] is True, report["diagnostics"]
    assert [d for d in report["diagnostics"] if d["severity"] == "error"] == []


@pytest.mark.slow
def test_terraform_validate_catches_a_broken_attribute(full, terraform_validate):
    """Proves validate really checks our attributes against the provider schema."""
    dq = next(iter(full["resource"]["aws_sagemaker_data_quality_job_definition"].values()))
    dq["job_resources"]["cluster_config"]["volume_size_in_g_b"] = 20
    with pytest.raises(TerraformTestError, match='"valid": false'):
        terraform_validate(full)


def _cfn_schema(cfn_type: str) -> dict:
    index = json.loads((SCHEMAS / "providers" / "us-east-1.json").read_text())
    return json.loads((SCHEMAS / "resources" / f"{index[cfn_type]}.json").read_text())


def _snake(name: str) -> str:
    """CloudFormation -> awscc attribute name, acronym-aware (VolumeSizeInGB -> volume_size_in_gb)."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def to_cloudformation(value, schema: dict, root: dict):
    """Rename awscc attributes to CloudFormation properties using the schema; unknown names fail."""
    while "$ref" in schema:
        schema = root["definitions"][schema["$ref"].split("/")[-1]]
    if isinstance(value, dict) and "patternProperties" in schema and "properties" not in schema:
        return value  # a map (e.g. Environment): its keys are data, checked by the schema's patterns
    if isinstance(value, dict):
        props = schema.get("properties", {})
        by_snake = {_snake(p): p for p in props}
        out = {}
        for key, v in value.items():
            assert key in by_snake, f"{key!r} is not a property here (known: {sorted(by_snake)})"
            out[by_snake[key]] = to_cloudformation(v, props[by_snake[key]], root)
        return out
    if isinstance(value, list):
        return [to_cloudformation(v, schema.get("items", {}), root) for v in value]
    return value


@pytest.mark.parametrize("rtype", sorted(CFN_TYPES))
def test_awscc_payloads_match_cloudformation_schema(full, rtype):
    schema = _cfn_schema(CFN_TYPES[rtype])
    [resource] = full["resource"][rtype].values()
    payload = {k: v for k, v in resource.items() if k not in ("//", "lifecycle", "provider", "depends_on")}
    # Terraform references are not values CloudFormation can check; substitute valid examples.
    text = json.dumps(payload)
    text = text.replace("${aws_iam_role.monitoring_role.arn}", "arn:aws:iam::123456789012:role/monitoring")
    text = re.sub(
        r"\$\{data\.aws_sagemaker_prebuilt_ecr_image\.\w+\.registry_path\}",
        "156813124566.dkr.ecr.us-east-2.amazonaws.com/image:1",
        text,
    )
    text = text.replace(
        "${data.aws_kms_key.monitoring_key.arn}",
        "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )
    assert "${" not in text
    document = to_cloudformation(json.loads(text), schema, schema)
    validator = CfnValidator({**schema, "definitions": schema.get("definitions", {})})
    errors = sorted(validator.iter_errors(document), key=str)
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]


def test_schema_check_rejects_wrong_payloads(full):
    schema = _cfn_schema(CFN_TYPES["awscc_sagemaker_model_quality_job_definition"])
    validator = CfnValidator(schema)
    [resource] = full["resource"]["awscc_sagemaker_model_quality_job_definition"].values()
    bad = json.loads(json.dumps(resource))
    bad["model_quality_app_specification"]["problem_type"] = "Ranking"
    bad.pop("role_arn")
    payload = {k: v for k, v in bad.items() if k not in ("//", "lifecycle", "provider")}
    document = to_cloudformation(payload, schema, schema)
    messages = [e.message for e in validator.iter_errors(document)]
    assert any("'RoleArn' is a required property" in m for m in messages)
    assert any("'Ranking' is not one of" in m for m in messages)
    with pytest.raises(AssertionError, match="volume_size_in_g_b"):
        to_cloudformation({"job_resources": {"cluster_config": {"volume_size_in_g_b": 1}}}, schema, schema)
