"""medtwitter: study how health professionals use Twitter/X.

The data flows ``collect -> raw JSONL -> ingest -> Parquet tables -> graph /
accounts / adoption / hashtags -> plots -> notebooks -> HTML reports``; each
stage is one module of this package.
"""

__version__ = "0.1.0"

from analysis.errors import MedtwitterError  # noqa: E402
from analysis.tables import Tables, load_dataset  # noqa: E402

__all__ = ["MedtwitterError", "Tables", "__version__", "load_dataset"]
