"""Argument parsing shared by all subcommands."""

import pytest

from explorer.cli import build_parser, main


def test_top_level_weights_survive_the_subcommand():
    parser = build_parser()
    assert str(parser.parse_args(["--weights", "w.h5", "classify", "a.jpg"]).weights) == "w.h5"
    assert str(parser.parse_args(["classify", "a.jpg", "--weights", "v.h5"]).weights) == "v.h5"
    assert parser.parse_args(["classify", "a.jpg"]).weights is None
    assert parser.parse_args([]).weights_dir is None


def test_weights_and_weights_dir_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--weights", "a.h5", "classify", "x.jpg", "--weights-dir", "d"])
    assert info.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_bench_choices_include_memory_soak():
    args = build_parser().parse_args(["bench", "memory", "--soak", "--frames", "10"])
    assert (args.what, args.soak, args.frames) == ("memory", True, 10)


@pytest.mark.parametrize("command", [["classify", "x.jpg"], ["screenshot", "--output", "s.png"],
                                     ["bench", "ui"]])
@pytest.mark.parametrize("bad", [["--alpha", "0"], ["--alpha", "abc"], ["--resolution", "31"],
                                 ["--format", "xml"]])
def test_bad_arguments_for_every_command(command, bad, capsys):
    with pytest.raises(SystemExit) as info:
        main([*command, *bad])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error:" in err and "Traceback" not in err
