"""The planted truth of a synthetic dataset, read by validation code and tests.

``medtwitter demo`` writes what it planted (each account's role and identity
style, the personal/professional pairs, the hashtag communities, the Bass
parameters, the identifying anecdotes) to ``data/raw/<dataset>/ground_truth.json``.
Evaluation code (:mod:`analysis.accounts.evaluate`,
:mod:`analysis.confidentiality.flags`) and notebooks' validation cells read it
from here, without importing the generator itself.
"""

from __future__ import annotations

import json
from pathlib import Path

from analysis import settings
from analysis.errors import UnknownDatasetError
from analysis.outputs import removed_on_failure

#: The file's name, in the dataset's raw folder.
FILE_NAME = "ground_truth.json"


def ground_truth_path(dataset: str = "demo") -> Path:
    """Return where a dataset's ground truth is (or would be).

    Parameters
    ----------
    dataset : str, default "demo"
        The dataset's name.

    Returns
    -------
    pathlib.Path
        ``ground_truth.json`` in the dataset's raw folder.
    """
    return settings.raw_dir(dataset) / FILE_NAME


def write_ground_truth(truth: dict, out_dir: Path) -> Path:
    """Write ``truth`` to ``out_dir/ground_truth.json`` atomically; return the path.

    Parameters
    ----------
    truth : dict
        The ground truth (accounts, planted pairs and tweets), JSON-serialisable.
    out_dir : pathlib.Path
        Existing folder to write into (the dataset's raw folder).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = out_dir / FILE_NAME
    with removed_on_failure(out_dir / f"{FILE_NAME}.tmp", path) as tmp:
        tmp.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)
    return path


def load_ground_truth(dataset: str = "demo") -> dict:
    """Return the ground truth of a synthetic dataset (for tests and validation cells only).

    Parameters
    ----------
    dataset : str
        The dataset's name.

    Returns
    -------
    dict
        The planted roles, identity styles, pairs, communities, Bass parameters and anecdotes.

    Raises
    ------
    UnknownDatasetError
        For a dataset without one (collected data never has one).
    """
    path = ground_truth_path(dataset)
    if not path.is_file():
        raise UnknownDatasetError(
            f"no ground truth for dataset {dataset!r} at {path}; only `medtwitter demo` datasets "
            "have one."
        )
    return json.loads(path.read_text(encoding="utf-8"))
