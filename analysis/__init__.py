"""medtwitter: study how health professionals use Twitter/X.

The data flows ``collect -> raw JSONL -> ingest -> Parquet tables -> graph /
accounts / adoption / hashtags -> plots -> notebooks -> HTML reports``; each
stage is one module of this package.
"""

__version__ = "0.1.0"

from analysis.errors import MedtwitterError  # noqa: E402

__all__ = ["MedtwitterError", "Tables", "__version__", "load_dataset"]


def __getattr__(name: str) -> object:
    """``analysis.load_dataset`` and ``analysis.Tables``, imported on first use.

    So that ``medtwitter ingest``, which needs no pandas, does not pay for importing it.
    """
    if name in ("Tables", "load_dataset"):
        from analysis import tables  # lazy: pandas and pyarrow, ~0.34 s to import

        return getattr(tables, name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
