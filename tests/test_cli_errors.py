"""Issue 14: dataset names checked once, and operating-system errors in one line, for every command.

Every case runs ``analysis.cli.main`` with the exact input and checks the exit
status, that stderr is one line (no traceback), and what was left on disk.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from analysis import settings
from analysis.cli import main
from analysis.errors import UsageError

#: Names that are not dataset names (the rule: 1 to 64 ASCII letters, digits, '-' or '_').
BAD_NAMES = ["../../esc", "a b", "a\\b", "a:b", "a*b", "a\nb", "x" * 65, "x" * 300, "", ".hidden"]

#: Every command taking a dataset name, with NAME where the name goes.
COMMANDS = {
    "demo": ["demo", "--tiny", "--quiet", "--dataset", "NAME"],
    "collect": ["collect", "users", "someone", "--dataset", "NAME"],
    "ingest": ["ingest", "RAW", "--dataset", "NAME", "--quiet"],
    "info": ["info", "NAME"],
    "purge": ["purge", "--dataset", "NAME", "--user", "1"],
    "report": ["report", "--dataset", "NAME", "--out", "OUT"],
    "graph": ["graph", "NAME", "--metrics", "--out", "OUT.csv"],
    "accounts": ["accounts", "NAME"],
    "compact": ["compact", "NAME"],
    "compliance": ["compliance", "NAME", "--saved"],
    "adoption": ["adoption", "NAME"],
    "hashtags": ["hashtags", "NAME"],
}

PERMISSIONS = "check its permissions or choose another --data-dir/--out"
NO_SPACE = "free some disk space and run again; what was written before is kept"


def _run(capsys, argv: list[str]) -> tuple[int, str]:
    """Run the command line; return its exit status and its stderr (checked to be one line)."""
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("medtwitter: error: ")
    return code, lines[0]


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its content (None for a folder)."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture
def root(tmp_path) -> Path:
    """A data root two folders down in ``tmp_path`` (so '../../x' stays inside ``tmp_path``)."""
    data = tmp_path / "work" / "data"
    data.mkdir(parents=True)
    yield data
    settings.set_data_dir(None)


@pytest.fixture
def demo_copy(demo_root, tmp_path) -> Path:
    """A writable copy of the session's demo data root."""
    root = tmp_path / "data"
    shutil.copytree(demo_root / "processed", root / "processed")
    yield root
    settings.set_data_dir(None)


# --- dataset names ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
@pytest.mark.parametrize("command", COMMANDS)
def test_bad_dataset_name_is_refused_before_any_work(command, name, root, tmp_path, capsys):
    raw = tmp_path / "input.jsonl"
    raw.write_text('{"data": []}\n', encoding="utf-8")
    argv = [
        {
            "NAME": name,
            "RAW": str(raw),
            "OUT": str(tmp_path / "out"),
            "OUT.csv": str(tmp_path / "out.csv"),
        }.get(a, a)
        for a in COMMANDS[command]
    ]
    before = _tree(tmp_path)
    code, err = _run(capsys, ["--data-dir", str(root), *argv])
    assert code == 2
    assert "bad dataset name" in err and "1 to 64 letters, digits, '-' or '_'" in err
    assert _tree(tmp_path) == before  # nothing written, in the data root or beside it
    assert not (root / "raw").exists()


def test_a_64_character_name_is_accepted(root, capsys):
    name = "x" * 64
    assert main(["--data-dir", str(root), "demo", "--tiny", "--quiet", "--dataset", name]) == 0
    assert (root / "processed" / name / "manifest.json").is_file()
    assert main(["--data-dir", str(root), "info", name]) == 0


def test_purge_cannot_reach_a_dataset_of_another_data_root(demo_root, tmp_path, capsys):
    other = tmp_path / "other"
    shutil.copytree(demo_root / "processed", other / "processed")
    data = tmp_path / "a" / "data"
    data.mkdir(parents=True)
    before = _tree(tmp_path)
    code, err = _run(
        capsys,
        [
            "--data-dir",
            str(data),
            "purge",
            "--dataset",
            "../../../other/processed/demo",
            "--user",
            "10019",
        ],
    )
    settings.set_data_dir(None)
    assert code == 2 and "bad dataset name '../../../other/processed/demo'" in err
    assert _tree(tmp_path) == before


def test_check_dataset_name_is_one_line_with_the_name_cut_short():
    assert settings.check_dataset_name("docs_2024-fr") == "docs_2024-fr"
    assert settings.check_dataset_name("x" * 64) == "x" * 64
    for name in [*BAD_NAMES, "café", "١٢٣", "name\n", None]:
        with pytest.raises(UsageError) as info:
            settings.check_dataset_name(name)
        message = str(info.value)
        assert "\n" not in message and repr(name)[:20] in message
        assert len(message) < 130


@pytest.mark.parametrize("name", ["../../esc", "a/b", ".hidden", ""])
def test_every_python_path_from_a_name_is_checked(name, tmp_data):
    from analysis.compliance import results_path
    from analysis.tables import dataset_dir, load_dataset

    for build in (
        settings.raw_dir,
        settings.processed_dir,
        results_path,
        dataset_dir,
        load_dataset,
    ):
        with pytest.raises(UsageError, match="bad dataset name"):
            build(name)


# --- operating-system errors --------------------------------------------------------------------

skip_if_root = pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root ignores file permissions"
)


@skip_if_root
def test_read_only_data_root_is_one_line(root, capsys):
    root.chmod(0o555)
    try:
        code, err = _run(capsys, ["--data-dir", str(root), "demo", "--tiny", "--quiet"])
    finally:
        root.chmod(0o755)
    assert code == 1
    assert err == f"medtwitter: error: {root / 'raw'}: Permission denied; {PERMISSIONS}."
    assert list(root.iterdir()) == []


@skip_if_root
def test_read_only_out_folder_is_one_line_before_the_work(data_root, tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        code, err = _run(capsys, ["graph", "demo", "--metrics", "--out", str(folder / "m.csv")])
    finally:
        folder.chmod(0o755)
    assert code == 1
    assert err == f"medtwitter: error: {folder}: Permission denied; {PERMISSIONS}."


@skip_if_root
def test_unreadable_dataset_is_one_line(demo_copy, capsys):
    manifest = demo_copy / "processed" / "demo" / "manifest.json"
    manifest.chmod(0o000)
    try:
        code, err = _run(capsys, ["--data-dir", str(demo_copy), "info", "demo"])
    finally:
        manifest.chmod(0o644)
    assert code == 1 and err.startswith(f"medtwitter: error: {manifest}: Permission denied; ")


def test_permission_denied_on_the_data_root_is_one_line(root, monkeypatch, capsys):
    """The same as a read-only data root, whoever runs the tests (root ignores permissions)."""
    real_mkdir = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if str(self).startswith(str(root)):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    code, err = _run(capsys, ["--data-dir", str(root), "demo", "--tiny", "--quiet"])
    assert code == 1
    assert err == f"medtwitter: error: {root / 'raw' / 'tiny'}: Permission denied; {PERMISSIONS}."
    assert list(root.iterdir()) == []


def test_permission_denied_on_the_out_folder_is_one_line_before_the_work(
    data_root, tmp_path, monkeypatch, capsys
):
    import analysis.graph.export as export
    import analysis.outputs as outputs

    def denied(*args, dir=None, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(Path(dir) / "tmpXYZ"))

    monkeypatch.setattr(outputs.tempfile, "TemporaryFile", denied)
    monkeypatch.setattr(export, "metrics_from_dataset", lambda *a, **k: pytest.fail("work done"))
    code, err = _run(capsys, ["graph", "demo", "--metrics", "--out", str(tmp_path / "m.csv")])
    assert code == 1
    assert err == f"medtwitter: error: {tmp_path}: Permission denied; {PERMISSIONS}."
    assert list(tmp_path.iterdir()) == []


def test_unreadable_manifest_is_one_line(data_root, monkeypatch, capsys):
    from analysis import store

    manifest = data_root / "processed" / "demo" / "manifest.json"

    def unreadable(folder):
        raise PermissionError(errno.EACCES, "Permission denied", str(manifest))

    monkeypatch.setattr(store, "read_manifest", unreadable)
    code, err = _run(capsys, ["info", "demo"])
    assert code == 1
    assert err == f"medtwitter: error: {manifest}: Permission denied; {PERMISSIONS}."


def test_a_folder_given_as_input_file_is_one_line(tmp_path, capsys):
    code, err = _run(capsys, ["accounts", "classify", str(tmp_path)])
    assert code == 1
    assert err == f"medtwitter: error: {tmp_path}: Is a directory; give a file name, not a folder."


def _full_disk(*args, **kwargs):
    """A writer (a path or an open file) that gets part of its output out, then finds the disk full."""
    target = next(a for a in args if isinstance(a, (str, os.PathLike)) or hasattr(a, "write"))
    if hasattr(target, "write"):
        target.write("half a row")
    else:
        Path(target).write_text("half a row", encoding="utf-8")
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize(
    "argv, patch",
    [
        (["graph", "demo", "--metrics", "--quiet", "--out", "OUT"], "pandas.DataFrame.to_csv"),
        (["graph", "demo", "--export", "gexf", "--out", "OUT"], "networkx.write_gexf"),
        (["accounts", "demo", "--out", "OUT"], "pandas.DataFrame.to_csv"),
    ],
    ids=["graph-metrics", "graph-export", "accounts"],
)
def test_full_disk_keeps_the_previous_file_and_leaves_no_temporary(
    argv, patch, data_root, tmp_path, monkeypatch, capsys
):
    target = tmp_path / ("out.gexf" if "gexf" in argv else "out.csv")
    target.write_text("previous content\n", encoding="utf-8")
    monkeypatch.setattr(patch, _full_disk)
    code, err = _run(capsys, [str(target) if a == "OUT" else a for a in argv])
    assert code == 1
    assert err == f"medtwitter: error: {target}: No space left on device; {NO_SPACE}."
    assert target.read_text(encoding="utf-8") == "previous content\n"
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left beside it


def test_full_disk_while_writing_a_dataset_version_keeps_the_dataset(
    demo_copy, monkeypatch, capsys
):
    folder = demo_copy / "processed" / "demo"
    before = _tree(folder)

    def fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    code, err = _run(capsys, ["--data-dir", str(demo_copy), "compact", "demo"])
    monkeypatch.undo()
    assert code == 1
    assert (
        err
        == f"medtwitter: error: {folder / 'manifest.json'}: No space left on device; {NO_SPACE}."
    )
    after = _tree(folder)
    assert not [p for p in after if Path(p).name.startswith(".manifest.json.")]
    assert after["manifest.json"] == before["manifest.json"]
    assert main(["--data-dir", str(demo_copy), "info", "demo"]) == 0


def test_full_disk_while_writing_raw_pages_leaves_no_half_file(root, monkeypatch, capsys):
    import analysis.demo.tiny as demo

    pages = demo.tiny_pages

    def tiny_pages():
        yield from pages()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(demo, "tiny_pages", tiny_pages)
    code, err = _run(capsys, ["--data-dir", str(root), "demo", "--tiny", "--quiet"])
    raw = root / "raw" / "tiny"
    assert code == 1
    assert (
        err
        == f"medtwitter: error: {raw / 'search_tiny.jsonl'}: No space left on device; {NO_SPACE}."
    )
    assert list(raw.iterdir()) == []
    assert not (root / "processed" / "tiny" / "manifest.json").exists()


#: File outputs: the command line with OUT where the file goes.
FILE_OUTPUTS = {
    "graph-metrics": ["graph", "demo", "--metrics", "--out", "OUT"],
    "graph-export": ["graph", "demo", "--export", "graphml", "--out", "OUT"],
    "accounts-out": ["accounts", "demo", "--out", "OUT"],
    "accounts-pairs": ["accounts", "demo", "--pairs", "OUT"],
    "classify-out": ["accounts", "classify", "PROFILES", "--out", "OUT"],
    "collect-output": ["collect", "users", "someone", "--dataset", "docs", "--output", "OUT"],
}


def _profiles(folder: Path) -> str:
    path = folder / "profiles.csv"
    path.write_text("username,name,description\nalice,Alice,Infirmière\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("output", FILE_OUTPUTS)
def test_out_naming_a_folder_is_one_line(output, data_root, tmp_path, capsys):
    folder = tmp_path / "labels.csv"  # a folder, named like the file wanted
    folder.mkdir()
    profiles = _profiles(tmp_path / "labels.csv")
    argv = [{"OUT": str(folder), "PROFILES": profiles}.get(a, a) for a in FILE_OUTPUTS[output]]
    code, err = _run(capsys, argv)
    assert code == 2
    assert err == f"medtwitter: error: {folder}: is a folder; give a file name, not a folder."
    assert [p.name for p in folder.iterdir()] == ["profiles.csv"]  # nothing written in it


@pytest.mark.parametrize("output", FILE_OUTPUTS)
def test_out_in_a_missing_folder_is_one_line_and_not_created(output, data_root, tmp_path, capsys):
    target = tmp_path / "no" / "such" / "labels.csv"
    argv = [
        {"OUT": str(target), "PROFILES": _profiles(tmp_path)}.get(a, a)
        for a in FILE_OUTPUTS[output]
    ]
    code, err = _run(capsys, argv)
    assert code == 2
    assert err == (
        f"medtwitter: error: {target}: the folder {target.parent} does not exist; "
        "create it first or check the path."
    )
    assert not (tmp_path / "no").exists()


def test_report_out_naming_a_file_is_one_line(data_root, tmp_path, capsys):
    target = tmp_path / "reports"
    target.write_text("not a folder\n", encoding="utf-8")
    code, err = _run(capsys, ["report", "--out", str(target), "--notebooks", "00"])
    assert code == 2
    assert err == (
        f"medtwitter: error: {target}: is a file, not a folder; give a folder for the output."
    )
    assert target.read_text(encoding="utf-8") == "not a folder\n"


def test_report_out_in_a_missing_folder_is_one_line_and_not_created(data_root, tmp_path, capsys):
    target = tmp_path / "no" / "reports"
    code, err = _run(capsys, ["report", "--out", str(target), "--notebooks", "00"])
    assert code == 2 and f"the folder {target.parent} does not exist" in err
    assert not (tmp_path / "no").exists()


def test_write_atomic_removes_its_temporary_file_on_interrupt(tmp_path):
    from analysis.outputs import write_atomic

    target = tmp_path / "x.csv"
    target.write_text("kept\n", encoding="utf-8")

    def interrupted(tmp: Path) -> None:
        tmp.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, interrupted)
    assert list(tmp_path.iterdir()) == [target]
    assert target.read_text(encoding="utf-8") == "kept\n"
