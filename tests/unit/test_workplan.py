"""The shipped work plan and the validation that stops a bad one at start-up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot import yaml_file
from bot.errors import ConfigError
from bot.settings import default_workplan_path
from bot.workplan import WorkPlan, load_workplan
from tests.conftest import SHIPPED_PLAN

TITLES = [
    (1, "Prioritization of work", "Établir des priorités concernant le travail"),
    (2, "Precision in scoping the work", "Préciser le champ d'application du travail"),
    (3, "Efficient use of resources", "Utilisation efficace des ressources"),
    (4, "Roles and responsibilities, and a holistic view of ICANN",
     "Rôles et responsabilités, et vision globale de l'ICANN"),
    (5, "Representation and inclusivity", "Représentation et inclusivité"),
    (6, "Culture, trust and silos", "Culture, confiance et silos"),
    (7, "Complexity", "Complexité"),
    (8, "Consensus", "Consensus"),
]


def test_the_shipped_plan_has_the_eight_issues_in_order_in_both_languages(plan: WorkPlan) -> None:
    assert [(i.number, i.title.en, i.title.fr) for i in plan.issues] == TITLES
    for issue in plan.issues:
        assert issue.hashtags[0] == f"wp{issue.number}"
        assert issue.emoji.startswith(str(issue.number))
        assert (issue.responsible, issue.resources, issue.timeline) == ("", "", "")
    assert [i.slack_reaction for i in plan.issues] == [
        "one", "two", "three", "four", "five", "six", "seven", "eight"]
    assert plan.find_issue("ressources") is plan.find_issue("resources") is plan.issues[2]


def test_the_shipped_plan_has_the_three_kinds_and_the_2019_milestones(plan: WorkPlan) -> None:
    assert [k.key for k in plan.kinds] == ["solution", "quickwin", "collab"]
    assert plan.find_kind("lowhangingfruit") is plan.kinds[1]
    summary, session = plan.milestones[0], plan.milestones[1]
    assert str(summary.week_of) == "2019-10-28"
    assert session.starts_at(plan.zone).isoformat() == "2019-11-07T10:30:00-05:00"
    assert plan.links.information.startswith("https://") and plan.links.mailing_list


def test_the_packaged_copy_is_the_shipped_plan(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no config/ here: the package's own copy is used
    packaged = default_workplan_path()
    assert packaged.read_bytes() == SHIPPED_PLAN.read_bytes()


def write_plan(tmp_path: Path, change: str, new: str) -> Path:
    text = SHIPPED_PLAN.read_text(encoding="utf-8")
    assert change in text
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace(change, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("change", "new", "message"), [
    ("hashtags: [wp2, scoping", "hashtags: [wp2, Ressources, scoping",
     r"issues\[1\]\.hashtags\[1\]: duplicate hashtag 'ressources' \(already at "
     r"issues\[2\]\.hashtags\[2\]\)|issues\[2\]\.hashtags\[2\]: duplicate hashtag"),
    ("timezone: America/Toronto", "timezone: Mars/Olympus",
     r"timezone: unknown timezone 'Mars/Olympus'"),
    ("at: 2019-11-07T10:30", "at: 2019-11-31T10:30", r"milestones\.1\.at|milestones\[1\]\.at"),
    ("lead: [7d, 1d, 1h]", "lead: [7d, soon]", r"milestones\[1\]\.lead|lead time 'soon'"),
    ("issues: [1, 2, 3, 4, 5, 6, 7, 8]", "issues: [1, 9]",
     r"milestones\[1\]\.issues\[1\]: no issue 9"),
])
def test_a_bad_plan_is_one_line_naming_file_path_and_problem(
        tmp_path: Path, change: str, new: str, message: str) -> None:
    path = write_plan(tmp_path, change, new)
    with pytest.raises(ConfigError) as caught:
        load_workplan(path)
    text = str(caught.value)
    assert text.startswith(str(path)) and "\n" not in text
    assert re.search(message, text), text


def test_the_plan_is_parsed_by_libyaml_with_the_same_result_as_pure_python(
        plan: WorkPlan, monkeypatch: pytest.MonkeyPatch) -> None:
    assert yaml.__with_libyaml__  # PyYAML's binary wheels bundle it
    assert yaml_file.YAML_LOADER is yaml.CSafeLoader
    monkeypatch.setattr(yaml_file, "YAML_LOADER", yaml.SafeLoader)
    assert load_workplan(SHIPPED_PLAN) == plan


@pytest.mark.parametrize("loader", [yaml.SafeLoader, yaml.CSafeLoader])
def test_not_yaml_and_missing_files_are_config_errors(
        tmp_path: Path, loader: type[yaml.SafeLoader], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_file, "YAML_LOADER", loader)
    broken = tmp_path / "broken.yaml"
    broken.write_text("issues: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.yaml: line \d+: not valid YAML"):
        load_workplan(broken)
    with pytest.raises(ConfigError, match="cannot read the work plan"):
        load_workplan(tmp_path / "missing.yaml")


def test_unknown_fields_are_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load(SHIPPED_PLAN.read_text(encoding="utf-8"))
    raw["issues"][0]["owner"] = "someone"
    path = tmp_path / "extra.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"issues\[0\]\.owner: Extra inputs are not permitted"):
        load_workplan(path)


@pytest.mark.parametrize("loader", [yaml.SafeLoader, yaml.CSafeLoader])
def test_a_key_written_twice_is_refused_with_both_lines(
        tmp_path: Path, loader: type[yaml.SafeLoader], monkeypatch: pytest.MonkeyPatch) -> None:
    # PyYAML alone keeps the second `groups:` and drops the first list without a word.
    monkeypatch.setattr(yaml_file, "YAML_LOADER", loader)
    text = SHIPPED_PLAN.read_text(encoding="utf-8")
    groups = next(line for line in text.splitlines() if line.startswith("groups:"))
    first = text.splitlines().index(groups) + 1
    path = write_plan(tmp_path, groups, f"{groups}\ngroups: [GNSO]")
    with pytest.raises(ConfigError) as caught:
        load_workplan(path)
    assert str(caught.value) == (f"{path}: line {first + 1}: not valid YAML (duplicate key "
                                 f"'groups', first at line {first})")


def test_the_same_key_in_two_mappings_is_no_duplicate(tmp_path: Path) -> None:
    # Every issue has its own `number:` and `title:`: only a repeat inside one mapping counts,
    # and a merge key (`<<:`) may still be overridden.
    path = tmp_path / "anchors.yaml"
    path.write_text("base: &base {a: 1}\nfirst: {<<: *base, a: 2}\nsecond: {a: 3}\n",
                    encoding="utf-8")
    assert yaml_file.read_yaml(path, "a test file") == {
        "base": {"a": 1}, "first": {"a": 2}, "second": {"a": 3}}
