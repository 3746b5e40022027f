"""process_file() and process_files(): the command's batch from Python,
checked against the command itself (results, bytes on disk, messages)."""

import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

import tempitch

# Fields of a result that depend on the run, not the file.
TIMINGS = ("seconds", "realtime")


@pytest.fixture
def inputs(tmp_path, gen_signal):
    """A few WAVs: stereo 16-bit, mono float, 3 channels 24-bit at 48 kHz."""
    made = []
    for name, args in [("a.wav", ["-d", "1.5", "-c", "2"]),
                       ("b.wav", ["-d", "0.7", "-c", "1", "-s", "float"]),
                       ("c.wav", ["-d", "1", "-c", "3", "-r", "48000", "-s", "pcm24"])]:
        path = tmp_path / "in" / name
        path.parent.mkdir(exist_ok=True)
        subprocess.run([gen_signal, *args, str(path)], check=True)
        made.append(path)
    return made


def without(result, *keys):
    return {k: v for k, v in result.items() if k not in keys}


def test_process_file_result(inputs, tmp_path):
    out = tmp_path / "out" / "deep" / "a.flac"  # directories are made
    r = tempitch.process_file(inputs[0], out, 3, 1.25)
    assert r["status"] == "ok" and r["error"] is None and out.is_file()
    assert r["schema"] == 2 and r["input"] == str(inputs[0]) and r["output"] == str(out)
    assert (r["frames_in"], r["rate"], r["channels"]) == (66150, 44100, 2)
    assert r["frames_out"] == tempitch.output_length(66150, 1.25) == 52920
    assert r["settings"]["stamp"] == f"tempitch {tempitch.__version__} -p 3 -T 1.25"
    assert r["settings"]["tempo"] == 1.25 and r["settings"]["semitones"] == 3
    assert r["seconds"] > 0


def test_results_and_bytes_equal_the_command(inputs, tmp_path, tempitch_exe):
    names = [p.name for p in inputs]
    (tmp_path / "cmd").mkdir()
    manifest = tmp_path / "jobs.csv"
    manifest.write_text("input,output\n" + "".join(
        f"{p},{tmp_path / 'cmd' / n}\n" for p, n in zip(inputs, names)))
    report = tmp_path / "report.jsonl"
    subprocess.run([tempitch_exe, "-q", "-j", "2", "-p", "-2.5", "-T", "0.9", "-F",
                    "--fine", "--manifest", str(manifest), "--report", str(report)],
                   check=True)
    cmd = [json.loads(line) for line in report.read_text().splitlines()]
    pairs = [(p, tmp_path / "py" / n) for p, n in zip(inputs, names)]
    py = tempitch.process_files(pairs, jobs=2, semitones=-2.5, tempo=0.9, formant=True,
                                quality="fine")
    assert len(py) == len(cmd) == 3
    for p, c, (_, out), n in zip(py, cmd, pairs, names):
        assert without(p, "output", *TIMINGS) == without(c, "output", *TIMINGS)
        assert p["output"] == str(out)
        assert out.read_bytes() == (tmp_path / "cmd" / n).read_bytes()


def test_failures_are_results_in_pair_order(inputs, tmp_path):
    (tmp_path / "text.wav").write_text("not audio\n")
    (tmp_path / "empty.wav").write_bytes(b"")
    pairs = [(inputs[0], tmp_path / "o1.wav"),
             (tmp_path / "missing.wav", tmp_path / "o2.wav"),
             (tmp_path / "text.wav", tmp_path / "o3.wav"),
             (inputs[1], tmp_path / "o4.wav"),
             (tmp_path / "empty.wav", tmp_path / "o5.wav"),
             (inputs[2], inputs[2])]
    r = tempitch.process_files(pairs, jobs=3, semitones=1)
    assert [x["status"] for x in r] == ["ok", "failed", "failed", "ok", "failed", "failed"]
    assert r[1]["error"] == "No such file or directory"
    assert r[2]["error"] == "not an audio file (format not recognised)"
    assert r[4]["error"] == "empty file (0 bytes, not audio)"
    assert r[5]["error"] == "is the input file (refusing to overwrite it)"
    assert [x["input"] for x in r] == [str(p) for p, _ in pairs]
    assert not (tmp_path / "o2.wav").exists() and (tmp_path / "o4.wav").is_file()


def test_pairs_are_not_the_commands_operands(inputs, tmp_path):
    """What the command reads into two bare operands (the second missing:
    'did you mean -o'; an input that tempitch made: skipped) does not apply
    to pairs, which name every output."""
    r = tempitch.process_files([(inputs[0], tmp_path / "o1.wav"),
                                (tmp_path / "missing.wav", tmp_path / "o2.wav")])
    assert [x["status"] for x in r] == ["ok", "failed"]
    again = tempitch.process_file(tmp_path / "o1.wav", tmp_path / "o3.wav", 2)
    assert again["status"] == "ok" and again["frames_in"] == r[0]["frames_out"]


def test_ctrl_c_stops_the_batch(tmp_path, gen_signal):
    """KeyboardInterrupt during process_files: raised soon, the outputs
    made are complete, the others not started, no temporary files."""
    import _thread
    import threading

    import soundfile

    src = tmp_path / "in.wav"
    subprocess.run([gen_signal, "-d", "3", str(src)], check=True)
    pairs = [(src, tmp_path / "out" / f"o{i}.wav") for i in range(60)]
    (tmp_path / "out").mkdir()
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        tempitch.process_files(pairs, jobs=1, tempo=1.25)
    timer.cancel()
    made = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert 0 < len(made) < len(pairs), made
    assert all(name.endswith(".wav") and not name.startswith(".") for name in made), made
    want = tempitch.output_length(3 * 44100, 1.25)
    for name in made:
        assert soundfile.info(str(tmp_path / "out" / name)).frames == want


def test_process_file_raises_file_error(inputs, tmp_path):
    with pytest.raises(tempitch.FileError) as e:
        tempitch.process_file(tmp_path / "nope.wav", tmp_path / "x.wav")
    assert str(e.value) == f"{tmp_path / 'nope.wav'}: No such file or directory"
    assert e.value.result["status"] == "failed" and e.value.path == str(tmp_path / "nope.wav")
    out = tmp_path / "a.wav"
    tempitch.process_file(inputs[0], out, 2)
    before = out.read_bytes()
    with pytest.raises(tempitch.FileError, match=r"a.wav: exists \(use --force to overwrite\)") as e:
        tempitch.process_file(inputs[0], out, 5)
    assert e.value.result["status"] == "skipped" and out.read_bytes() == before
    assert tempitch.process_file(inputs[0], out, 5, force=True)["status"] == "ok"
    assert out.read_bytes() != before


def test_paths_of_every_kind(inputs, tmp_path):
    r = tempitch.process_files([(str(inputs[0]), os.fsencode(tmp_path / "b.wav")),
                                (pathlib.PurePath(inputs[1]), tmp_path / "c.wav")], jobs=1)
    assert [x["status"] for x in r] == ["ok", "ok"]
    assert tempitch.process_files([]) == []
    assert tempitch.process_files(iter([(inputs[0], tmp_path / "d.wav")]))[0]["status"] == "ok"


def test_batch_errors(inputs, tmp_path):
    same = tmp_path / "same.wav"
    with pytest.raises(ValueError, match=r"^.*a.wav \(pair 1\) and .*b.wav \(pair 2\) would "
                       r"both be written to .*same.wav$"):
        tempitch.process_files([(inputs[0], same), (inputs[1], same)])
    assert not same.exists()
    with pytest.raises(ValueError, match=r"^pair 2: '-' \(a standard stream to the command\)"):
        tempitch.process_files([(inputs[0], tmp_path / "x.wav"), ("-", tmp_path / "y.wav")])
    with pytest.raises(ValueError, match="^pair 1: empty file name$"):
        tempitch.process_files([("", tmp_path / "y.wav")])
    with pytest.raises(ValueError, match=r"pair 1 has 3 items, not 2"):
        tempitch.process_files([(inputs[0], tmp_path / "y.wav", "z")])
    with pytest.raises(TypeError):
        tempitch.process_files([(inputs[0], 3)])
    for jobs in (-1, 1025):
        with pytest.raises(ValueError, match=r"jobs must be 1..1024"):
            tempitch.process_files([(inputs[0], tmp_path / "y.wav")], jobs=jobs)
    with pytest.raises(ValueError, match=r"tempo out of range .*: tempo=50.0"):
        tempitch.process_files([(inputs[0], tmp_path / "y.wav")], tempo=50)
    assert not (tmp_path / "x.wav").exists() and not (tmp_path / "y.wav").exists()


def test_float_file_equals_stretch(tmp_path, gen_signal):
    sf = pytest.importorskip("soundfile")
    src, out = tmp_path / "f.wav", tmp_path / "g.wav"
    subprocess.run([gen_signal, "-d", "1.2", "-c", "2", "-s", "float", str(src)], check=True)
    tempitch.process_file(src, out, 3, 1.25)
    x, rate = sf.read(src, dtype="float32")
    y, _ = sf.read(out, dtype="float32")
    assert np.array_equal(y, tempitch.stretch(x, rate, 3, 1.25))


def test_readme_example(tmp_path, gen_signal, monkeypatch):
    soundfile = pytest.importorskip("soundfile")
    subprocess.run([gen_signal, "-d", "1", "-c", "2", str(tmp_path / "song.wav")], check=True)
    monkeypatch.chdir(tmp_path)
    # The README's three lines:
    x, rate = soundfile.read("song.wav", dtype="float32")
    y = tempitch.stretch(x, rate, semitones=3, tempo=1.25)
    soundfile.write("song-up.wav", y, rate)
    assert soundfile.info("song-up.wav").frames == tempitch.output_length(44100, 1.25)


def test_docstrings():
    import inspect
    for words in ("pairs", "jobs", "force", "--report", "ValueError", "GIL"):
        assert words in tempitch.process_files.__doc__
    assert "FileError" in tempitch.process_file.__doc__
    assert str(inspect.signature(tempitch.process_file)) == (
        "(inp, out, semitones=0.0, tempo=1.0, *, ratio=None, formant=False, "
        "formant_semitones=0.0, quality='balanced', force=False)")
