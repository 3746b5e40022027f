"""python3 -m tempitch.bench prints the table of tempitch --bench, and its
measuring modes run (their numbers are not checked: no timed tests)."""

import json
import re
import subprocess
import sys

SHORT = ["--seconds", "0.2", "--reps", "2", "-j", "2"]


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_table_is_the_commands(tempitch_exe):
    py = run(sys.executable, "-m", "tempitch.bench", *SHORT).splitlines()
    cmd = run(tempitch_exe, "--bench", "-q", *SHORT).splitlines()
    assert len(py) == len(cmd) == 5
    assert py[0].split(": ", 1) == ["python3 -m tempitch.bench", cmd[0].split(": ", 1)[1]]
    assert py[1] == cmd[1]
    row = r"^{} +{} +\d+\.\d{{3}} +\d+\.\d +\d+(\.\d)? +\d+\.\d\dx +\d+%$"
    for line, mode, threads in zip(py[2:4], ("serial", "parallel"), (1, 2)):
        assert re.match(row.format(mode, threads), line), line
    assert py[4] == cmd[4] == "outputs: all 8 parallel outputs bit-identical to serial"


def test_json_is_the_commands(tempitch_exe):
    py = json.loads(run(sys.executable, "-m", "tempitch.bench", "--json", *SHORT))
    cmd = json.loads(run(tempitch_exe, "--bench", "-q", "--json", *SHORT))

    def shape(v):
        return {k: shape(x) for k, x in v.items()} if isinstance(v, dict) else type(v).__name__

    assert shape(py) == shape(cmd)
    assert py["settings"] == cmd["settings"]
    assert py["identical"] is True and py["differing_jobs"] == []
    assert len(py["serial"]["times_s"]) == 2


def test_overhead_mode():
    out = run(sys.executable, "-m", "tempitch.bench", "--overhead", "--seconds", "0.1",
              "--runs", "2")
    assert "engine alone (C)" in out and "tempitch.stretch(), float32" in out
    assert re.search(r"Stretcher.run\(\), float32 +\d+\.\d\d +-?\d+\.\d%", out)


def test_files_mode(tempitch_exe):
    out = run(sys.executable, "-m", "tempitch.bench", "--files", tempitch_exe,
              "--bench-jobs", "2", "--seconds", "0.2", "--runs", "1")
    assert "outputs: byte-identical to the command's" in out


def test_bad_options():
    r = subprocess.run([sys.executable, "-m", "tempitch.bench", "--reps", "0"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "must be >= 1" in r.stderr
