"""The SageMaker Python SDK's requests for a case's setup (sagemaker 2.x, the reference implementation).

The SDK runs as a user would write it (the AWS documentation's and the SDK's own examples): one monitor
object per type; with generated baselines ``suggest_baseline`` then ``create_monitoring_schedule`` on that
object (so the SDK links the schedule to its baselining job), with given baselines
``create_monitoring_schedule`` with the baseline files. Every SageMaker call is captured (capture.py).

Returns {operation key: request} (see ``compare.py`` for the keys).
"""

from __future__ import annotations

import json
import os
from typing import Any

from sdk_parity import matrix as m
from sdk_parity.capture import Recorder
from sdk_parity.matrix import Case

os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")

MONITORING_TYPES = {
    "data_quality": "DataQuality",
    "model_quality": "ModelQuality",
    "model_bias": "ModelBias",
    "model_explainability": "ModelExplainability",
}
# The AWS documentation's batch transform example ("Schedule model quality monitoring jobs",
# BatchTransformInput(..., destination="/opt/ml/processing/input", ...)).
SDK_BATCH_DESTINATION = "/opt/ml/processing/input"
LIFETIME_IMMUTABLE = "written once for this job definition (its own key)"
ENDPOINT_DESTINATION = "/opt/ml/processing/input/endpoint"  # the SDK's own default for an endpoint name


def _put_json(s3_client, uri: str, body: Any) -> None:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    s3_client.put_object(Bucket=bucket, Key=key, Body=json.dumps(body).encode())


def seed_baseline_files(case: Case, s3_client) -> None:
    """The files the SDK reads while building its requests (Statistics/Constraints.from_s3_uri)."""
    for monitor in case.monitors:
        prefix = (
            m.given_baseline_prefix(monitor)
            if case.baselines == "given"
            else m.generated_baseline_prefix(monitor) + "/"
        )
        for name in ("statistics.json", "constraints.json", "analysis.json"):
            _put_json(s3_client, prefix + name, {"version": 0.0})


def _monitor_input(case: Case, monitor: str, **attributes: Any) -> dict:
    from sagemaker.model_monitor import BatchTransformInput, EndpointInput
    from sagemaker.model_monitor.dataset_format import MonitoringDatasetFormat

    extras = m.extras(case, monitor)
    attributes.update(
        {
            k: extras[k]
            for k in (
                "start_time_offset",
                "end_time_offset",
                "exclude_features_attribute",
                "s3_input_mode",
                "s3_data_distribution_type",
            )
            if k in extras
        }
    )
    attributes = {k: v for k, v in attributes.items() if v is not None}
    if case.monitoring_input == "endpoint":
        return {
            "endpoint_input": EndpointInput(endpoint_name=m.ENDPOINT, destination=ENDPOINT_DESTINATION, **attributes)
        }
    dataset_format = (
        MonitoringDatasetFormat.csv(header=True)
        if case.monitoring_input == "batch-csv"
        else MonitoringDatasetFormat.json(lines=True)
    )
    return {
        "batch_transform_input": BatchTransformInput(
            data_captured_destination_s3_uri=m.batch_capture_uri(monitor),
            destination=SDK_BATCH_DESTINATION,
            dataset_format=dataset_format,
            **attributes,
        )
    }


def run_sdk(case: Case, recorder: Recorder) -> dict[str, Any]:
    import sagemaker
    from sagemaker.clarify import BiasConfig, DataConfig, ModelConfig, ModelPredictedLabelConfig, SHAPConfig
    from sagemaker.model_monitor import (
        BiasAnalysisConfig,
        DefaultModelMonitor,
        ExplainabilityAnalysisConfig,
        ModelBiasMonitor,
        ModelExplainabilityMonitor,
        ModelQualityMonitor,
    )
    from sagemaker.model_monitor.dataset_format import DatasetFormat
    from sagemaker.network import NetworkConfig

    boto_session = recorder.session()
    s3_client = boto_session.client("s3")
    seed_baseline_files(case, s3_client)
    session = sagemaker.Session(boto_session=boto_session, default_bucket=m.BUCKET)
    kms = m.KMS_KEY_ARN if case.secure else None
    common = dict(
        role=m.ROLE_ARN,
        instance_count=m.INSTANCE_COUNT,
        instance_type=m.INSTANCE_TYPE,
        volume_size_in_gb=m.VOLUME_GB,
        max_runtime_in_seconds=m.MAX_RUNTIME,
        volume_kms_key=kms,
        output_kms_key=kms,
        tags=dict(m.TAGS),
        env=dict(m.ENVIRONMENT) if case.extras else None,  # the monitors' env (issue 20 item 5)
        sagemaker_session=session,
        network_config=NetworkConfig(
            enable_network_isolation=False,
            encrypt_inter_container_traffic=case.secure,
            security_group_ids=[m.SECURITY_GROUP] if case.secure else None,
            subnets=list(m.SUBNETS) if case.secure else None,
        ),
    )
    generated = case.baselines == "generated"
    dataset_format = (
        DatasetFormat.json(lines=True) if case.training_format == "jsonl" else DatasetFormat.csv(header=True)
    )

    def baseline_file(monitor: str, name: str) -> str:
        return m.given_baseline_prefix(monitor) + name

    def schedule(monitor: str) -> dict:
        return dict(output_s3_uri=m.output_uri(monitor), schedule_cron_expression=m.SCHEDULES[monitor])

    def scripts(monitor: str) -> dict:
        extras = m.extras(case, monitor)
        return {
            "record_preprocessor_script": extras.get("record_preprocessor_source_uri"),
            "post_analytics_processor_script": extras.get("post_analytics_processor_source_uri"),
        }

    if "data_quality" in case.monitors:
        monitor = DefaultModelMonitor(**common)
        if generated:
            monitor.suggest_baseline(
                baseline_dataset=m.training_data_uri(case),
                dataset_format=dataset_format,
                output_s3_uri=m.generated_baseline_prefix("data_quality"),
                wait=False,
                logs=False,
                **m.baseline_scripts(case, "data_quality"),
            )
            files = dict(statistics=monitor.baseline_statistics(), constraints=monitor.suggested_constraints())
        else:
            files = dict(
                statistics=baseline_file("data_quality", "statistics.json"),
                constraints=baseline_file("data_quality", "constraints.json"),
            )
        monitor.create_monitoring_schedule(
            **_monitor_input(case, "data_quality"), **files, **schedule("data_quality"), **scripts("data_quality")
        )

    if "model_quality" in case.monitors:
        monitor = ModelQualityMonitor(**common)
        capture = dict(
            inference_attribute=m.INFERENCE_ATTRIBUTE,
            probability_attribute=m.PROBABILITY_ATTRIBUTE,
            probability_threshold_attribute=m.QUALITY_THRESHOLD,
        )
        if generated:
            monitor.suggest_baseline(
                baseline_dataset=m.training_data_uri(case),
                dataset_format=dataset_format,
                # environment values must be strings (botocore rejects a float here)
                problem_type="BinaryClassification",
                probability_threshold_attribute=str(m.QUALITY_THRESHOLD),
                output_s3_uri=m.generated_baseline_prefix("model_quality"),
                wait=False,
                logs=False,
                **m.MQ_BASELINE_COLUMNS,
                **m.baseline_scripts(case, "model_quality"),
            )
            constraints = monitor.suggested_constraints()
        else:
            constraints = baseline_file("model_quality", "constraints.json")
        monitor.create_monitoring_schedule(
            **_monitor_input(case, "model_quality", **capture),
            ground_truth_input=m.ground_truth_uri(),
            problem_type="BinaryClassification",
            constraints=constraints,
            **schedule("model_quality"),
            **scripts("model_quality"),
        )

    jsonl = case.clarify == "jsonl"  # issue 20: a JSON Lines endpoint with the Clarify options of the matrix
    model_config = ModelConfig(
        model_name=m.MODEL_NAME,
        instance_count=1,
        instance_type=m.INSTANCE_TYPE,
        content_type=m.JSONL_TYPE if jsonl else "text/csv",
        accept_type=m.JSONL_TYPE if jsonl else "text/csv",
        content_template=m.JSONL_TEMPLATE if jsonl else None,
    )
    inference = m.clarify_inference_attribute(case)
    # the SDK's own user passes a column index as an int (CSV), a JMESPath as text (JSON)
    predicted_label = inference if jsonl else int(inference)

    def data_config(monitor: str) -> DataConfig:
        return DataConfig(
            s3_data_input_path=m.training_data_uri(case),
            s3_output_path=m.generated_baseline_prefix(monitor),
            label=m.LABEL,
            headers=list(m.HEADERS),
            features=m.JSONL_FEATURES if jsonl else None,
            dataset_type=m.JSONL_TYPE if jsonl else "text/csv",
        )

    if "model_bias" in case.monitors:
        monitor = ModelBiasMonitor(**common)
        bias_config = (
            BiasConfig(
                label_values_or_threshold=list(m.LABEL_VALUES),
                facet_name=[name for name, _ in m.FACETS],
                facet_values_or_threshold=[values for _, values in m.FACETS],
                group_name=m.GROUP_NAME,
            )
            if jsonl
            else BiasConfig(
                label_values_or_threshold=list(m.LABEL_VALUES),
                facet_name=m.FACET,
                facet_values_or_threshold=list(m.FACET_VALUES),
            )
        )
        if generated:
            monitor.suggest_baseline(
                data_config=data_config("model_bias"),
                bias_config=bias_config,
                model_config=model_config,
                model_predicted_label_config=ModelPredictedLabelConfig(
                    label=predicted_label, probability_threshold=m.BIAS_THRESHOLD
                ),
                wait=False,
                logs=False,
                kms_key=kms,
            )
            # The schedule takes its analysis config, attributes and baselining job from suggest_baseline.
            monitor.create_monitoring_schedule(
                **_monitor_input(case, "model_bias", features_attribute=m.features_attribute(case)),
                ground_truth_input=m.ground_truth_uri(),
                **schedule("model_bias"),
            )
        else:
            monitor.create_monitoring_schedule(
                **_monitor_input(
                    case,
                    "model_bias",
                    features_attribute=m.features_attribute(case),
                    inference_attribute=inference,
                    probability_threshold_attribute=m.BIAS_THRESHOLD,
                ),
                analysis_config=BiasAnalysisConfig(bias_config, headers=list(m.HEADERS), label=m.LABEL),
                ground_truth_input=m.ground_truth_uri(),
                constraints=baseline_file("model_bias", "analysis.json"),
                **schedule("model_bias"),
            )

    if "model_explainability" in case.monitors:
        monitor = ModelExplainabilityMonitor(**common)
        shap = SHAPConfig(baseline=None, **m.SHAP, **(m.SHAP_OPTIONS if jsonl else {}))
        label_headers = list(m.LABEL_HEADERS) if jsonl else None
        if generated:
            monitor.suggest_baseline(
                data_config=data_config("model_explainability"),
                explainability_config=shap,
                model_config=model_config,
                model_scores=(
                    ModelPredictedLabelConfig(label=predicted_label, label_headers=label_headers)
                    if jsonl
                    else predicted_label
                ),
                wait=False,
                logs=False,
                kms_key=kms,
            )
            monitor.create_monitoring_schedule(
                **_monitor_input(case, "model_explainability", features_attribute=m.features_attribute(case)),
                **schedule("model_explainability"),
            )
        else:
            monitor.create_monitoring_schedule(
                **_monitor_input(
                    case,
                    "model_explainability",
                    features_attribute=m.features_attribute(case),
                    inference_attribute=inference,
                ),
                analysis_config=ExplainabilityAnalysisConfig(
                    shap, model_config, headers=list(m.FEATURES), label_headers=label_headers
                ),
                constraints=baseline_file("model_explainability", "analysis.json"),
                **schedule("model_explainability"),
            )

    return collect(case, recorder, s3_client, side="sdk")


def collect(case: Case, recorder: Recorder, s3_client, *, side: str) -> dict[str, Any]:
    """The captured calls keyed by operation (one of each per monitor), plus the analysis config files."""
    requests: dict[str, Any] = {}
    for call in recorder.calls:
        op, params = call.operation, call.params
        if op.endswith("JobDefinition") and op.startswith("Create"):
            requests[op] = params
        elif op == "CreateMonitoringSchedule":
            requests[f"{op} ({params['MonitoringScheduleConfig']['MonitoringType']})"] = params
        elif op == "CreateProcessingJob":
            monitor = _baseline_monitor(params)
            requests[f"{op} ({MONITORING_TYPES[monitor]} baseline)"] = params
    for upload, body in recorder.uploaded_json(s3_client, "analysis_config.json"):
        uri = f"s3://{upload['Bucket']}/{upload['Key']}"
        for monitor in case.monitors:
            kind = (
                "monitor"
                if uri.startswith(m.output_uri(monitor))
                else "baseline job"
                if uri.startswith((m.generated_baseline_prefix(monitor) + "/", m.staging_prefix(monitor) + "/"))
                else None
            )
            if kind:
                entry = {
                    "uri": uri,
                    "content": body,
                    "upload": {k: v for k, v in upload.items() if k not in ("Bucket", "Key")},
                }
                if side == "sdk" and kind == "monitor":
                    # ClarifyModelMonitor._upload_analysis_config: <output>/<job definition>/<uuid>/analysis_config.json
                    entry["lifetime"] = LIFETIME_IMMUTABLE
                requests[f"analysis_config.json ({MONITORING_TYPES[monitor]} {kind})"] = entry
    return requests


def _baseline_monitor(params: dict) -> str:
    """Which monitor's baseline a processing job is: by its output prefix (<...>/<monitor>)."""
    outputs = params["ProcessingOutputConfig"]["Outputs"]
    uri = outputs[0]["S3Output"]["S3Uri"].rstrip("/")
    for monitor in MONITORING_TYPES:
        # the SDK writes to the baseline prefix itself; the project's Lambda to a staging folder per job
        if uri == m.generated_baseline_prefix(monitor) or uri.startswith(m.staging_prefix(monitor) + "/"):
            return monitor
    raise AssertionError(f"baseline processing job writing to an unexpected prefix {uri}")
