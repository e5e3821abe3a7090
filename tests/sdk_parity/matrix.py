"""The configurations both sides build: one monitoring *setup* per case, said once, from which
``project_config`` writes this project's configuration and ``sdk_requests`` drives the SDK.

Instance settings are the same for the monitors and the baseline jobs: the SDK runs a monitor's baselining
job with that monitor's own instance settings, the project has separate ``baseline_*`` settings; equal
values keep that (deliberate) split out of the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitors.settings.model import PARAMETERS

ACCOUNT = "123456789012"
REGION = "us-east-2"
BUCKET = f"sagemaker-{REGION}-{ACCOUNT}"
ENDPOINT = "churn"
STACK = "parity"
# What the project's Terraform references (role, resolved KMS key) stand for; the SDK gets the same values.
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{STACK}-monitoring"
KMS_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0a1b2c3d-1111-2222-3333-444455556666"
KMS_ALIAS = "alias/model-monitoring"
SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"]
SECURITY_GROUP = "sg-0123456789abcdef0"
MODEL_NAME = "churn-model-v3"  # the model behind the endpoint (what DescribeEndpointConfig answers)
TAGS = {"team": "ml-platform", "cost-center": "1234"}

INSTANCE_TYPE = "ml.m5.xlarge"
INSTANCE_COUNT = 1
VOLUME_GB = 20
MAX_RUNTIME = 1800

FEATURES = ["age", "tenure", "monthly_charges"]
LABEL = "label"
HEADERS = [*FEATURES, LABEL]  # columns of the CSV training data
# Captured endpoint output: column 0 the predicted label, column 1 its probability.
INFERENCE_ATTRIBUTE = "0"
PROBABILITY_ATTRIBUTE = "1"
QUALITY_THRESHOLD = 0.5
BIAS_THRESHOLD = 0.6  # the user's one cut-off for the bias monitor (issue 10 row 2)
FACET = "age"
FACET_VALUES = [40]
LABEL_VALUES = [1]
# Model quality baselines read a dataset holding predictions and labels: its own column names.
MQ_BASELINE_COLUMNS = {
    "inference_attribute": "prediction",
    "probability_attribute": "probability",
    "ground_truth_attribute": "label",
}
# The project's settings for those columns: model_quality_baseline_<column> -> the SDK's suggest_baseline argument.
MQ_BASELINE_COLUMN_SETTINGS = {
    "inference_column": "inference_attribute",
    "probability_column": "probability_attribute",
    "ground_truth_column": "ground_truth_attribute",
}
SHAP = {"num_samples": 100, "agg_method": "mean_abs", "save_local_shap_values": False}

# Parameters the SDK and the API offer that issues 10 and 20 ask the project for ("Missing parameters"), used by the
# cases with extras=True. The project side sets each one that monitors/settings/model.py declares (named
# <monitor>_<attribute>, as the issue says; exclude_features_attribute is data_quality_exclude_features, a list).
TIME_OFFSETS = {"model_quality": ("-PT2H", "-PT1H"), "model_bias": ("-PT2H", "-PT1H")}
# Issue 20 item 4: the project's data_quality_exclude_features is a list, the SDK's attribute the comma-joined text.
EXCLUDE_FEATURES = {"data_quality": "customer_id,1"}
# Issue 20 item 5, every monitor of the extras cases: the SDK's env (its monitors' constructor) and EndpointInput /
# BatchTransformInput s3_input_mode, s3_data_distribution_type; the project's <monitor>_environment,
# <monitor>_s3_input_mode, <monitor>_s3_data_distribution_type.
ENVIRONMENT = {"LOG_LEVEL": "debug", "TZ": "UTC"}
INPUT_OPTIONS = {"s3_input_mode": "Pipe", "s3_data_distribution_type": "ShardedByS3Key"}
PROCESSOR_SCRIPTS = {
    m: (f"s3://{BUCKET}/churn/code/{m}/preprocessor.py", f"s3://{BUCKET}/churn/code/{m}/postprocessor.py")
    for m in ("data_quality", "model_quality")
}
# The analyzer's scripts for the baseline jobs (Case.baseline_scripts): the SDK's DefaultModelMonitor.suggest_baseline(
# record_preprocessor_script=..., post_analytics_processor_script=...) and ModelQualityMonitor.suggest_baseline(
# post_analytics_processor_script=...) (it takes no record preprocessor); the project's baseline_<monitor>_params.
# Scripts of their own, apart from the monitors' PROCESSOR_SCRIPTS: the SDK keeps the two apart too.
BASELINE_SCRIPTS = {
    "data_quality": {
        "record_preprocessor_script": f"s3://{BUCKET}/churn/code/baseline/data_quality/preprocessor.py",
        "post_analytics_processor_script": f"s3://{BUCKET}/churn/code/baseline/data_quality/postprocessor.py",
    },
    "model_quality": {
        "post_analytics_processor_script": f"s3://{BUCKET}/churn/code/baseline/model_quality/postprocessor.py",
    },
}

# Issue 20: a JSON Lines endpoint for the Clarify monitors (Case.clarify == "jsonl"): requests {"features": [...]},
# answers {"predicted_label": ..., "score": ...}; the baseline dataset's lines {"features": [...], "label": ...}.
JSONL_TYPE = "application/jsonlines"
JSONL_TEMPLATE = '{"features":$features}'
JSONL_FEATURES = "features"
JSONL_INFERENCE = "predicted_label"
FACETS = [("age", [40]), ("tenure", None)]  # two facets, the second measured for each of its values
GROUP_NAME = "monthly_charges"
LABEL_HEADERS = ["churn"]
SHAP_OPTIONS = {"use_logit": True, "seed": 7, "num_clusters": 5}

SCHEDULES = {
    "data_quality": "cron(0 * ? * * *)",
    "model_quality": "cron(0 0/2 ? * * *)",
    "model_bias": "cron(0 3 ? * * *)",
    "model_explainability": "cron(0 4 ? * * *)",
}
ALL_MONITORS = ("data_quality", "model_quality", "model_bias", "model_explainability")


@dataclass(frozen=True)
class Case:
    id: str
    monitoring_input: str  # endpoint | batch-csv | batch-json
    secure: bool  # VPC + KMS + inter-container traffic encryption
    baselines: str  # given | generated
    training_format: str = "csv"  # csv (with a header) | jsonl (data/model quality only)
    extras: bool = False  # TIME_OFFSETS, EXCLUDE_FEATURES, PROCESSOR_SCRIPTS, ENVIRONMENT, INPUT_OPTIONS
    monitors: tuple[str, ...] = ALL_MONITORS
    clarify: str = "csv"  # csv | jsonl: a JSON Lines endpoint with the issue-20 Clarify options (FACETS, ...)
    baseline_scripts: bool = False  # generated baselines with the analyzer's BASELINE_SCRIPTS


CASES = (
    Case("endpoint-given", "endpoint", secure=False, baselines="given", extras=True),
    Case("endpoint-generated-secure", "endpoint", secure=True, baselines="generated"),
    Case("batch-csv-given-secure", "batch-csv", secure=True, baselines="given"),
    Case("batch-json-generated", "batch-json", secure=False, baselines="generated"),
    # The SDK baselines data and model quality on JSON lines too, with the analyzer's scripts; Clarify baselines
    # need a content template for JSON, outside this comparison.
    Case(
        "jsonl-baseline-generated",
        "endpoint",
        secure=False,
        baselines="generated",
        training_format="jsonl",
        monitors=("data_quality", "model_quality"),
        baseline_scripts=True,
    ),
    # Issue 20: a JSON Lines endpoint with bias (two facets, group_name) and explainability (label_headers,
    # use_logit, seed, num_clusters), with generated and with given Clarify baselines.
    Case(
        "jsonl-clarify-generated",
        "endpoint",
        secure=False,
        baselines="generated",
        training_format="jsonl",
        monitors=("model_bias", "model_explainability"),
        clarify="jsonl",
    ),
    Case(
        "jsonl-clarify-given",
        "endpoint",
        secure=False,
        baselines="given",
        monitors=("model_bias", "model_explainability"),
        clarify="jsonl",
    ),
)


def s3(*parts: str) -> str:
    return f"s3://{BUCKET}/" + "/".join(p.strip("/") for p in parts)


def output_uri(monitor: str) -> str:
    return s3("churn/monitoring", monitor) + "/"


def ground_truth_uri() -> str:
    return s3("churn/ground-truth") + "/"


def given_baseline_prefix(monitor: str) -> str:
    return s3("churn/baselines", monitor) + "/"


def baseline_output_root() -> str:
    return s3("churn/generated-baselines") + "/"


def generated_baseline_prefix(monitor: str) -> str:
    """Where the project's baseline Lambda writes a monitor's baseline (<baseline_output>/<monitor>)."""
    return s3("churn/generated-baselines", monitor)


def staging_prefix(monitor: str) -> str:
    """Where the project's baseline jobs write before a completed run is promoted
    (<baseline_output>/staging/<monitor>/<job>)."""
    return s3("churn/generated-baselines/staging", monitor)


def training_data_uri(case: Case) -> str:
    return s3("churn/training-data", "train.jsonl" if case.training_format == "jsonl" else "train.csv")


def batch_capture_uri(monitor: str) -> str:
    return s3("churn/batch-capture", monitor) + "/"


def features_attribute(case: Case) -> str | None:
    """JSON capture needs the features' JSONPath (Clarify); CSV capture has none."""
    return "features" if case.monitoring_input == "batch-json" or case.clarify == "jsonl" else None


def clarify_inference_attribute(case: Case) -> str:
    """Where the Clarify monitors find the prediction: a CSV column index, or a JMESPath in a JSON answer."""
    return JSONL_INFERENCE if case.clarify == "jsonl" else INFERENCE_ATTRIBUTE


def extras(case: Case, monitor: str) -> dict:
    """The issue's new parameters of this monitor in this case: {attribute: value}."""
    if not case.extras:
        return {}
    values = {}
    if monitor in TIME_OFFSETS:
        values["start_time_offset"], values["end_time_offset"] = TIME_OFFSETS[monitor]
    if monitor in EXCLUDE_FEATURES:
        values["exclude_features_attribute"] = EXCLUDE_FEATURES[monitor]
    values.update(INPUT_OPTIONS, environment=dict(ENVIRONMENT))
    if monitor in PROCESSOR_SCRIPTS:
        values["record_preprocessor_source_uri"], values["post_analytics_processor_source_uri"] = PROCESSOR_SCRIPTS[
            monitor
        ]
    return values


def baseline_scripts(case: Case, monitor: str) -> dict[str, str]:
    """The analyzer's scripts for this monitor's baseline job in this case: {suggest_baseline argument: s3 URI}
    (the same names in the project's baseline_<monitor>_params)."""
    if not (case.baseline_scripts and case.baselines == "generated"):
        return {}
    return dict(BASELINE_SCRIPTS.get(monitor, {}))


def project_config(case: Case) -> dict:
    """This project's configuration for the case's setup (what a user writes)."""
    config: dict = {
        "endpoint_name": ENDPOINT,
        "model_bucket_arn": f"arn:aws:s3:::{BUCKET}",
        "region": REGION,
        "stack_name": f"{STACK}-{case.id}",  # all cases synthesize in one app
        "tags": dict(TAGS),
        "model_quality_problem_type": "BinaryClassification",
        "model_quality_inference_attribute": INFERENCE_ATTRIBUTE,
        "model_quality_probability_attribute": PROBABILITY_ATTRIBUTE,
        "model_quality_probability_threshold_attribute": QUALITY_THRESHOLD,
        "model_bias_inference_attribute": clarify_inference_attribute(case),
        "model_bias_probability_threshold_attribute": BIAS_THRESHOLD,
        "model_explainability_inference_attribute": clarify_inference_attribute(case),
    }
    if case.clarify == "jsonl":
        for monitor in ("model_bias", "model_explainability"):
            config.update(
                {
                    f"{monitor}_content_type": JSONL_TYPE,
                    f"{monitor}_accept_type": JSONL_TYPE,
                    f"{monitor}_content_template": JSONL_TEMPLATE,
                }
            )
        config["model_explainability_label_headers"] = list(LABEL_HEADERS)
    for monitor in case.monitors:
        config[f"enable_{monitor}_monitor"] = True
        config[f"{monitor}_output_s3_uri"] = output_uri(monitor)
        config[f"{monitor}_schedule_expression"] = SCHEDULES[monitor]
        config[f"{monitor}_instance_type"] = INSTANCE_TYPE
        config[f"{monitor}_instance_count"] = INSTANCE_COUNT
        config[f"{monitor}_instance_volume_size_in_gb"] = VOLUME_GB
        config[f"{monitor}_max_runtime_in_seconds"] = MAX_RUNTIME
        if case.baselines == "given":
            config[f"{monitor}_baseline_s3_uri"] = given_baseline_prefix(monitor)
        if monitor in ("model_quality", "model_bias"):
            config[f"{monitor}_ground_truth_s3_uri"] = ground_truth_uri()
        if features_attribute(case) and monitor in ("model_bias", "model_explainability"):
            config[f"{monitor}_features_attribute"] = features_attribute(case)
        if case.monitoring_input != "endpoint":
            fmt = case.monitoring_input.removeprefix("batch-")
            batch = {"data_captured_destination_s3_uri": batch_capture_uri(monitor), "dataset_format": fmt}
            batch.update({"csv_header": True} if fmt == "csv" else {"json_line": True})
            config[f"{monitor}_batch_transform_input"] = batch
        for attribute, value in extras(case, monitor).items():
            if f"{monitor}_{attribute}" in PARAMETERS:
                config[f"{monitor}_{attribute}"] = value
            if attribute == "exclude_features_attribute":
                config[f"{monitor}_exclude_features"] = value.split(",")
    config = {
        k: v for k, v in config.items() if not any(k.startswith(m) for m in ALL_MONITORS if m not in case.monitors)
    }
    if case.secure:
        config.update(
            kms_key_id=KMS_ALIAS,
            enable_inter_container_traffic_encryption=True,
            subnet_ids=list(SUBNETS),
            security_group_id=SECURITY_GROUP,
        )
    if case.baselines == "generated":
        config.update(
            baseline_training_data_s3_uri=training_data_uri(case),
            baseline_output_data_s3_uri=baseline_output_root(),
            baseline_lambda_image_uri=f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/baseline-lambda:v1",
            baseline_instance_type=INSTANCE_TYPE,
            baseline_instance_count=INSTANCE_COUNT,
            baseline_volume_size_gb=VOLUME_GB,
            baseline_max_runtime_seconds=MAX_RUNTIME,
        )
        if "model_quality" in case.monitors:
            # The baseline dataset's own columns (the monitor's attributes describe the captured output).
            config.update(
                {
                    f"model_quality_baseline_{column}": MQ_BASELINE_COLUMNS[attribute]
                    for column, attribute in MQ_BASELINE_COLUMN_SETTINGS.items()
                }
            )
        for monitor in case.monitors:
            if baseline_scripts(case, monitor):
                config[f"baseline_{monitor}_params"] = baseline_scripts(case, monitor)
        if case.training_format == "jsonl":
            config.update(
                {
                    f"{monitor}_baseline_dataset_format": "json_lines"
                    for monitor in ("data_quality", "model_quality")
                    if monitor in case.monitors
                }
            )
    # The Clarify monitors' analysis settings, for a generated baseline and (issue 20) a given one, whose monitor
    # configuration is written from them too. The model Clarify deploys to its shadow endpoint (the SDK's
    # ModelConfig.model_name, both baselines; the explainability monitor's analysis config names it too).
    clarify = {
        "label_header": LABEL,
        "headers": list(HEADERS),
        "dataset_type": JSONL_TYPE if case.clarify == "jsonl" and case.baselines == "generated" else "text/csv",
        "model_name": MODEL_NAME,
    }
    if "model_bias" in case.monitors:
        facets = (
            {"facets": [{"name": name, **({"values": v} if v else {})} for name, v in FACETS], "group_name": GROUP_NAME}
            if case.clarify == "jsonl"
            else {"facet_name": FACET, "facet_values": list(FACET_VALUES)}
        )
        config["baseline_model_bias_params"] = {**clarify, **facets, "label_values": list(LABEL_VALUES)}
    if "model_explainability" in case.monitors:
        config["baseline_model_explainability_params"] = {
            **clarify,
            **(SHAP_OPTIONS if case.clarify == "jsonl" else {}),
        }
    return config
