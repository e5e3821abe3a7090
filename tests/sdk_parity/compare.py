"""Field-by-field comparison of the SDK's and the project's requests, and the list of known differences.

Operation keys: ``Create<Type>JobDefinition``, ``CreateMonitoringSchedule (<Type>)``,
``CreateProcessingJob (<Type> baseline)`` (the baselining job), ``analysis_config.json (<Type> monitor)``
(the file the monitor's ConfigUri points at: ``content``, ``upload`` = the PutObject encryption arguments,
``lifetime``) and ``analysis_config.json (<Type> baseline job)`` (what the baselining job is given).

Normalized before comparing (both sides alike): generated names (job definitions, schedules, processing
jobs, baselining jobs) -> ``<name>``; the role and KMS key ARNs -> ``<monitoring-role-arn>`` /
``<kms-key-arn>``; ECR image URIs -> ``<image repository[:tag]>`` (the registry account differs by region);
``ConfigUri`` -> ``<analysis-config-uri>`` (where the file lives is compared as ``lifetime``, what it
says as ``content``); a processing job's own name inside its other values (the project's staging folder) ->
``<name>``; Tags -> {Key: Value}; subnets and security groups sorted (sets). Anything else is compared as sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sdk_parity import matrix as m

KNOWN_DIFFERENCES = Path(__file__).resolve().parent / "known_differences.yaml"
ABSENT = "<absent>"
NOT_SENT = "<not sent>"
NAME_KEYS = {
    "JobDefinitionName",
    "MonitoringJobDefinitionName",
    "MonitoringScheduleName",
    "ProcessingJobName",
    "BaseliningJobName",
}
IMAGE_RE = re.compile(r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?/(.+)$")
# Sets, not sequences: the aws provider models them as sets and sends them in its own order.
UNORDERED_KEYS = {"Subnets", "SecurityGroupIds"}
STATUSES = ("justified", "open-bug", "open-finding")
# The list of remaining differences in docs/sdk-parity.md, generated from the known list (tests/test_readme.py
# checks it).
README_BEGIN = (
    "<!-- BEGIN remaining SDK differences: generated from tests/sdk_parity/known_differences.yaml by "
    "`.venv/bin/python tests/sdk_parity/run.py --readme` -->"
)
README_END = "<!-- END remaining SDK differences -->"


def _normalize_string(key: str, value: str) -> str:
    if key in NAME_KEYS:
        return "<name>"
    if key == "ConfigUri":
        return "<analysis-config-uri>"
    if value == m.ROLE_ARN:
        return "<monitoring-role-arn>"
    if value == m.KMS_KEY_ARN:
        return "<kms-key-arn>"
    image = IMAGE_RE.match(value)
    if image:
        return f"<image {image.group(1)}>"
    return value


def normalize(node: Any, key: str = "") -> Any:
    if isinstance(node, dict):
        return {k: normalize(v, k) for k, v in node.items()}
    if isinstance(node, list):
        if key == "Tags":
            return {t["Key"]: t["Value"] for t in node}
        if key in UNORDERED_KEYS:
            return sorted(normalize(v, key) for v in node)
        return [normalize(v, key) for v in node]
    if isinstance(node, str):
        return _normalize_string(key, node)
    return node


def flatten(node: Any, path: str = "") -> dict[str, Any]:
    if isinstance(node, dict) and node:
        out = {}
        for k, v in node.items():
            out.update(flatten(v, f"{path}.{k}" if path else str(k)))
        return out
    if isinstance(node, list) and node:
        out = {}
        for i, v in enumerate(node):
            out.update(flatten(v, f"{path}[{i}]"))
        return out
    return {path or "$": node}


def _replace_in_strings(node: Any, old: str, new: str) -> Any:
    if isinstance(node, dict):
        return {k: _replace_in_strings(v, old, new) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace_in_strings(v, old, new) for v in node]
    return node.replace(old, new) if isinstance(node, str) else node


def _comparable(operation: str, request: Any) -> Any:
    if isinstance(request, dict) and isinstance(request.get("ProcessingJobName"), str):
        # A generated name inside other values too (the project's staging folder is named after its job).
        request = _replace_in_strings(request, request["ProcessingJobName"], "<name>")
    if operation.startswith("analysis_config.json"):
        request = {k: v for k, v in request.items() if k != "uri"}
        if not isinstance(request.get("content"), dict):
            request["content"] = "<none>"
            request.pop("upload", None)  # nothing uploaded: the content difference says it
        elif request.get("upload") is not None:
            # Only the encryption arguments say something about the file; the rest (ChecksumAlgorithm, ...)
            # depends on which boto3 upload call wrote it.
            request["upload"] = {
                k: v for k, v in request["upload"].items() if k.startswith("SSE") or k == "ServerSideEncryption"
            }
    return normalize(request)


@dataclass(frozen=True)
class Difference:
    config: str
    operation: str
    path: str
    sdk: Any
    project: Any

    def key(self) -> tuple:
        return (self.config, self.operation, self.path, repr(self.sdk), repr(self.project))


def differences(config: str, sdk: dict[str, Any], project: dict[str, Any]) -> list[Difference]:
    found = []
    for operation in sorted(set(sdk) | set(project)):
        if operation not in project or operation not in sdk:
            found.append(
                Difference(
                    config,
                    operation,
                    "$",
                    "<sent>" if operation in sdk else NOT_SENT,
                    "<sent>" if operation in project else NOT_SENT,
                )
            )
            continue
        left = _comparable(operation, sdk[operation])
        right = _comparable(operation, project[operation])
        if (
            operation.startswith("analysis_config.json")
            and "<none>" in (left["content"], right["content"])
            and left["content"] != right["content"]
        ):
            found.append(
                Difference(
                    config,
                    operation,
                    "content",
                    "<written>" if left["content"] != "<none>" else "<none>",
                    "<written>" if right["content"] != "<none>" else "<none>",
                )
            )
            left = {k: v for k, v in left.items() if k not in ("content", "upload")}
            right = {k: v for k, v in right.items() if k not in ("content", "upload")}
        flat_left, flat_right = flatten(left), flatten(right)
        for path in sorted(set(flat_left) | set(flat_right)):
            a, b = flat_left.get(path, ABSENT), flat_right.get(path, ABSENT)
            if a != b:
                found.append(Difference(config, operation, path, a, b))
    return found


# --------------------------------------------------------------------------- the known list


def load_known() -> list[dict]:
    entries = yaml.safe_load(KNOWN_DIFFERENCES.read_text()) or []
    problems = []
    for i, entry in enumerate(entries):
        where = f"{KNOWN_DIFFERENCES.name} entry {i} ({entry.get('operation')} {entry.get('path')})"
        missing = [
            k
            for k in ("configs", "operation", "path", "sdk", "project", "status", "summary", "reason")
            if k not in entry
        ]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
        if entry.get("status") not in STATUSES:
            problems.append(f"{where}: status must be one of {', '.join(STATUSES)}")
        if entry.get("status") == "justified" and not (entry.get("source", {}) or {}).get("url"):
            problems.append(f"{where}: a justified difference needs source.url and source.title (the AWS page)")
        if entry.get("status") == "open-bug" and not str(entry.get("reason", "")).startswith("issue 10"):
            problems.append(f"{where}: an open-bug reason starts with the issue row ('issue 10 row N: to be fixed')")
    assert not problems, "\n".join(problems)
    return entries


def expand(entries: list[dict]) -> dict[tuple, dict]:
    keyed = {}
    for entry in entries:
        for config in entry["configs"]:
            keyed[Difference(config, entry["operation"], entry["path"], entry["sdk"], entry["project"]).key()] = entry
    return keyed


def as_yaml_entries(diffs: list[Difference], known: dict[tuple, dict] | None = None) -> str:
    """Differences grouped across configs, in the known list's format (known entries keep status/reason)."""
    grouped: dict[tuple, dict] = {}
    for d in diffs:
        group = grouped.setdefault(
            (d.operation, d.path, repr(d.sdk), repr(d.project)),
            {"configs": [], "operation": d.operation, "path": d.path, "sdk": d.sdk, "project": d.project},
        )
        group["configs"].append(d.config)
        entry = (known or {}).get(d.key())
        for field in ("status", "summary", "reason", "source"):
            if entry and field in entry:
                group[field] = entry[field]
        group.setdefault("status", "TODO")
        group.setdefault("summary", "TODO")
        group.setdefault("reason", "TODO")
    return yaml.safe_dump(list(grouped.values()), sort_keys=False, width=120, allow_unicode=True)


def _field_label(entry: dict) -> str:
    """A short name for the field: its last path component (two for a generic ``S3Uri``)."""
    if entry["operation"].startswith("analysis_config.json"):
        return f"analysis_config.json {entry['path']}"
    parts = [p.split("[")[0] for p in entry["path"].split(".")]
    return ".".join(parts[-2:]) if parts[-1] == "S3Uri" else parts[-1]


def readme_list(entries: list[dict]) -> str:
    """One line per remaining difference (entries with the same status and summary are one difference, met in
    several fields), justified first: the end of docs/sdk-parity.md ("How the monitors match SageMaker's own")."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for entry in sorted(entries, key=lambda e: STATUSES.index(e["status"])):
        groups.setdefault((entry["status"], entry["summary"]), []).append(entry)
    lines = []
    for (status, summary), members in groups.items():
        fields = sorted({_field_label(e) for e in members})
        lines.append(f"- **{status}** ({', '.join(f'`{f}`' for f in fields)}): {summary}")
    return "\n".join(lines) + "\n"
