"""`python main.py report` and `paper`: formats, errors, and nothing written on failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.arch import MobileNetSpec, model_totals
from explorer.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_report_json_via_main_py(tmp_path):
    out = tmp_path / "r.json"
    result = subprocess.run(
        [sys.executable, "main.py", "report", "--alpha", "0.75", "--resolution", "192",
         "--format", "json", "--output", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert doc["totals"]["params"] == 2_601_976
    assert doc["totals"]["macs"] == model_totals(MobileNetSpec(0.75, 192)).macs


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "json"])
def test_report_formats_to_stdout(fmt, capsys):
    assert main(["report", "--alpha", "0.5", "--resolution", "160", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "1,342,536" in out or "1342536" in out


def test_report_no_top_and_classes(capsys):
    assert main(["report", "--no-top", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["totals"]["params"] == 3_228_864
    assert doc["classes"] is None and doc["include_top"] is False  # no classifier, no classes
    assert main(["report", "--classes", "10", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["classes"] == 10 and doc["layers"][-1]["output_shape"] == [10]


def test_largest_classifier_prints_in_known_units(capsys):
    """At the --classes cap the widest variant's totals still read as plain figures."""
    assert main(["report", "--alpha", "4", "--resolution", "4096", "--classes", "1000000"]) == 0
    out = capsys.readouterr().out
    assert "e+" not in out and "1,000,000" in out


@pytest.mark.parametrize("args, needle", [
    (["--alpha", "0"], "alpha"),
    (["--alpha", "abc"], "alpha"),
    (["--alpha", "0.01"], "alpha"),
    (["--resolution", "31"], "resolution"),
    (["--resolution", "2x"], "resolution"),
    (["--format", "xml"], "format"),
    (["--classes", "0"], "classes"),
    # Past the cap the totals outgrow their units ("4.1e+03 P" mult-adds at 10^15 classes).
    (["--classes", "1000001"], "1,000,000"),
    # int() and float() take these; a user typing them made a mistake.
    (["--resolution", "1_024"], "resolution"),
    (["--resolution", "\u0662\u0662\u0664"], "resolution"),  # Arabic-Indic "224"
    (["--alpha", "0.2_5"], "alpha"),
    (["--classes", "1_0"], "integer"),
])
def test_bad_arguments_one_line_exit_2(args, needle, tmp_path, capsys):
    out = tmp_path / "never.json"
    with pytest.raises(SystemExit) as info:
        code = main(["report", *args, "--output", str(out)])
        raise SystemExit(code)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err
    assert not out.exists()


def test_output_to_missing_folder(tmp_path, capsys):
    assert main(["report", "--output", str(tmp_path / "nope" / "r.txt")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["notes.txt/", "out/", "sub/.", "sub/..", "."])
def test_output_naming_a_folder_is_refused(name, tmp_path, monkeypatch, capsys):
    """Path() drops a trailing "/": --output notes.txt/ replaced the file notes.txt, and
    --output out/ made a file named out."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("keep")
    with pytest.raises(SystemExit) as info:
        main(["report", "--output", name])
    assert info.value.code == 2
    assert f"{name!r} names a folder, not a file" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_output_in_a_symlink_loop_is_one_line(tmp_path, capsys):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    for out in (tmp_path / "a" / "r.csv", tmp_path / "a"):
        assert main(["report", "--output", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "symlink loop" in err.lower(), err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_full_disk_on_output_is_status_1_like_stdout(capsys):
    """Status 2 is for arguments to fix; a full disk is not one (on stdout it was 1)."""
    assert main(["report", "--output", "/dev/full"]) == 1
    assert capsys.readouterr().err == (
        "mobilenet-explorer report: error: cannot write /dev/full: No space left on device\n")


def test_paper_text_and_json(capsys):
    assert main(["paper"]) == 0
    text = capsys.readouterr().out
    assert "1.19 / 1.91 *" in text and "tensorflow/models#1997" in text
    assert main(["paper", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    keys = [t["key"] for t in doc["tables"]]
    assert keys[:7] == [f"table{i}" for i in range(1, 8)]
    flagged = [v for t in doc["tables"] for r in t["rows"] for v in r["values"] if v["flagged"]]
    assert len(flagged) >= 12 and all(v["note"] for v in flagged)


def test_min_alpha_hint_is_itself_a_valid_alpha(capsys):
    assert main(["report", "--alpha", "0.0312"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.rstrip().endswith("use alpha >= 0.03125")
    assert main(["report", "--alpha", "0.03125", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["layers"][1]["output_shape"][-1] == 1


@pytest.mark.parametrize("alpha, shown", [("3.99999999", "3.99999999"), ("0.75", "0.75"),
                                          ("1", "1.0"), ("0.03125", "0.03125")])
def test_title_shows_the_alpha_that_was_computed(alpha, shown, capsys):
    assert main(["report", "--alpha", alpha]) == 0
    title = capsys.readouterr().out.splitlines()[0]
    assert f"width multiplier alpha {shown}, " in title


def test_classes_with_no_top_is_refused(capsys):
    """--classes with --no-top was accepted and dropped without a word."""
    assert main(["report", "--no-top", "--classes", "10"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--no-top leaves out" in err


@pytest.mark.parametrize("name, fmt", [("r.json", "json"), ("r.CSV", "csv"), ("r.md", "markdown"),
                                       ("r.markdown", "markdown"), ("r.txt", "table"),
                                       ("report", "table")])
def test_output_name_chooses_the_format_unless_format_is_given(tmp_path, name, fmt):
    """`report --output r.json` wrote the text table into r.json."""
    from explorer.arch.export import render_report

    out = tmp_path / name
    assert main(["report", "--alpha", "0.5", "--output", str(out)]) == 0
    assert out.read_text() == render_report(MobileNetSpec(0.5, 224), fmt)
    assert main(["report", "--alpha", "0.5", "--format", "csv", "--output", str(out)]) == 0
    assert out.read_text() == render_report(MobileNetSpec(0.5, 224), "csv")  # --format wins
    paper = tmp_path / f"paper{out.suffix}"
    assert main(["paper", "--output", str(paper)]) == 0
    text = paper.read_text()
    assert text.startswith("{") == (out.suffix == ".json")


def test_no_top_header_omits_classes(capsys):
    for fmt in ("table", "markdown"):
        assert main(["report", "--no-top", "--format", fmt]) == 0
        head = capsys.readouterr().out.splitlines()[0]
        assert "no top" in head and "classes" not in head
        assert main(["report", "--classes", "10", "--format", fmt]) == 0
        assert "10 classes" in capsys.readouterr().out.splitlines()[0]


def test_output_through_a_symlink_replaces_its_target_not_the_link(tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(target.name)
    assert main(["report", "--format", "csv", "--output", str(link)]) == 0
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text().startswith("index,name,kind,")
    assert target.stat().st_mode & 0o777 == 0o640  # a replaced file keeps its permissions
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


def test_output_to_a_fifo_writes_into_it(tmp_path):
    """A FIFO (or /dev/stdout) is a stream: renaming a file over it would destroy it and
    leave its reader with nothing."""
    import os
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert main(["report", "--format", "csv", "--output", str(fifo)]) == 0
    reader.join(10)
    assert not reader.is_alive()
    assert b"conv1" in received[0]
    assert fifo.is_fifo()  # still a FIFO



@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="needs /dev/stdout")
def test_output_to_dev_stdout_appends_to_the_shells_file(tmp_path):
    """`--output /dev/stdout >> log.txt` replaced log.txt with a new file holding only the
    report: what was in it, and what the shell wrote after, was lost."""
    log = tmp_path / "log.txt"
    log.write_text("old log\n")
    script = (f'echo before; "{sys.executable}" main.py paper --format json'
              f' --output /dev/stdout; echo after')
    result = subprocess.run(["bash", "-c", f"({script}) >> '{log}'"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    text = log.read_text()
    assert text.startswith("old log\nbefore\n{") and text.endswith("}\nafter\n")
    json.loads(text[len("old log\nbefore\n"):-len("after\n")])


def test_dash_output_is_stdout(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--format", "csv", "--output", "-"]) == 0
    assert capsys.readouterr().out.startswith("index,name,kind,")
    assert main(["paper", "--output", "-"]) == 0
    assert list(tmp_path.iterdir()) == []  # no file named "-"


def test_read_only_output_file_is_refused_not_replaced(tmp_path, monkeypatch, capsys):
    """The rename needs write access to the folder only, so a read-only report was replaced.
    (Run as root, os.access says root may write anything: the check is simulated.)"""
    import os

    import explorer.atomic_write as atomic

    out = tmp_path / "r.json"
    out.write_text("keep me")
    out.chmod(0o444)
    real_access = os.access
    monkeypatch.setattr(atomic.os, "access", lambda p, mode, **kw: (
        False if Path(p) == out and mode == os.W_OK else real_access(p, mode, **kw)))
    assert main(["report", "--output", str(out)]) == 2
    assert capsys.readouterr().err.strip().endswith(f"cannot write {out}: Permission denied")
    assert out.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]
    # On a read-only mount the reason is the mount, not the file ("Permission denied").
    real_statvfs = os.statvfs

    class ReadOnlyMount:
        f_flag = os.ST_RDONLY

    monkeypatch.setattr(atomic.os, "statvfs", lambda p: (
        ReadOnlyMount() if Path(p) == out else real_statvfs(p)))
    assert main(["report", "--output", str(out)]) == 2
    assert capsys.readouterr().err.strip().endswith(f"cannot write {out}: Read-only file system")
    assert out.read_text() == "keep me"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="only root can give a file to another user")
def test_replaced_file_keeps_its_owner(tmp_path):
    """Root rewriting a user's report made it root's (the new file came from mkstemp)."""
    out = tmp_path / "r.csv"
    out.write_text("old")
    os.chown(out, 12345, 23456)
    assert main(["report", "--output", str(out)]) == 0
    st = out.stat()
    assert (st.st_uid, st.st_gid) == (12345, 23456)
    assert out.read_text().startswith("index,name,kind,")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_full_disk_under_stdout_is_one_line_not_a_traceback():
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "main.py", "report"], cwd=REPO, stdout=full,
                                stderr=subprocess.PIPE, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "mobilenet-explorer report: error: cannot write the output: No space left on device"]


def test_closed_stdout_is_one_line_not_a_traceback():
    result = subprocess.run(["bash", "-c", f'"{sys.executable}" main.py paper >&-'],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "mobilenet-explorer paper: error: standard output is closed; redirect it to a file"
        " or to /dev/null"]


def test_output_name_at_the_file_system_limit(tmp_path, capsys):
    """A 250-character name is valid; the temporary file beside it once was not (".NAME.
    XXXXXXXX.tmp" went past 255 bytes: "File name too long")."""
    out = tmp_path / ("r" * 246 + ".txt")
    assert main(["report", "--output", str(out)]) == 0
    assert out.read_text().startswith("MobileNet v1")
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left


def test_output_under_a_file_names_the_file(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("x")
    assert main(["report", "--output", str(tmp_path / "notes.txt" / "r.txt")]) == 2
    assert f"{tmp_path / 'notes.txt'} is a file, not a folder" in capsys.readouterr().err


def test_replacing_a_file_needs_no_posix_only_call(tmp_path, monkeypatch):
    """On Windows os.geteuid and os.chown do not exist: replacing any existing output raised
    AttributeError (a traceback from `report --output`, an exception out of a Qt slot)."""
    out = tmp_path / "r.csv"
    out.write_text("old")
    for name in ("geteuid", "getegid", "chown"):
        monkeypatch.delattr(os, name, raising=False)
    assert main(["report", "--output", str(out)]) == 0
    assert out.read_text().startswith("index,name,kind,")


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell's 1<> redirection")
def test_output_to_dev_stdout_opened_read_write_leaves_no_old_tail(tmp_path):
    """`--output /dev/stdout 1<>file` wrote from offset 0 and kept the longer old tail."""
    out = tmp_path / "r.json"
    out.write_text("x" * 200_000)
    result = subprocess.run(["bash", "-c", f'"{sys.executable}" main.py paper --format json'
                             f" --output /dev/stdout 1<>'{out}'"],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    json.loads(out.read_text())
