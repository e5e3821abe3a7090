"""The README's parameter table is generated from the settings model and must match it."""

from conftest import REPO

from monitors.settings.model import PARAMETERS, FleetSettings
from monitors.tooling.docs import BEGIN, END, parameter_table

# "How the monitors match SageMaker's own", with the generated list of remaining differences.
SDK_PARITY_PAGE = REPO / "docs" / "sdk-parity.md"


def test_readme_parameter_table_matches_settings_model():
    readme = (REPO / "README.md").read_text()
    table = readme.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert table == parameter_table().strip(), "run `python -m monitors.tooling.docs` to regenerate the README table"
    for name, parameter in PARAMETERS.items():  # every parameter: its own row, or its option's row (monitor types)
        assert (f"| `{name}` |" if parameter.monitor is None else f"| `{parameter.field}`") in table, name
    for name in FleetSettings.model_fields:
        assert f"| `{name}` |" in table


def test_readme_quick_start_commands_exist_in_makefile():
    readme = (REPO / "README.md").read_text()
    makefile = (REPO / "Makefile").read_text()
    assert "make synth" in readme and "make test" in readme
    assert "\nsynth:" in makefile and "\ntest:" in makefile
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_vendored_seed_readme_is_the_teams_copy():
    from conftest import SEED_README, TEAM_SEED_README

    vendored = SEED_README.read_text()
    assert "sagemaker-model-monitoring" in vendored.lower() and "Sample Baseline Generation Events" in vendored
    if TEAM_SEED_README.exists():  # the team folder beside the checkout (absent in a bare clone)
        assert vendored == TEAM_SEED_README.read_text(), "docs/seed-module-README.md differs from ../shared/seed"


def test_readme_lists_the_remaining_sdk_differences_of_the_known_list():
    """The end of docs/sdk-parity.md ("How the monitors match SageMaker's own", linked from the README) is
    generated from tests/sdk_parity/known_differences.yaml."""
    from sdk_parity import compare

    page = SDK_PARITY_PAGE.read_text()
    assert page.startswith("# How the monitors match SageMaker's own\n"), "docs/sdk-parity.md keeps its title"
    assert "](docs/sdk-parity.md)" in (REPO / "README.md").read_text(), "the README links docs/sdk-parity.md"
    section = page.split("\n## Remaining differences\n", 1)[1].split("\n## ", 1)[0]
    assert compare.README_BEGIN in section and compare.README_END in section, "the list belongs in that section"
    listed = section.split(compare.README_BEGIN, 1)[1].split(compare.README_END, 1)[0].strip("\n") + "\n"
    expected = compare.readme_list(compare.load_known())
    assert listed == expected, (
        "run `.venv/bin/python tests/sdk_parity/run.py --readme` and paste its output into docs/sdk-parity.md"
    )
    assert page.count(compare.README_BEGIN) == 1
    # every status and summary of the known list has its line
    for entry in compare.load_known():
        assert f"**{entry['status']}**" in listed and entry["summary"] in listed


def test_readme_stays_a_users_page():
    """The README is for users (issue 19): at most 450 lines, a contents list, the quick start first; maintainer pages
    live in docs/."""
    lines = (REPO / "README.md").read_text().splitlines()
    assert len(lines) <= 450, f"README.md has {len(lines)} lines; move details to docs/user-guide.md"
    headings = [line for line in lines if line.startswith("## ")]
    assert headings[:2] == ["## Contents", "## Quick start"]
