"""`medtwitter purge` of an account the dataset does not hold says so, exits 1 and changes nothing.

Accounts are given by id or by handle (``@`` optional, any case). One absent account
refuses the whole command, naming the absent ones only, before any raw file, table or
dataset version changes. The demo data is synthetic.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis import settings
from analysis.cli import main
from analysis.demo import build_demo
from analysis.purge import purge
from analysis.store import DatasetWriter
from analysis.tables import load_dataset, load_meta

ABSENT_ID = 99  # no demo account, tweet author, follower or mention has this id
ABSENT_HANDLE = "@nobody_here"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("purge-absent")
    settings.set_data_dir(root)
    try:
        build_demo("small", accounts=60, seed=3, progress=False)
    finally:
        settings.set_data_dir(None)
    return root


@pytest.fixture
def small(built, tmp_path):
    """A fresh copy of the module's dataset 'small'; its most active account's id and handle."""
    root = tmp_path / "data"
    shutil.copytree(built, root)
    settings.set_data_dir(root)
    tables = load_dataset("small")
    uid = int(tables.tweets["author_id"].value_counts().index[0])
    yield root, uid, tables.users.set_index("user_id").loc[uid, "username"]
    settings.set_data_dir(None)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under the data root (raw pages, tables, manifest), by path, with its bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def refused(capsys, argv: list[str], absent: str, root: Path, before: dict) -> None:
    assert main(["purge", "--dataset", "small", *argv]) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith(
        f"medtwitter: error: not in dataset 'small': {absent}; nothing was purged"
    )
    assert snapshot(root) == before  # no raw file, table or version changed
    assert load_meta("small")["version"] == 0


@pytest.mark.parametrize(
    "argv, absent",
    [
        (["--user", str(ABSENT_ID)], str(ABSENT_ID)),
        (["--user", ABSENT_HANDLE], ABSENT_HANDLE),
        (["--user", "nobody_here"], ABSENT_HANDLE),
    ],
    ids=["id", "handle", "handle-without-at"],
)
def test_purge_of_an_account_not_in_the_dataset_says_so_and_changes_nothing(
    small, capsys, argv, absent
):
    root, _, _ = small
    refused(capsys, argv, absent, root, snapshot(root))


def test_one_absent_account_refuses_the_whole_purge_naming_only_the_absent(small, capsys):
    root, uid, handle = small
    before = snapshot(root)
    refused(capsys, ["--user", str(uid), "--user", str(ABSENT_ID)], str(ABSENT_ID), root, before)
    refused(capsys, ["--user", f"@{handle}", "--user", ABSENT_HANDLE], ABSENT_HANDLE, root, before)
    refused(
        capsys,
        ["--user", ABSENT_HANDLE, "--user", str(uid), "--user", str(ABSENT_ID)],
        f"{ABSENT_ID}, {ABSENT_HANDLE}",
        root,
        before,
    )
    assert uid in set(load_dataset("small").users["user_id"])  # the present one is kept


def test_purge_by_handle_in_any_case_removes_the_account(small, capsys):
    root, uid, handle = small
    assert main(["purge", "--dataset", "small", "--user", f"@{handle.upper()}"]) == 0
    assert "purged 1 account(s)" in capsys.readouterr().out
    after = load_dataset("small")
    assert uid not in set(after.users["user_id"]) and not after.tweets["author_id"].eq(uid).any()


def test_a_second_purge_of_the_same_account_says_it_is_gone(small, capsys):
    root, uid, _ = small
    assert main(["purge", "--dataset", "small", "--user", str(uid)]) == 0
    capsys.readouterr()
    before = snapshot(root)
    version = load_meta("small")["version"]
    assert main(["purge", "--dataset", "small", "--user", str(uid)]) == 1
    assert f"not in dataset 'small': {uid}; nothing was purged" in capsys.readouterr().err
    assert snapshot(root) == before and load_meta("small")["version"] == version


def test_a_purge_cut_short_after_its_commit_is_finished_by_running_it_again(
    small, capsys, monkeypatch
):
    root, uid, _ = small

    def killed(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(DatasetWriter, "vacuum", killed)
    assert main(["purge", "--dataset", "small", "--user", str(uid)]) == 130
    monkeypatch.undo()
    assert uid not in set(load_dataset("small").users["user_id"])  # committed, not vacuumed
    capsys.readouterr()
    assert main(["purge", "--dataset", "small", "--user", str(uid)]) == 0
    manifest = (root / "processed" / "small" / "manifest.json").read_text()
    assert manifest.count('"dropped"') == load_meta("small")["version"]  # every older version


def test_the_library_purge_stays_idempotent_without_strict(small):
    _, uid, _ = small
    purge("small", user_ids=[uid])
    report = purge("small", user_ids=[uid])
    assert sum(report.rows_removed.values()) == 0


@pytest.mark.parametrize("value", ["-12", "1.5e18", "@", " ", "99999999999999999999"])
def test_a_user_that_is_neither_an_id_nor_a_handle_is_a_usage_error(small, capsys, value):
    root, _, _ = small
    before = snapshot(root)
    assert main(["purge", "--dataset", "small", "--user", value]) == 2
    err = capsys.readouterr().err
    assert "is not an X id" in err and len(err.strip().splitlines()) == 1
    assert snapshot(root) == before
