"""Terraform references (cdktf tokens) as parameters: which parameters take them, what is checked at synth
time, and what moves to plan time.

A parameter naming an AWS object created in the same CDKTF app (`endpoint.name`, `bucket.arn`, `key.arn`,
`topic.arn`, or the bucket of an S3 URI: `f"s3://{bucket.bucket}/baseline/"`) is a cdktf string token such
as `${TfToken[TOKEN.12]}` until synthesis, where it becomes a Terraform expression. Its value is unknown
at synth time, so validation checks a stand-in literal in its place (every other rule still runs, with its
usual message) and the reference's own rule becomes a `lifecycle.precondition` that Terraform checks at
plan time, when the value is known. Every other parameter (e.g. `stack_name`, which names the folder and
the resources at synth time) must be a literal.
"""

from __future__ import annotations

import re
from typing import Any

# cdktf's string token "${TfToken[TOKEN.<n>]}" (cdktf/lib/tokens/private/encoding.js); "#{TfToken[...]}" is a list.
TOKEN_RE = re.compile(r"[$#]\{TfToken\[[^\]]+\]\}")
S3_URI_WITH_REFERENCE_RE = re.compile(r"s3://(?P<bucket>\$\{TfToken\[[^\]]+\]\})(?P<key>/.*)?")

# Parameters that may be one reference as a whole, with the stand-in validated in its place and the rule
# Terraform checks at plan time (RE2 syntax, no backslashes, so the pattern is the same in HCL and JSON).
_PARTITIONS = "(aws|aws-cn|aws-us-gov)"
REFERENCE_FIELDS: dict[str, tuple[str, str]] = {
    "endpoint_name": (
        "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$",
        "must be a SageMaker endpoint name (letters, digits, hyphens; ≤ 63)",
    ),
    "model_bucket_arn": (
        f"^arn:{_PARTITIONS}:s3:::[a-z0-9][a-z0-9.-]{{1,61}}[a-z0-9]$",
        "must be an S3 bucket ARN like arn:aws:s3:::my-bucket",
    ),
    "kms_key_id": (
        "^(([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})|alias/[a-zA-Z0-9/_-]{1,250}"
        f"|arn:{_PARTITIONS}:kms:[a-z0-9-]+:[0-9]{{12}}:(key/([0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-"
        "[0-9a-f]{12}|mrk-[0-9a-f]{32})|alias/[a-zA-Z0-9/_-]{1,250}))$",
        "must be a KMS key id, alias (alias/name) or key/alias ARN",
    ),
    "alert_sns_topic_arn": (
        f"^arn:{_PARTITIONS}:sns:[a-z0-9-]+:[0-9]{{12}}:[A-Za-z0-9_-]{{1,256}}$",
        "must be an SNS topic ARN",
    ),
}
TAKES_REFERENCES = (
    "endpoint_name, model_bucket_arn, kms_key_id, alert_sns_topic_arn and the bucket of an S3 URI (*_s3_uri)"
)
PLACEHOLDER_BUCKET = "tfref-model-bucket"


def is_token(value: Any) -> bool:
    """The value holds a cdktf token (an unresolved Terraform reference), anywhere inside."""
    if isinstance(value, str):
        return TOKEN_RE.search(value) is not None
    if isinstance(value, (list, tuple)):
        return any(is_token(v) for v in value)
    if isinstance(value, dict):
        return any(is_token(k) or is_token(v) for k, v in value.items())
    return False


def without_references(value: Any) -> Any:
    """The value with every token replaced by one marker: content hashes must not depend on token numbers
    (they follow the order the app created its tokens in, not what they refer to)."""
    if isinstance(value, str):
        return TOKEN_RE.sub("<terraform-reference>", value)
    if isinstance(value, (list, tuple)):
        return [without_references(v) for v in value]
    if isinstance(value, dict):
        return {k: without_references(v) for k, v in value.items()}
    return value


def references(value: Any) -> list[str]:
    """The tokens inside a value, in order."""
    if isinstance(value, str):
        return TOKEN_RE.findall(value)
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in references(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in references(v)]
    return []


def lower(value: str) -> str:
    """value.lower(), or Terraform's lower() of a reference."""
    if not is_token(value):
        return value.lower()
    from cdktf import Fn

    return Fn.lower(value)


def s3_uri_fields(model_fields: Any) -> list[str]:
    return [name for name in model_fields if name.endswith("_s3_uri")]


def stand_ins(params: dict[str, Any], model_fields: Any) -> tuple[dict[str, Any], dict[str, Any], list[str], set[str]]:
    """(parameters to validate, {field: reference} to put back afterwards, problems, the fields they name)
    for Python parameters."""
    problems: list[str] = []
    checked = dict(params)
    restore: dict[str, Any] = {}
    bad: set[str] = set()
    uri_fields = set(s3_uri_fields(model_fields))

    bucket_arn = params.get("model_bucket_arn")
    literal_arn = bucket_arn if isinstance(bucket_arn, str) and not is_token(bucket_arn) else None
    partition = literal_arn.split(":")[1] if literal_arn is not None and literal_arn.count(":") >= 5 else "aws"
    if literal_arn is not None:
        bucket = literal_arn.split(":::", 1)[-1]
    else:
        # A referenced bucket: the literal URIs' bucket stands in for it when they agree (the precondition
        # checks it at plan time), so only a real disagreement between literals is reported now.
        literal_buckets = {
            f: v[5:].split("/", 1)[0]
            for f, v in params.items()
            if f in uri_fields and isinstance(v, str) and v.startswith("s3://") and not is_token(v)
        }
        bucket = next(iter(literal_buckets.values()), PLACEHOLDER_BUCKET)
        first = next(iter(literal_buckets), None)
        for field, other in literal_buckets.items():
            if other != bucket and is_token(bucket_arn):
                problems.append(
                    f"{field}: must be inside the model bucket (model_bucket_arn, a Terraform reference), like "
                    f"{first} (got bucket {other!r}, {first} names {bucket!r})"
                )
                bad.add(field)
    region = (
        params.get("region")
        if isinstance(params.get("region"), str) and not is_token(params.get("region"))
        else "us-east-1"
    )
    placeholders = {
        "endpoint_name": "tfref-endpoint",
        "model_bucket_arn": f"arn:{partition}:s3:::{bucket}",
        "kms_key_id": "alias/tfref-key",
        "alert_sns_topic_arn": f"arn:{partition}:sns:{region}:000000000000:tfref-topic",
    }

    for field in bad:
        checked.pop(field, None)
    for field, value in params.items():
        if not is_token(value):
            continue
        unknown = _unknown_reference(value)
        if unknown:
            problems.append(
                f"{field}: {unknown!r} looks like a Terraform reference (a cdktf token) but is none of this app's: "
                "give the value or the reference itself"
            )
        elif field in REFERENCE_FIELDS:
            if isinstance(value, str) and value.startswith("${") and TOKEN_RE.fullmatch(value):
                checked[field], restore[field] = placeholders[field], value
                continue
            problems.append(
                f"{field}: must be a literal or one Terraform reference alone, not text mixed with a reference"
            )
        elif field in uri_fields:
            match = S3_URI_WITH_REFERENCE_RE.fullmatch(value) if isinstance(value, str) else None
            if match and not is_token(match["key"] or ""):
                checked[field], restore[field] = f"s3://{bucket}{match['key'] or ''}", value
                continue
            problems.append(
                f"{field}: only the bucket of an S3 URI may be a Terraform reference "
                "(s3://<reference>/prefix/): the prefix is checked and scoped in IAM policies at synth time"
            )
        else:
            problems.append(
                f"{field}: must be a literal, not a Terraform reference: it is used at synth time "
                f"(names, folders, IAM policies); references are taken by {TAKES_REFERENCES}"
            )
        checked.pop(field, None)
        bad.add(field)
    if "endpoint_name" in restore and params.get("stack_name") is None:
        problems.append(
            "stack_name: is required when endpoint_name is a Terraform reference (the default stack "
            "name, which prefixes the resource names, is derived from the endpoint name)"
        )
    references_given = set(restore)
    if (references_given & {"endpoint_name", "model_bucket_arn"} | (references_given & uri_fields)) and (
        params.get("baseline_training_data_s3_uri") or params.get("baseline_output_data_s3_uri")
    ):
        problems.append(
            "baseline_training_data_s3_uri: baseline generation needs literal endpoint_name, "
            "model_bucket_arn and S3 URIs (its Lambda events and analysis configurations are written "
            "at synth time); give those as literals or leave baseline generation off"
        )
    if "endpoint_name" in restore and (params.get("alert_sns_topic_arn") or params.get("alert_create_topic")):
        problems.append(
            "endpoint_name: alerts name the endpoint at synth time (alarm names, the execution "
            "checker's configuration): give endpoint_name as a literal to use alerts"
        )
    return checked, restore, problems, bad


def _unknown_reference(value: Any) -> str | None:
    """The first token-like text in value that is no token of the running app (cdktf would fail on it at synth
    with a JavaScript error), or None. Loads cdktf only for a value that looks like a token."""
    from cdktf import Tokenization

    for reference in references(value):
        try:
            Tokenization.reverse_string(reference)
        except Exception:  # jsii raises RuntimeError("Unrecognized Token Key ...")
            return reference
    return None


def plan_time_checks(settings: Any) -> list[dict[str, Any]]:
    """`lifecycle.precondition` blocks for the parameters given as references (empty without any): each
    reference's own rule, and that every S3 URI is inside the model bucket when either is a reference."""
    from cdktf import Fn, Op

    checks: list[dict[str, Any]] = []
    for field, (pattern, rule) in REFERENCE_FIELDS.items():
        value = getattr(settings, field)
        if is_token(value):
            checks.append({"condition": Fn.can(Fn.regex(pattern, value)), "error_message": f"{field}: {rule}"})
    bucket_arn = settings.model_bucket_arn
    bucket_name = Fn.element(Fn.split(":::", bucket_arn), 1) if is_token(bucket_arn) else settings.model_bucket_name
    from monitors.settings.model import PARAMETERS

    for field in s3_uri_fields(PARAMETERS):
        uri = settings.parameter(field)
        if isinstance(uri, str) and (is_token(uri) or is_token(bucket_arn)):
            # The URI's bucket is a reference as a whole, or a literal (a reference inside a function's string
            # argument would be an escape sequence cdktf does not support there).
            uri_bucket = uri[len("s3://") :].split("/", 1)[0]
            checks.append(
                {
                    "condition": Op.eq(uri_bucket, bucket_name),
                    "error_message": f"{field}: must be inside the model bucket (model_bucket_arn)",
                }
            )
    return checks
