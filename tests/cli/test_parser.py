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


def _one_line_error(argv, capsys) -> str:
    with pytest.raises(SystemExit) as info:
        raise SystemExit(main(argv))
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    return err


@pytest.mark.parametrize("argv", [["--weights", "w.h5", "report"],
                                  ["--weights-dir", "/nonexistent", "paper"],
                                  ["--weights", "w.h5", "bench", "ui"]])
def test_top_level_weights_before_a_command_that_ignores_them(argv, capsys):
    err = _one_line_error(argv, capsys)
    assert argv[0] in err and "classify, screenshot and the window" in err


def test_top_level_weights_kept_for_window_and_classify():
    parser = build_parser()
    args = parser.parse_args(["--weights-dir", "d"])
    assert args.command is None and str(args.weights_dir) == "d"
    assert str(parser.parse_args(["--weights-dir", "d", "screenshot", "--output", "s.png"])
               .weights_dir) == "d"


@pytest.mark.parametrize("value", ["x", "10", "10000"])
def test_resolution_range_stated_once(value, capsys):
    from explorer.cli import RESOLUTION_RANGE

    assert RESOLUTION_RANGE == "an integer from 32 to 4096"
    err = _one_line_error(["report", "--resolution", value], capsys)
    assert f"input resolution must be {RESOLUTION_RANGE}, got" in err
    help_text = build_parser()._subparsers._group_actions[0].choices["report"].format_help()
    assert RESOLUTION_RANGE in " ".join(help_text.split())


def test_top_above_the_class_count_rejected(capsys):
    err = _one_line_error(["classify", "x.jpg", "--top", "2000"], capsys)
    assert "--top" in err and "1000" in err
    assert build_parser().parse_args(["classify", "x.jpg", "--top", "1000"]).top == 1000


def _help(*command: str) -> str:
    parser = build_parser()
    if command:
        parser = parser._subparsers._group_actions[0].choices[command[0]]
    return " ".join(parser.format_help().split())


def test_every_option_has_help():
    parser = build_parser()
    subs = parser._subparsers._group_actions[0].choices
    for name, sub in subs.items():
        for action in sub._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"
    assert "opens the window" in _help()
    bench = _help("bench")
    assert "take minutes" in bench and "inference, memory, overlap, int8" in bench
    assert "folder" in _help("classify")


@pytest.mark.parametrize("argv,option", [(["bench", "gpu", "--soak"], "--soak"),
                                         (["bench", "startup", "--alpha", "0.5"], "--alpha"),
                                         (["bench", "startup", "--resolution", "160"],
                                          "--resolution")])
def test_bench_refuses_an_option_it_would_ignore(argv, option, capsys):
    """`bench startup --alpha 0.5` printed figures for 1.0/224 without a word."""
    err = _one_line_error(argv, capsys)
    assert f"{option} is not used by bench {argv[1]}" in err


def test_bench_keeps_the_options_it_reads():
    args = build_parser().parse_args(["bench", "startup", "--frames", "2"])
    assert args.frames == 2 and not args.soak


def test_bench_choice_error_names_the_metavar(capsys):
    err = _one_line_error(["bench", "nope"], capsys)
    assert "BENCH" in err and "what" not in err


@pytest.mark.parametrize("argv", [["classify", ""], ["classify", "x.jpg", "--weights", ""],
                                  ["classify", "x.jpg", "--weights-dir", " "],
                                  ["report", "--output", ""],
                                  ["screenshot", "--output", ""]])
def test_empty_path_is_refused_not_taken_as_this_folder(argv, capsys) -> None:
    """Path("") is ".": `classify "$IMG"` with IMG unset classified the whole folder."""
    err = _one_line_error(argv, capsys)
    assert "empty path" in err


@pytest.mark.parametrize("argv, guess", [(["classify", "x.jpg", "--alpah", "0.5"], "--alpha"),
                                         (["report", "--fromat", "json"], "--format"),
                                         (["report", "--resoluton=160"], "--resolution"),
                                         # The window's options: argparse took "0.5" for the
                                         # command ("invalid choice: '0.5'").
                                         (["--alpah", "0.5"], "--alpha"),
                                         (["--alpha", "0.5", "--resolutoin", "160"],
                                          "--resolution")])
def test_mistyped_option_gets_a_suggestion(argv, guess, capsys):
    err = _one_line_error(argv, capsys)
    assert "unrecognized arguments" in err and f"did you mean {guess}?" in err


@pytest.mark.parametrize("argv", [["report", "--zzzzzz"], ["paper", "--alpha", "0.5"],
                                  ["report", "--soak"], ["report", "--devise", "x"]])
def test_no_guess_from_another_commands_options(argv, capsys):
    """`paper --alpha` was told "did you mean --alpha?": the options of every command were
    pooled."""
    assert "did you mean" not in _one_line_error(argv, capsys)


def test_window_takes_a_variant_and_refuses_it_before_a_command(capsys):
    """`python main.py --alpha 0.5` said "invalid choice: '0.5'"; it now opens the window at
    alpha 0.5.  Before a command it would be ignored (the command has its own 1.0 default),
    so it is refused, saying where it goes."""
    args = build_parser().parse_args(["--alpha", "0.5", "--resolution", "160"])
    assert (args.command, args.window_alpha, args.window_resolution) == (None, 0.5, 160)
    args = build_parser().parse_args(["report", "--alpha", "0.5"])
    assert (args.alpha, args.window_alpha) == (0.5, None)
    with pytest.raises(SystemExit) as exit_info:
        main(["--resolution", "160", "paper"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.strip().endswith(
        "for paper, put it after the command: mobilenet-explorer paper --resolution 160")


@pytest.mark.parametrize("alpha, words", [("0.04", "goes from 0.05 to 4"),
                                          ("0.333", "has two decimals")])
def test_window_alpha_it_cannot_show_is_refused(alpha, words, capsys):
    """`python main.py --alpha 0.04` showed 0.05 in the box beside a 0.04 summary, and the
    saved variant was thrown away on the next start."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--alpha", alpha])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1


def test_an_abbreviated_option_is_not_called_unrecognized(capsys):
    """argparse accepts "--alph" for --alpha; with a mistyped command after it the error named
    the option, not the command."""
    err = _one_line_error(["--alph", "0.5", "reprot"], capsys)
    assert "invalid choice: 'reprot'" in err and "--alph" not in err


def test_numbers_may_carry_surrounding_whitespace():
    assert build_parser().parse_args(["report", "--resolution", "\u00a0224 "]).resolution == 224
