"""The `medtwitter adoption` and `medtwitter hashtags` subcommands."""

from analysis.cli import main


def test_adoption_command_prints_dates_and_bass_fit_per_year(data_root, capsys):
    assert main(["adoption", "demo", "--boot", "10"]) == 0
    out = capsys.readouterr().out
    assert "first professional tweet" in out and "(rates per year)" in out


def test_hashtags_command_lists_tags_and_communities(data_root, capsys):
    assert main(["hashtags", "demo", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "#Santé, #santé, #SANTÉ" in out or "docstoctoc" in out
    assert "Louvain communities" in out


def test_adoption_command_on_an_unknown_dataset_fails_in_one_line(data_root, capsys):
    assert main(["adoption", "nope"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown dataset 'nope'" in err
