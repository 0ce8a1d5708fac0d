import subprocess
import sys

from analysis.cli import main


def test_unknown_dataset_is_one_line_with_the_fix_and_non_zero_exit(tmp_data, capsys):
    assert main(["info", "nope"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "unknown dataset 'nope'" in err and "medtwitter demo" in err
    assert "Traceback" not in err


def test_bad_argument_exits_2_with_one_line(capsys):
    assert main(["demo", "--accounts", "many"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "invalid int value" in err


def test_missing_raw_file_names_the_path(tmp_data, capsys):
    assert main(["ingest", str(tmp_data / "nope.jsonl"), "--dataset", "x"]) == 2
    assert "no such raw file or folder" in capsys.readouterr().err


def test_data_dir_option_moves_the_data_root(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path), "demo", "--accounts", "80", "--quiet"]) == 0
    assert (tmp_path / "processed" / "demo" / "tweets" / "_delta_log").is_dir()
    assert (tmp_path / "raw" / "demo" / "ground_truth.json").is_file()
    assert main(["--data-dir", str(tmp_path), "info", "demo"]) == 0
    out = capsys.readouterr().out
    assert "tweets" in out and "lang" in out


def test_environment_variable_moves_the_data_root_for_python_m_analysis(tmp_path):
    env = {"MEDTWITTER_DATA": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "demo", "--accounts", "60", "--quiet"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "processed" / "demo" / "meta.json").is_file()
    bad = subprocess.run(
        [sys.executable, "-m", "analysis", "info", "other"], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 1 and "Traceback" not in bad.stderr


def test_demo_tiny_builds_three_tweets_no_follow_links_and_no_labels(tmp_path, capsys):
    from analysis import settings
    from analysis.tables import load_dataset

    assert main(["--data-dir", str(tmp_path), "demo", "--tiny", "--quiet"]) == 0
    assert "dataset 'tiny' (synthetic)" in capsys.readouterr().out
    settings.set_data_dir(tmp_path)
    try:
        tables = load_dataset("tiny")
    finally:
        settings.set_data_dir(None)
    assert (len(tables.tweets), len(tables.users), len(tables.follows)) == (3, 3, 0)
    assert tables.synthetic
    assert set(tables.hashtags["tag_norm"]) == {"docstoctoc"}
    assert not (tmp_path / "raw" / "tiny" / "ground_truth.json").exists()  # no labels
