"""Operations that moto 5.2.5 lacks but the hashicorp/aws provider calls.

``register()`` patches moto's response classes (and one backend lookup) in the
current process; ``harness.MotoServer`` calls it before it starts moto's
``ThreadedMotoServer`` in the same process.

Added:

* SageMaker monitoring schedules: CreateMonitoringSchedule,
  DescribeMonitoringSchedule, UpdateMonitoringSchedule,
  DeleteMonitoringSchedule, ListMonitoringSchedules, Stop-/StartMonitoringSchedule (the
  status only), and AddTags / ListTags /
  DeleteTags on ``monitoring-schedule/<name>`` ARNs.  A schedule must name an
  existing job definition of its monitoring type (moto keeps those per type
  on the SageMaker backend).
* Step Functions: ValidateStateMachineDefinition (called by
  ``aws_sfn_state_machine`` on every plan whose definition changed) and
  ListStateMachineVersions (called on every read of the state machine).

"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

_REGISTERED = False

MONITORING_TYPES = ("DataQuality", "ModelQuality", "ModelBias", "ModelExplainability")

# monitoring type -> (backend attribute holding the job definitions,
#                     attribute prefix of the job definition object)
_JOB_DEFINITION_STORES = {
    "DataQuality": ("data_quality_job_definitions", "data_quality"),
    "ModelQuality": ("model_quality_job_definitions", "model_quality"),
    "ModelBias": ("model_bias_job_definitions", "model_bias"),
    "ModelExplainability": (
        "model_explainability_job_definitions",
        "model_explainability",
    ),
}

_NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
# cron(Minutes Hours Day-of-month Month Day-of-week Year): six fields, as the
# SageMaker schedule expressions; "NOW" is the one-time schedule.
_CRON_RE = re.compile(r"^cron\((\S+\s+){5}\S+\)$")


# --------------------------------------------------------------------------
# SageMaker monitoring schedules
# --------------------------------------------------------------------------


class FakeMonitoringSchedule:
    def __init__(
        self,
        account_id: str,
        region_name: str,
        name: str,
        config: dict[str, Any],
        endpoint_name: str | None,
        tags: list[dict[str, str]],
    ):
        from moto.core.utils import utcnow
        from moto.sagemaker.utils import arn_formatter

        self.name = name
        self.arn = arn_formatter("monitoring-schedule", name, account_id, region_name)
        self.config = config
        self.endpoint_name = endpoint_name
        self.tags = tags
        self.status = "Scheduled"
        self.creation_time: datetime = utcnow()
        self.last_modified_time: datetime = self.creation_time

    @property
    def monitoring_type(self) -> str:
        return self.config.get("MonitoringType", "DataQuality")

    @property
    def job_definition_name(self) -> str | None:
        return self.config.get("MonitoringJobDefinitionName")

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "MonitoringScheduleArn": self.arn,
            "MonitoringScheduleName": self.name,
            "MonitoringScheduleStatus": self.status,
            "MonitoringType": self.monitoring_type,
            "CreationTime": self.creation_time,
            "LastModifiedTime": self.last_modified_time,
            "MonitoringScheduleConfig": self.config,
        }
        if self.endpoint_name:
            out["EndpointName"] = self.endpoint_name
        return out

    def summary(self) -> dict[str, Any]:
        out = {k: v for k, v in self.describe().items() if k != "MonitoringScheduleConfig"}
        if self.job_definition_name:
            out["MonitoringJobDefinitionName"] = self.job_definition_name
        return out


def _schedules(backend: Any) -> dict[str, FakeMonitoringSchedule]:
    """Per-backend schedule store (created lazily; moto resets backends)."""
    store = backend.__dict__.get("monitoring_schedules")
    if store is None:
        store = backend.__dict__["monitoring_schedules"] = {}
    return store


def _validation(message: str) -> Exception:
    from moto.sagemaker.exceptions import ValidationError

    return ValidationError(message=message)


def _not_found(message: str) -> Exception:
    from moto.sagemaker.exceptions import ResourceNotFound

    return ResourceNotFound(message)


def _validate_name(name: Any, field: str = "monitoringScheduleName") -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise _validation(
            f"1 validation error detected: Value '{name}' at '{field}' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
        )
    return name


def _endpoint_of_job_definition(job_def: Any, attr_prefix: str) -> str | None:
    job_input = getattr(job_def, f"{attr_prefix}_job_input", None) or {}
    endpoint_input = job_input.get("EndpointInput") or {}
    return endpoint_input.get("EndpointName")


def _check_config(backend: Any, config: Any) -> tuple[dict[str, Any], str | None]:
    """Validate a MonitoringScheduleConfig; return (stored config, endpoint name)."""
    if not isinstance(config, dict):
        raise _validation(
            "1 validation error detected: Value null at 'monitoringScheduleConfig' "
            "failed to satisfy constraint: Member must not be null"
        )
    config = json.loads(json.dumps(config, default=str))  # private deep copy

    monitoring_type = config.get("MonitoringType")
    if monitoring_type is not None and monitoring_type not in MONITORING_TYPES:
        raise _validation(
            f"1 validation error detected: Value '{monitoring_type}' at "
            "'monitoringScheduleConfig.monitoringType' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(MONITORING_TYPES)}]"
        )

    schedule = config.get("ScheduleConfig")
    if schedule is not None:
        expression = schedule.get("ScheduleExpression")
        if not expression:
            raise _validation(
                "1 validation error detected: Value null at "
                "'monitoringScheduleConfig.scheduleConfig.scheduleExpression' "
                "failed to satisfy constraint: Member must not be null"
            )
        if expression != "NOW" and not _CRON_RE.match(expression):
            raise _validation(f"Invalid schedule expression: {expression}")

    job_definition_name = config.get("MonitoringJobDefinitionName")
    inline_definition = config.get("MonitoringJobDefinition")
    if job_definition_name and inline_definition:
        raise _validation("Only one of MonitoringJobDefinition and MonitoringJobDefinitionName can be specified")
    if not job_definition_name and not inline_definition:
        raise _validation("One of MonitoringJobDefinition or MonitoringJobDefinitionName must be specified")

    endpoint_name: str | None = None
    if job_definition_name:
        if monitoring_type is None:
            # AWS treats a named job definition without a type as DataQuality.
            monitoring_type = "DataQuality"
            config["MonitoringType"] = monitoring_type
        store_attr, attr_prefix = _JOB_DEFINITION_STORES[monitoring_type]
        job_def = getattr(backend, store_attr).get(job_definition_name)
        if job_def is None:
            other_types = [
                t
                for t, (attr, _) in _JOB_DEFINITION_STORES.items()
                if t != monitoring_type and job_definition_name in getattr(backend, attr)
            ]
            hint = f" (a job definition of that name exists for {other_types[0]})" if other_types else ""
            raise _validation(f"Could not find {monitoring_type} job definition '{job_definition_name}'{hint}.")
        endpoint_name = _endpoint_of_job_definition(job_def, attr_prefix)
    else:
        inputs = inline_definition.get("MonitoringInputs") or []
        for item in inputs:
            name = (item.get("EndpointInput") or {}).get("EndpointName")
            if name:
                endpoint_name = name
                break
    return config, endpoint_name


def _find_schedule(backend: Any, name: str) -> FakeMonitoringSchedule:
    schedule = _schedules(backend).get(name)
    if schedule is None:
        from moto.sagemaker.utils import arn_formatter

        arn = arn_formatter("monitoring-schedule", name, backend.account_id, backend.region_name)
        raise _not_found(f"Monitoring Schedule {arn} does not exist.")
    return schedule


def _sm_create_monitoring_schedule(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.sagemaker.exceptions import ResourceInUseException

    backend = self.sagemaker_backend
    name = _validate_name(self._get_param("MonitoringScheduleName"))
    if name in _schedules(backend):
        raise ResourceInUseException(f"Monitoring Schedule '{name}' already exists.")
    config, endpoint_name = _check_config(backend, self._get_param("MonitoringScheduleConfig"))
    schedule = FakeMonitoringSchedule(
        account_id=backend.account_id,
        region_name=backend.region_name,
        name=name,
        config=config,
        endpoint_name=endpoint_name,
        tags=list(self._get_param("Tags") or []),
    )
    _schedules(backend)[name] = schedule
    return ActionResult({"MonitoringScheduleArn": schedule.arn})


def _sm_describe_monitoring_schedule(self: Any) -> Any:
    from moto.core.responses import ActionResult

    name = self._get_param("MonitoringScheduleName")
    return ActionResult(_find_schedule(self.sagemaker_backend, name).describe())


def _sm_update_monitoring_schedule(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow

    backend = self.sagemaker_backend
    schedule = _find_schedule(backend, self._get_param("MonitoringScheduleName"))
    config, endpoint_name = _check_config(backend, self._get_param("MonitoringScheduleConfig"))
    schedule.config = config
    schedule.endpoint_name = endpoint_name
    schedule.last_modified_time = utcnow()
    return ActionResult({"MonitoringScheduleArn": schedule.arn})


def _sm_set_monitoring_schedule_status(self: Any, status: str) -> Any:
    """StopMonitoringSchedule / StartMonitoringSchedule: the status only (an empty answer, as the API's)."""
    from moto.core.responses import EmptyResult

    _find_schedule(self.sagemaker_backend, self._get_param("MonitoringScheduleName")).status = status
    return EmptyResult()


def _sm_delete_monitoring_schedule(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    backend = self.sagemaker_backend
    schedule = _find_schedule(backend, self._get_param("MonitoringScheduleName"))
    del _schedules(backend)[schedule.name]
    return EmptyResult()


def _sm_list_monitoring_schedules(self: Any) -> Any:
    from moto.core.responses import ActionResult

    items = list(_schedules(self.sagemaker_backend).values())
    endpoint = self._get_param("EndpointName")
    if endpoint:
        items = [s for s in items if s.endpoint_name == endpoint]
    job_def = self._get_param("MonitoringJobDefinitionName")
    if job_def:
        items = [s for s in items if s.job_definition_name == job_def]
    mtype = self._get_param("MonitoringTypeEquals")
    if mtype:
        items = [s for s in items if s.monitoring_type == mtype]
    contains = self._get_param("NameContains")
    if contains:
        items = [s for s in items if contains in s.name]
    status = self._get_param("StatusEquals")
    if status:
        items = [s for s in items if s.status == status]
    for param, keep in (
        ("CreationTimeBefore", lambda s, t: s.creation_time < t),
        ("CreationTimeAfter", lambda s, t: s.creation_time > t),
        ("LastModifiedTimeBefore", lambda s, t: s.last_modified_time < t),
        ("LastModifiedTimeAfter", lambda s, t: s.last_modified_time > t),
    ):
        value = self._get_param(param)
        if value is not None:
            value = _as_naive_utc(value)
            items = [s for s in items if keep(s, value)]

    sort_by = self._get_param("SortBy") or "CreationTime"
    sort_key = {
        "Name": lambda s: s.name,
        "Status": lambda s: s.status,
        "CreationTime": lambda s: s.creation_time,
    }.get(sort_by)
    if sort_key is None:
        raise _validation(
            f"1 validation error detected: Value '{sort_by}' at 'sortBy' failed to "
            "satisfy constraint: Member must satisfy enum value set: "
            "[Status, CreationTime, Name]"
        )
    items.sort(key=sort_key, reverse=(self._get_param("SortOrder") or "Descending") == "Descending")

    page, next_token = _paginate(items, self._get_param("NextToken"), self._get_param("MaxResults"))
    result: dict[str, Any] = {"MonitoringScheduleSummaries": [s.summary() for s in page]}
    if next_token:
        result["NextToken"] = next_token
    return ActionResult(result)


def _as_naive_utc(value: Any) -> datetime:
    if isinstance(value, (int, float)):
        return datetime.utcfromtimestamp(value)
    if isinstance(value, str):
        try:
            return datetime.utcfromtimestamp(float(value))
        except ValueError:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _paginate(items: list[Any], token: Any, max_results: Any) -> tuple[list[Any], str | None]:
    try:
        start = int(token) if token else 0
    except ValueError:
        raise _validation(f"Invalid pagination token: {token}") from None
    size = int(max_results) if max_results else 100
    page = items[start : start + size]
    return page, (str(start + size) if start + size < len(items) else None)


def _patch_sagemaker_tag_lookup() -> None:
    from moto.sagemaker.models import SageMakerModelBackend

    original = SageMakerModelBackend._get_resource_from_arn

    def _get_resource_from_arn(self: Any, arn: str) -> Any:
        tail = arn.split(":")[-1]
        if tail.startswith("monitoring-schedule/"):
            name = tail.split("/", 1)[1]
            schedule = _schedules(self).get(name)
            if schedule is None:
                raise _validation(f"Could not find monitoring-schedule with name {name}")
            return schedule
        resource = original(self, arn)
        if resource is None:  # moto would fail with AttributeError (HTTP 500)
            raise _validation(f"Could not find resource {arn}")
        if getattr(resource, "tags", []) is None:  # e.g. ModelExplainability without Tags
            resource.tags = []
        return resource

    _get_resource_from_arn._emulator_patched = True  # type: ignore[attr-defined]
    SageMakerModelBackend._get_resource_from_arn = _get_resource_from_arn  # type: ignore[method-assign]


def _drop_empty(node: Any) -> Any:
    """AWS omits optional members that were never set; moto returns {} / []."""
    if isinstance(node, dict):
        out = {k: _drop_empty(v) for k, v in node.items()}
        return {k: v for k, v in out.items() if v not in ({}, [], None)}
    if isinstance(node, list):
        return [_drop_empty(v) for v in node]
    return node


def _aws_job_definition_view(description: dict[str, Any]) -> dict[str, Any]:
    """Describe*JobDefinition output as AWS returns it: no empty optional
    structures (the aws provider turns an empty NetworkConfig or
    DataQualityBaselineConfig into a block and then plans a replacement) and
    the service-side defaults filled in (StoppingCondition 3600 s, S3 input
    mode File, distribution FullyReplicated, upload mode EndOfJob)."""
    out = _drop_empty(json.loads(json.dumps(description, default=str)))
    for key in ("CreationTime", "LastModifiedTime"):
        if key in description:
            out[key] = description[key]  # keep datetimes for the serializer
    if "StoppingConditions" in out:  # moto 5.2.5 misspells it for ModelExplainability
        out.setdefault("StoppingCondition", out.pop("StoppingConditions"))
    out.setdefault("StoppingCondition", {"MaxRuntimeInSeconds": 3600})
    for key, value in out.items():
        if key.endswith("JobInput") and isinstance(value, dict):
            for input_key in ("EndpointInput", "BatchTransformInput"):
                item = value.get(input_key)
                if isinstance(item, dict):
                    item.setdefault("S3InputMode", "File")
                    item.setdefault("S3DataDistributionType", "FullyReplicated")
        if key.endswith("JobOutputConfig") and isinstance(value, dict):
            for output in value.get("MonitoringOutputs") or []:
                s3_output = output.get("S3Output") if isinstance(output, dict) else None
                if isinstance(s3_output, dict):
                    s3_output.setdefault("S3UploadMode", "EndOfJob")
    return out


def _patch_job_definition_describes() -> None:
    from moto.sagemaker.models import SageMakerModelBackend

    for mtype in MONITORING_TYPES:
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", mtype).lower()
        method_name = f"describe_{snake}_job_definition"
        original = getattr(SageMakerModelBackend, method_name)
        if getattr(original, "_emulator_patched", False):
            continue

        def describe(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            return _aws_job_definition_view(_original(self, *args, **kwargs))

        describe._emulator_patched = True  # type: ignore[attr-defined]
        setattr(SageMakerModelBackend, method_name, describe)


# --------------------------------------------------------------------------
# Lambda
# --------------------------------------------------------------------------


def _patch_lambda_image_config() -> None:
    """moto returns ``ImageConfigResponse: {ImageConfig: {Command: [],
    EntryPoint: []}}`` for every Image function; AWS omits what was never set.
    The aws provider turns the empty lists into an ``image_config`` block and
    plans to remove it on every plan (perpetual diff)."""
    from moto.awslambda.models import LambdaFunction

    original = LambdaFunction.get_configuration
    if getattr(original, "_emulator_patched", False):
        return

    original_init = LambdaFunction.__init__
    original_update = LambdaFunction.update_configuration

    def __init__(self: Any, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        original_init(self, account_id, spec, *args, **kwargs)
        # moto drops LoggingConfig; AWS echoes it back (otherwise: a perpetual logging_config diff).
        self._emulator_logging_config = spec.get("LoggingConfig")

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "LoggingConfig" in config_updates:
            self._emulator_logging_config = config_updates["LoggingConfig"]
        return original_update(self, config_updates)

    LambdaFunction.__init__ = __init__  # type: ignore[method-assign]
    LambdaFunction.update_configuration = update_configuration  # type: ignore[method-assign]

    def get_configuration(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        config = original(self, *args, **kwargs)
        logging_config = getattr(self, "_emulator_logging_config", None)
        if logging_config:
            config["LoggingConfig"] = {"LogFormat": "Text", **logging_config}
        response = config.get("ImageConfigResponse")
        if isinstance(response, dict):
            image_config = {k: v for k, v in (response.get("ImageConfig") or {}).items() if v not in (None, [], "")}
            if image_config:
                config["ImageConfigResponse"] = {**response, "ImageConfig": image_config}
            else:
                del config["ImageConfigResponse"]
        return config

    get_configuration._emulator_patched = True  # type: ignore[attr-defined]
    LambdaFunction.get_configuration = get_configuration  # type: ignore[method-assign]


def _patch_lambda_simple_function_errors() -> None:
    """moto's Docker-less Lambda returns queued results as plain answers. AWS marks a function that
    raised with the ``X-Amz-Function-Error: Unhandled`` header and an ``{"errorMessage", "errorType"}``
    payload; a queued result of that shape gets the header here, so callers see a function error."""
    from moto.awslambda_simple.models import LambdaSimpleBackend

    original = LambdaSimpleBackend.invoke
    if getattr(original, "_emulator_patched", False):
        return

    def invoke(self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any) -> Any:
        payload = original(self, function_name, qualifier, body, headers, response_headers)
        try:
            answer = json.loads(payload)
        except (TypeError, ValueError):
            return payload
        if isinstance(answer, dict) and {"errorMessage", "errorType"} <= answer.keys():
            response_headers["x-amz-function-error"] = "Unhandled"
        return payload

    invoke._emulator_patched = True  # type: ignore[attr-defined]
    LambdaSimpleBackend.invoke = invoke  # type: ignore[method-assign]


# --------------------------------------------------------------------------
# Step Functions
# --------------------------------------------------------------------------


def _asl_diagnostics(definition: Any) -> list[dict[str, str]]:
    """A small subset of the AWS validator: JSON syntax and top-level wiring."""

    def diag(code: str, message: str, location: str | None = None) -> dict[str, str]:
        out = {"severity": "ERROR", "code": code, "message": message}
        if location:
            out["location"] = location
        return out

    if not isinstance(definition, str) or not definition.strip():
        return [diag("INVALID_JSON_DESCRIPTION", "Definition must not be empty")]
    try:
        doc = json.loads(definition)
    except ValueError as exc:
        return [diag("INVALID_JSON_DESCRIPTION", f"Invalid JSON: {exc}")]
    if not isinstance(doc, dict):
        return [diag("SCHEMA_VALIDATION_FAILED", "Definition must be a JSON object", "/")]

    problems = []
    missing = [k for k in ("StartAt", "States") if k not in doc]
    if missing:
        problems.append(
            diag(
                "SCHEMA_VALIDATION_FAILED",
                f"These fields are required: [{', '.join(missing)}]",
                "/",
            )
        )
    states = doc.get("States")
    if "States" in doc and (not isinstance(states, dict) or not states):
        problems.append(diag("SCHEMA_VALIDATION_FAILED", "States must be a non-empty object", "/States"))
        states = None
    if isinstance(states, dict):
        start = doc.get("StartAt")
        if start is not None and start not in states:
            problems.append(diag("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {start}", "/StartAt"))
        for state_name, state in states.items():
            if not isinstance(state, dict):
                continue
            targets = [("Next", state.get("Next")), ("Default", state.get("Default"))]
            for i, choice in enumerate(state.get("Choices") or []):
                if isinstance(choice, dict):
                    targets.append((f"Choices/{i}/Next", choice.get("Next")))
            for i, catcher in enumerate(state.get("Catch") or []):
                if isinstance(catcher, dict):
                    targets.append((f"Catch/{i}/Next", catcher.get("Next")))
            for path, target in targets:
                if target is not None and target not in states:
                    problems.append(
                        diag(
                            "MISSING_TRANSITION_TARGET",
                            f"Missing 'Next' target: {target}",
                            f"/States/{state_name}/{path}",
                        )
                    )
    return problems


def _sfn_validate_state_machine_definition(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.stepfunctions.exceptions import ValidationException

    sm_type = self._get_param("type")
    if sm_type is not None and sm_type not in ("STANDARD", "EXPRESS"):
        raise ValidationException(
            f"1 validation error detected: Value '{sm_type}' at 'type' failed to "
            "satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"
        )
    diagnostics = _asl_diagnostics(self._get_param("definition"))
    return ActionResult(
        {
            "result": "FAIL" if diagnostics else "OK",
            "diagnostics": diagnostics,
            "truncated": False,
        }
    )


def _sfn_list_state_machine_versions(self: Any) -> Any:
    from moto.core.responses import ActionResult

    arn = self._get_param("stateMachineArn")
    machine = self.stepfunction_backend.describe_state_machine(arn)
    versions = sorted(
        getattr(machine, "versions", {}).values(),
        key=lambda v: (v.creation_date, v.version),
        reverse=True,
    )
    page, next_token = _paginate(versions, self._get_param("nextToken"), self._get_param("maxResults"))
    result: dict[str, Any] = {
        "stateMachineVersions": [{"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in page]
    }
    if next_token:
        result["nextToken"] = next_token
    return ActionResult(result)


# --------------------------------------------------------------------------


def register() -> None:
    """Install the extensions into moto (idempotent)."""
    global _REGISTERED
    if _REGISTERED:
        return
    from moto.sagemaker.responses import SageMakerResponse
    from moto.stepfunctions.responses import StepFunctionResponse

    sagemaker_ops = {
        "create_monitoring_schedule": _sm_create_monitoring_schedule,
        "describe_monitoring_schedule": _sm_describe_monitoring_schedule,
        "update_monitoring_schedule": _sm_update_monitoring_schedule,
        "stop_monitoring_schedule": lambda self: _sm_set_monitoring_schedule_status(self, "Stopped"),
        "start_monitoring_schedule": lambda self: _sm_set_monitoring_schedule_status(self, "Scheduled"),
        "delete_monitoring_schedule": _sm_delete_monitoring_schedule,
        "list_monitoring_schedules": _sm_list_monitoring_schedules,
    }
    sfn_ops = {
        "validate_state_machine_definition": _sfn_validate_state_machine_definition,
        "list_state_machine_versions": _sfn_list_state_machine_versions,
    }
    for cls, ops in ((SageMakerResponse, sagemaker_ops), (StepFunctionResponse, sfn_ops)):
        for name, func in ops.items():
            # Never shadow an implementation that a newer moto ships.
            if name not in cls.__dict__:
                setattr(cls, name, func)
    _patch_sagemaker_tag_lookup()
    _patch_job_definition_describes()
    _patch_lambda_image_config()
    _patch_lambda_simple_function_errors()
    _REGISTERED = True
