"""Every table the ingest writes for the demo dataset matches the data contract exactly."""

import pytest

from analysis import settings, store
from analysis.tables import CONTRACT, TABLE_NAMES, check_table, describe_contract


def _delta(name: str):
    """A demo table as deltalake reads it, with no medtwitter code in between."""
    from deltalake import DeltaTable

    path = store.table_path(settings.processed_dir("demo"), name)
    return DeltaTable(str(path)).to_pyarrow_dataset(filesystem=store.local_filesystem(path))


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_demo_table_matches_contract(data_root, name):
    table = _delta(name).to_table()
    check_table(name, table)
    assert table.schema.remove_metadata().equals(CONTRACT[name].schema)
    # the demo's tweets carry no links: the urls rows are checked in tests/test_fidelity.py
    assert table.num_rows > 0 or name == "urls"


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_demo_table_has_no_duplicate_keys(data_root, name):
    # a Delta reader sees the current version's rows only, whatever versions the folder holds
    df = _delta(name).to_table().to_pandas()
    assert not df.duplicated(list(CONTRACT[name].key)).any()


def test_contract_documents_every_column():
    doc = describe_contract()
    assert (doc["meaning"].str.len() > 5).all()
    follows = doc[doc.table == "follows"].set_index("column")["meaning"]
    assert "follow" in follows["follower_id"]
