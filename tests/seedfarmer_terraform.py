"""`terraform` as the SeedFarmer deploy tests put it on PATH: the real CLI, except that no awscc provider binary
exists here (see tests/emulator/harness.py). On `terraform -chdir=<stack> init` of a stack with awscc job
definitions, those are created through boto3 against the emulator (AWS_ENDPOINT_URL), as tests/test_apply_cycle.py
does, and the stack's cdk.tf.json loses its awscc resources (their references become the created names); the S3
backend and everything else stay as the synth wrote them. Every other command is Terraform's own.

Usage (the tests write a `terraform` script that runs this file): seedfarmer_terraform.py <terraform arguments>.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from emulator import harness  # noqa: E402

PREBUILT = {
    "${data.aws_sagemaker_prebuilt_ecr_image.analyzer_image.registry_path}": (
        "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer:latest"
    ),
    "${data.aws_sagemaker_prebuilt_ecr_image.clarify_image.registry_path}": (
        "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0"
    ),
}
ROLE_ARN = re.compile(r"\$\{aws_iam_role\.(\w+)\.arn\}")


def _without_awscc(tf: dict) -> dict:
    import boto3

    sagemaker = boto3.client("sagemaker", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=harness.REGION)
    roles = tf["resource"].get("aws_iam_role", {})
    subs: dict[str, str] = {}
    for rtype, resources in tf["resource"].items():
        if not rtype.startswith("awscc_"):
            continue
        kind = rtype.removeprefix("awscc_sagemaker_").removesuffix("_job_definition")
        for logical, attrs in resources.items():
            payload = {k: v for k, v in attrs.items() if k not in ("//", "lifecycle", "provider", "tags", "depends_on")}
            text = ROLE_ARN.sub(
                lambda m: f"arn:aws:iam::{harness.ACCOUNT_ID}:role/{roles[m.group(1)]['name']}", json.dumps(payload)
            )
            for reference, literal in PREBUILT.items():
                text = text.replace(reference, literal)
            payload = json.loads(text)
            try:
                harness.create_job_definition(sagemaker, rtype, payload)
            except Exception as exc:  # noqa: BLE001 (created by an earlier init of the same stack)
                if "already exists" not in str(exc) and "ResourceInUse" not in str(exc):
                    raise
            name = payload["job_definition_name"]
            subs[f"{rtype}.{logical}.job_definition_name"] = name
            arn = f"arn:aws:sagemaker:{harness.REGION}:{harness.ACCOUNT_ID}:{kind.replace('_', '-')}-job-definition"
            subs[f"{rtype}.{logical}.job_definition_arn"] = f"{arn}/{name}"
    return harness.without_awscc(tf, subs)


def main(args: list[str]) -> None:
    chdir = next((a.split("=", 1)[1] for a in args if a.startswith("-chdir=")), None)
    command = next((a for a in args if not a.startswith("-")), None)
    if chdir and command == "init":
        path = Path(chdir) / "cdk.tf.json"
        tf = json.loads(path.read_text())
        if any(rtype.startswith("awscc_") for rtype in tf.get("resource", {})):
            path.write_text(json.dumps(_without_awscc(tf), indent=2))
    os.execv(harness.TERRAFORM_BIN, ["terraform", *args])


if __name__ == "__main__":
    main(sys.argv[1:])
