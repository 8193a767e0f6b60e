"""Command line: report, paper, classify, bench, screenshot; no command opens the GUI.

Heavy modules (Qt, TensorFlow) are imported inside each command so ``report`` and ``paper``
answer instantly.  Usage errors print one line on stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import errno
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from explorer.arch.spec import (
    ALPHA_MAX,
    CLASSES_MAX,
    CLASSES_RANGE,
    RESOLUTION_MAX,
    RESOLUTION_MIN,
    RESOLUTION_RANGE,
)

PROG = "mobilenet-explorer"
#: Subcommands that use --weights / --weights-dir (None: no command, the window).
WEIGHTS_COMMANDS = ("classify", "screenshot", None)
#: Benchmarks that run for minutes rather than seconds.
SLOW_BENCHES = ("inference", "memory", "overlap", "int8", "stream")


class UsageError(Exception):
    """A bad argument the user can fix; reported as one line, exit status 2."""


class OutputError(Exception):
    """A good ``--output`` that could not be written (disk full, I/O error); one line, exit
    status 1, as the same failure on standard output."""


#: errno values of a write that failed through no fault of the path given.
_IO_FAILURES = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG})


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are a single readable line (no usage dump)."""

    _unknown_first: list[str] = []

    def error(self, message: str) -> NoReturn:
        if self._unknown_first and message.startswith("argument COMMAND: invalid choice"):
            # `main.py --alpah 0.5`: argparse took "0.5" for the command and said "invalid
            # choice: '0.5'"; the mistyped option is the real problem.
            message = (f"unrecognized arguments: {' '.join(self._unknown_first)}"
                       + self._did_you_mean(self._unknown_first, None))
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)

    def _options(self) -> set[str]:
        return {o for a in self._actions for o in a.option_strings}

    def _commands(self) -> dict[str, argparse.ArgumentParser]:
        """Command name -> its parser."""
        return {name: sub for a in self._actions if isinstance(a, argparse._SubParsersAction)
                for name, sub in a.choices.items()}

    def _unknown_options_before_command(self, tokens: list[str]) -> list[str]:
        """Options this (top-level) parser does not know, given before any command."""
        known = self._options()
        commands = self._commands()
        unknown = []
        for token in tokens:
            if token in commands:
                break
            name = token.split("=")[0]
            # argparse takes a unique abbreviation ("--alph"): not unknown
            if (name.startswith("--") and name != "--"
                    and not any(option.startswith(name) for option in known)):
                unknown.append(name)
        return unknown

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        tokens = list(sys.argv[1:] if args is None else args)
        self._unknown_first = self._unknown_options_before_command(tokens)
        parsed, extras = self.parse_known_args(tokens, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}"
                       + self._did_you_mean(extras, getattr(parsed, "command", None)))
        return parsed

    def _did_you_mean(self, tokens: list[str], command: str | None) -> str:
        """"; did you mean --alpha?" for a mistyped option (``--alpah``), among the options
        of the command given (``paper --alpha`` gets no "--alpha?"), else ""."""
        import difflib

        known = self._options()
        sub = self._commands().get(command) if command else None
        if sub is not None:
            known.update(o for a in sub._actions for o in a.option_strings)
        guesses = [match[0] for token in tokens if token.startswith("--")
                   for match in [difflib.get_close_matches(token.split("=")[0], known, 1, 0.75)]
                   if match and match[0] != token.split("=")[0]]
        return f"; did you mean {', '.join(guesses)}?" if guesses else ""


def _plain_number(text: str) -> str:
    """``text`` if it is written with ASCII digits only, else ValueError: Python's int() and
    float() also take "1_024" and other scripts' digits ("٢٢٤"), which a user did not mean."""
    text = text.strip()  # int() and float() allow surrounding (also non-ASCII) whitespace
    if not text.isascii() or "_" in text:
        raise ValueError(text)
    return text


def alpha_arg(text: str) -> float:
    """Parse ``--alpha``: a number in (0, 4]."""
    try:
        value = float(_plain_number(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"width multiplier alpha must be a number in (0, {ALPHA_MAX:g}], got {text!r}"
        ) from None
    if not math.isfinite(value) or not 0 < value <= ALPHA_MAX:
        raise argparse.ArgumentTypeError(
            f"width multiplier alpha must be in (0, {ALPHA_MAX:g}], got {text}"
        )
    return value


def resolution_arg(text: str) -> int:
    """Parse ``--resolution``: an integer from 32 to 4096."""
    try:
        value = int(_plain_number(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"input resolution must be {RESOLUTION_RANGE}, got {text!r}"
        ) from None
    if not RESOLUTION_MIN <= value <= RESOLUTION_MAX:
        raise argparse.ArgumentTypeError(f"input resolution must be {RESOLUTION_RANGE}, got {text}")
    return value


def path_arg(text: str) -> Path:
    """A file or folder argument; an empty one is refused.  ``Path("")`` is ".", so an unset
    shell variable (``classify "$IMG"``) would otherwise mean "everything in this folder"."""
    if not text.strip():
        raise argparse.ArgumentTypeError("empty path (an unset shell variable?)")
    return Path(text)


def output_file_arg(text: str) -> Path:
    """A file to write.  A name ending in "/" (or "/." or "/..") names a folder, but Path()
    drops the ending: ``--output notes.txt/`` replaced the file notes.txt and ``--output
    out/`` made a file named "out"."""
    path = path_arg(text)
    if text.replace(os.sep, "/").rsplit("/", 1)[-1] in ("", ".", ".."):
        raise argparse.ArgumentTypeError(f"{text!r} names a folder, not a file")
    return path


def output_arg(text: str) -> Path | None:
    """``--output`` of report and paper: a file, or ``-`` for stdout (it wrote a file named
    "-" in the current folder)."""
    return None if text == "-" else output_file_arg(text)


def positive_int_arg(text: str) -> int:
    try:
        value = int(_plain_number(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def classes_arg(text: str) -> int:
    """Parse ``report --classes``: 1 to ``CLASSES_MAX`` classifier outputs."""
    value = positive_int_arg(text)
    if value > CLASSES_MAX:
        raise argparse.ArgumentTypeError(f"classes must be {CLASSES_RANGE}, got {text}")
    return value


def top_arg(text: str) -> int:
    """Parse ``classify --top``: 1 to the number of ImageNet classes."""
    from explorer.vision.labels import NUM_CLASSES  # numpy: only when --top is given

    value = positive_int_arg(text)
    if value > NUM_CLASSES:
        raise argparse.ArgumentTypeError(
            f"expected 1 to {NUM_CLASSES} (ImageNet has {NUM_CLASSES} classes), got {text}")
    return value


def _add_variant_args(p: argparse.ArgumentParser, alpha: float = 1.0, res: int = 224) -> None:
    p.add_argument("--alpha", type=alpha_arg, default=alpha,
                   help=f"width multiplier alpha in (0, {ALPHA_MAX:g}] (default {alpha:g})")
    p.add_argument("--resolution", type=resolution_arg, default=res,
                   help=f"input resolution in pixels, {RESOLUTION_RANGE} (default {res})")


def _add_weights_args(p: argparse.ArgumentParser, top_level: bool = False) -> None:
    # Subcommands default to SUPPRESS so that `main.py --weights X classify ...` keeps X.
    default = None if top_level else argparse.SUPPRESS
    where = " (for classify, screenshot and the window)" if top_level else ""
    group = p.add_mutually_exclusive_group()
    group.add_argument("--weights", type=path_arg, metavar="FILE", default=default,
                       help="Keras weights with the classifier: .h5, Keras 3 .weights.h5 or"
                            f" .keras{where}")
    group.add_argument("--weights-dir", type=path_arg, metavar="DIR", default=default,
                       help=f"folder holding Keras files named mobilenet_<a>_<res>_tf.h5{where}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Explore MobileNet v1 costs and classify images."
                     " Without a command it opens the window.")
    _add_weights_args(parser, top_level=True)
    # The window's own --alpha/--resolution (other dests than the commands' so that a value
    # given before a command is seen, and refused, rather than silently replaced).
    parser.add_argument("--alpha", dest="window_alpha", type=alpha_arg, default=None,
                        help="open the window at this width multiplier alpha")
    parser.add_argument("--resolution", dest="window_resolution", type=resolution_arg,
                        default=None, help="open the window at this input resolution")
    parser.add_argument("--version", action="version", version="%(prog)s 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    rep = sub.add_parser("report", help="layer table with params, MACs and activations")
    _add_variant_args(rep)
    rep.add_argument("--classes", type=classes_arg, default=None,
                     help="classifier outputs (default 1000); not with --no-top")
    rep.add_argument("--no-top", action="store_true", help="drop the classifier head")
    rep.add_argument("--format", choices=("table", "json", "csv", "markdown"), default=None,
                     help="table, json, csv or markdown (default: from the --output name's"
                          " .json, .csv, .md or .markdown ending, else table)")
    rep.add_argument("--output", type=output_arg, metavar="FILE",
                     help="write here instead of stdout (- is stdout)")

    pap = sub.add_parser("paper", help="the paper's tables, printed beside computed values")
    pap.add_argument("--format", choices=("text", "json"), default=None,
                     help="text or json (default: json for an --output ending in .json,"
                          " else text)")
    pap.add_argument("--output", type=output_arg, metavar="FILE",
                     help="write here instead of stdout (- is stdout)")

    cls = sub.add_parser("classify", help="classify image files or folders with ImageNet weights")
    cls.add_argument("images", nargs="+", type=path_arg, metavar="IMAGE",
                     help="image file, or folder: every image file directly in it (.jpg, .png,"
                          " ...; natural order, as the window's folder source)")
    _add_variant_args(cls)
    _add_weights_args(cls)
    cls.add_argument("--top", type=top_arg, default=5,
                     help="labels per image, 1 to 1000 (default 5)")
    cls.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto",
                     help="auto (default: the GPU when TensorFlow sees one), cpu or gpu")
    cls.add_argument("--engine", choices=("auto", "tf", "litert", "int8"), default="auto",
                     help="inference engine (auto: LiteRT on CPU, TensorFlow on GPU; int8:"
                          " Google's quantized model for the variant, looked for next to the"
                          " weights, in the folders around them and their tflite/ subfolders,"
                          " and in the Keras cache; a missing one's message lists them all)")
    cls.add_argument("--format", choices=("text", "json"), default="text",
                     help="text (default): a block per image; json: one list")

    ben = sub.add_parser("bench", help="measure slider, startup and inference budgets")
    benches = ("ui", "startup", "inference", "gpu", "int8", "memory", "overlap", "stream")
    ben.add_argument("what", choices=benches, metavar="BENCH",
                     help=f"one of {', '.join(benches)}; {', '.join(SLOW_BENCHES)} take"
                          " minutes")
    ben.add_argument("--alpha", type=alpha_arg, default=None,
                     help="width multiplier alpha (default: the benchmark's own variants)")
    ben.add_argument("--resolution", type=resolution_arg, default=None,
                     help=f"input resolution, {RESOLUTION_RANGE}"
                          " (default: the benchmark's own variants)")
    ben.add_argument("--frames", type=positive_int_arg, default=None,
                     help="frames / steps / runs to measure (default: the full benchmark)")
    ben.add_argument("--format", choices=("text", "json"), default="text",
                     help="text (default) or json (JSON on stdout, summary line on stderr)")
    ben.add_argument("--soak", action="store_true",
                     help="memory: 10,000 frames at 0.25/128, the smallest published variant,"
                          " unless --alpha/--resolution/--frames say otherwise (RSS, threads,"
                          " fds)")

    shot = sub.add_parser("screenshot", help="render the window offscreen to a PNG")
    shot.add_argument("--output", type=output_file_arg, required=True, metavar="FILE.png",
                      help="the PNG to write (required)")
    _add_variant_args(shot)
    shot.add_argument("--view", default="layers",
                      help="layers, blocks, blocks-table (the blocks view as a table), types,"
                           " accuracy, compare, paper or classify (default layers)")
    shot.add_argument("--image", type=path_arg, default=None,
                      help="for --view classify: the photo to classify")
    _add_weights_args(shot)
    return parser


def write_output(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output`` atomically (nothing is left behind on failure) or stdout."""
    from explorer.atomic_write import folder_problem, write_bytes_atomic

    if output is None:
        sys.stdout.write(text)
        return
    problem = folder_problem(output)
    if problem:
        raise UsageError(f"cannot write {output}: {problem}")
    try:
        write_bytes_atomic(output, text.encode("utf-8"))
    except OSError as exc:
        message = f"cannot write {output}: {exc.strerror or exc}"
        if exc.errno in _IO_FAILURES:  # not the argument's fault: status 1, as on stdout
            raise OutputError(message) from None
        raise UsageError(message) from None


#: Output file endings that choose a format when ``--format`` is not given: `report
#: --output r.json` wrote the text table into r.json.
FORMAT_BY_SUFFIX = {".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown"}


def output_format(args: argparse.Namespace, default: str, formats: Sequence[str]) -> str:
    """``--format`` if given, else the one the ``--output`` name implies, else ``default``."""
    if args.format is not None:
        return str(args.format)
    if args.output is not None:
        implied = FORMAT_BY_SUFFIX.get(Path(args.output).suffix.lower())
        if implied is not None and implied in formats:
            return implied
    return default


def _cmd_report(args: argparse.Namespace) -> int:
    from explorer.arch.export import REPORT_FORMATS, render_report
    from explorer.arch.spec import MobileNetSpec

    if args.no_top and args.classes is not None:
        raise UsageError("--classes sets the classifier's outputs, which --no-top leaves out;"
                         " give one or the other")
    classes = 1000 if args.classes is None else args.classes
    spec = MobileNetSpec(args.alpha, args.resolution, classes, not args.no_top)
    fmt = output_format(args, "table", REPORT_FORMATS)
    write_output(render_report(spec, fmt), args.output)
    return 0


def _cmd_paper(args: argparse.Namespace) -> int:
    import json

    from explorer.arch.export import paper_dict, paper_text

    fmt = output_format(args, "text", ("text", "json"))
    text = json.dumps(paper_dict(), indent=2) + "\n" if fmt == "json" else paper_text()
    write_output(text, args.output)
    return 0


def _cmd_classify(args: argparse.Namespace) -> int:
    from explorer.vision.classify_command import run_classify

    return run_classify(args)


def _cmd_bench(args: argparse.Namespace) -> int:
    from explorer.bench import run_bench

    return run_bench(args)


def _cmd_screenshot(args: argparse.Namespace) -> int:
    from explorer.ui.screenshot import run_screenshot

    return run_screenshot(args)


def _cmd_gui(args: argparse.Namespace) -> int:
    from explorer.ui.app import run_gui

    return run_gui(args)


COMMANDS = {
    "report": _cmd_report,
    "paper": _cmd_paper,
    "classify": _cmd_classify,
    "bench": _cmd_bench,
    "screenshot": _cmd_screenshot,
    None: _cmd_gui,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python main.py`` and the ``mobilenet-explorer`` script."""
    from explorer.utf8_locale import prefer_utf8_ctype

    prefer_utf8_ctype()  # before any Qt application exists
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.weights is not None and args.weights_dir is not None:
        parser.error("argument --weights-dir: not allowed with argument --weights")
    if args.command not in WEIGHTS_COMMANDS:
        for option, value in (("--weights", args.weights), ("--weights-dir", args.weights_dir)):
            if value is not None:
                parser.error(f"{option} applies to classify, screenshot and the window,"
                             f" not to {args.command}")
    if args.command is not None:
        for option, value in (("--alpha", args.window_alpha),
                              ("--resolution", args.window_resolution)):
            if value is not None:
                parser.error(f"{option} before the command opens the window at that variant;"
                             f" for {args.command}, put it after the command:"
                             f" {PROG} {args.command} {option} {value:g}")
    if args.command is None and args.window_alpha is not None:
        from explorer.ui.controls import window_alpha_problem

        problem = window_alpha_problem(args.window_alpha)
        if problem:
            parser.error(f"argument --alpha: {problem}")
    if args.command == "bench":
        from explorer.bench import unused_options, unused_options_message

        unused = unused_options(args.what, args.alpha, args.resolution, args.soak)
        if unused:
            parser.error(unused_options_message(args.what, unused))
    prog = f"{PROG} {args.command}" if args.command else PROG
    if args.command is not None and sys.stdout is None:  # started with stdout closed (>&-)
        sys.stderr.write(f"{prog}: error: standard output is closed; redirect it to a file"
                         " or to /dev/null\n")
        return 2
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        sys.stderr.write(f"{prog}: error: {exc}\n")
        return 2
    except OutputError as exc:
        sys.stderr.write(f"{prog}: error: {exc}\n")
        return 1
    except ValueError as exc:
        sys.stderr.write(f"{prog}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"{prog}: interrupted\n")
        return 130
    except BrokenPipeError:
        # `classify ... | head`: the reader left; stop quietly like other Unix tools.  Point
        # stdout at devnull so the interpreter's final flush does not raise a second time.
        _silence_stdout()
        return 141
    except OSError as exc:
        # Commands turn the errors they expect (unwritable --output, unreadable files) into
        # UsageError; what is left is mostly a full disk or a dead terminal under stdout.
        if _stdout_broken():
            _silence_stdout()
            sys.stderr.write(f"{prog}: error: cannot write to standard output:"
                             f" {exc.strerror or exc}\n")
        elif exc.filename:
            sys.stderr.write(f"{prog}: error: {exc.filename}: {exc.strerror or exc}\n")
        else:
            sys.stderr.write(f"{prog}: error: cannot write the output: {exc.strerror or exc}\n")
        return 1


def _stdout_broken() -> bool:
    """True when standard output cannot take the text still waiting in its buffer."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        return True
    return False


def _silence_stdout() -> None:
    """Point stdout at devnull, so the interpreter's final flush cannot fail once more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
