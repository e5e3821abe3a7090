"""The README's provider list (section Providers, where users deploy; issue 21 item 6) against what the synth writes
in `terraform.required_providers`: the same sources and version constraints, and awscc exactly for the three monitor
types whose job definitions exist only there."""

from __future__ import annotations

import re

import yaml
from conftest import MINIMAL, REPO

README = REPO / "README.md"
EXAMPLE = REPO / "examples" / "full.yaml"
# `source` then its constraint in backticks, e.g. `hashicorp/aws` `>= 5.100.0, < 7.0.0` or **`hashicorp/awscc`** (`...`)
LISTED = re.compile(r"`((?:hashicorp|kreuzwerker)/[a-z]+)`\**\s*\(?`([^`]+)`")


def _providers_section() -> str:
    text = README.read_text()
    section = text.split("\n### Providers\n", 1)[1].split("\n## ", 1)[0]
    return " ".join(section.split())  # constraints may wrap across lines


def _listed() -> dict[str, str]:
    return dict(LISTED.findall(_providers_section()))


def _required(tf: dict) -> dict[str, str]:
    return {p["source"]: p["version"] for p in tf["terraform"]["required_providers"].values()}


def test_readme_lists_the_providers_and_constraints_the_synth_writes(synth):
    full = _required(synth(yaml.safe_load(EXAMPLE.read_text())))  # all four monitors and the docker build
    assert set(full) == {"hashicorp/aws", "hashicorp/awscc", "kreuzwerker/docker"}
    assert _listed() == full


def test_awscc_is_needed_by_exactly_the_three_monitor_types_the_readme_names(synth):
    section = _providers_section()
    assert "Model quality, bias and explainability job definitions exist only in **`hashicorp/awscc`**" in section
    assert set(_required(synth(MINIMAL))) == {"hashicorp/aws"}  # data quality alone
    full = yaml.safe_load(EXAMPLE.read_text())
    types = ("data_quality", "model_quality", "model_bias", "model_explainability")
    for monitor in types:
        others = [other for other in types if other != monitor]
        alone = {k: v for k, v in full.items() if not any(other in k for other in others)}
        needs_awscc = "hashicorp/awscc" in _required(synth(alone))
        assert needs_awscc == (monitor != "data_quality"), monitor


def test_readme_says_how_to_init_without_the_registry():
    section = _providers_section()
    for needed in ("terraform providers mirror", "-plugin-dir", "filesystem_mirror", "network_mirror", "HTTPS_PROXY"):
        assert needed in section, needed
    guide = (REPO / "docs" / "user-guide.md").read_text()
    assert "## Providers and `terraform init` without the registry" in guide
