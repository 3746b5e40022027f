"""python3 -m tempitch.bench: `tempitch --bench` from Python.

The seed's experiment: 8 independent stretches of 4 s of stereo white
noise at 44.1 kHz, +3 semitones, tempo 1.25, run serially (one Stretcher,
one job after another) and on a concurrent.futures.ThreadPoolExecutor
(one Stretcher per thread), 5 repetitions each, alternating; the table
is the command's (medians, speedup, parallel efficiency), then whether
every parallel output equals its serial one bit for bit.  Exit status 0
when they all do, 1 otherwise.

As in the command, everything that is not the work happens before the
clock starts: the noise is made, every thread gets its Stretcher in an
untimed warm-up run (which also faults in the pages), and the timed runs
only call Stretcher.run().

Two more measurements, for scripts/bench-python:
  --overhead       the module's per-call cost over the C engine alone on
                   the reference job (stretch(), Stretcher.run(), float64
                   input), alternating run by run in one process
  --files TEMPITCH process_files(jobs=1) against `TEMPITCH -j 1` on the
                   same WAV files, alternating, outputs compared byte for
                   byte
"""

import argparse
import concurrent.futures
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave

import numpy as np

import tempitch
from tempitch import _tempitch

TITLE = "python3 -m tempitch.bench"


def noise(jobs, frames, channels):
    """White noise in [-0.5, 0.5), one fixed seed per job."""
    return [
        np.random.default_rng(j + 1).random((frames, channels), dtype=np.float32)
        - np.float32(0.5)
        for j in range(jobs)
    ]


def options(argv):
    p = argparse.ArgumentParser(
        prog=TITLE, description="tempitch --bench with a Python thread pool"
    )
    p.add_argument("--bench-jobs", type=int, default=8, metavar="N")
    p.add_argument("--seconds", type=float, default=4.0, metavar="S")
    p.add_argument("--channels", type=int, default=2, metavar="C")
    p.add_argument("--rate", type=int, default=44100, metavar="HZ")
    p.add_argument("-p", "--pitch", type=float, default=3.0, metavar="ST")
    p.add_argument("-T", "--tempo", type=float, default=1.25, metavar="SPEED")
    p.add_argument("--quality", default="balanced",
                   choices=["fast", "balanced", "fine"])
    p.add_argument("-j", "--threads", type=int, default=os.cpu_count() or 1,
                   metavar="N")
    p.add_argument("--reps", type=int, default=5, metavar="N")
    p.add_argument("--json", action="store_true",
                   help="the JSON object of tempitch --bench --json")
    p.add_argument("--overhead", action="store_true",
                   help="per-call overhead over the C engine instead")
    p.add_argument("--files", metavar="TEMPITCH",
                   help="process_files(jobs=1) against TEMPITCH -j 1 instead")
    p.add_argument("--runs", type=int, default=15, metavar="N",
                   help="runs of each for --overhead (rounds for --files: "
                        "at most 9)")
    p.add_argument("--dir", metavar="DIR",
                   help="where --files makes its files (default: a temporary "
                        "directory in $TMPDIR or /tmp)")
    a = p.parse_args(argv)
    if min(a.bench_jobs, a.threads, a.reps, a.runs) < 1:
        p.error("--bench-jobs, --threads, --reps and --runs must be >= 1")
    return a


def speedup(a):
    """The seed's experiment; returns the exit status."""
    frames = round(a.seconds * a.rate)
    inputs = noise(a.bench_jobs, frames, a.channels)

    def stretcher():
        return tempitch.Stretcher(a.rate, a.channels, a.pitch, a.tempo,
                                  quality=a.quality)

    serial = stretcher()
    local = threading.local()
    ready = threading.Barrier(a.threads)

    def job(x):
        return local.stretcher.run(x)

    def warm_up(x):
        # Every thread takes exactly one of these: none is left to make
        # its Stretcher inside a timed run.
        local.stretcher = stretcher()
        ready.wait()
        return job(x)

    times = {"serial": [], "parallel": []}
    differ = [False] * a.bench_jobs
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.threads) as pool:
        reference = [serial.run(x) for x in inputs]
        list(pool.map(warm_up, [inputs[j % a.bench_jobs]
                                for j in range(a.threads)]))
        for _ in range(a.reps):
            t0 = time.perf_counter()
            reference = [serial.run(x) for x in inputs]
            t1 = time.perf_counter()
            outputs = list(pool.map(job, inputs))
            t2 = time.perf_counter()
            times["serial"].append(t1 - t0)
            times["parallel"].append(t2 - t1)
            for j, (r, o) in enumerate(zip(reference, outputs)):
                differ[j] |= not np.array_equal(r, o)

    print(_tempitch._bench_report(
        TITLE, a.bench_jobs, a.seconds, a.channels, a.rate, a.threads,
        a.bench_jobs * frames / a.rate, times["serial"], times["parallel"],
        differ, a.pitch, a.tempo, a.quality, a.json), end="")
    return 1 if any(differ) else 0


def overhead(a):
    """Per-call cost of the module over the engine alone (tp_stretch_run on
    the same thread's engine, buffers ready), alternating run by run."""
    frames = round(a.seconds * a.rate)
    (x,) = noise(1, frames, a.channels)
    x64 = x.astype(np.float64)
    s = tempitch.Stretcher(a.rate, a.channels, a.pitch, a.tempo)
    calls = {
        "tempitch.stretch(), float32": lambda: tempitch.stretch(
            x, a.rate, a.pitch, a.tempo),
        "Stretcher.run(), float32": lambda: s.run(x),
        "tempitch.stretch(), float64": lambda: tempitch.stretch(
            x64, a.rate, a.pitch, a.tempo),
    }
    engine, seconds = [], {name: [] for name in calls}
    for name, call in calls.items():  # warm-up: engines, plans, pages
        call()
    _tempitch._engine_seconds(x, a.rate, a.pitch, a.tempo, 1)
    for _ in range(a.runs):
        engine += _tempitch._engine_seconds(x, a.rate, a.pitch, a.tempo, 1)
        for name, call in calls.items():
            t0 = time.perf_counter()
            call()
            seconds[name].append(time.perf_counter() - t0)
    base = statistics.median(engine)
    print(f"{TITLE} --overhead: {a.seconds:g} s x {a.channels} channels "
          f"@ {a.rate} Hz, {a.pitch:+g} st, tempo {a.tempo:g}, "
          f"{a.runs} runs each, alternating")
    print(f"{'call':<30}{'median ms':>10}{'overhead':>10}"
          f"{'paired median':>15}")
    print(f"{'engine alone (C)':<30}{1e3 * base:>10.2f}")
    for name, t in seconds.items():
        paired = statistics.median(p / e - 1 for p, e in zip(t, engine))
        m = statistics.median(t)
        print(f"{name:<30}{1e3 * m:>10.2f}{100 * (m / base - 1):>9.1f}%"
              f"{100 * paired:>14.1f}%")
    return 0


def write_wav(path, x, rate):
    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(x.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def files(a):
    """process_files(jobs=1) against the command's -j 1, same files."""
    rounds = min(a.runs, 9)
    frames = round(a.seconds * a.rate)
    with tempfile.TemporaryDirectory(prefix="tempitch-bench-", dir=a.dir) as tmp:
        names = [f"{j:02d}.wav" for j in range(a.bench_jobs)]
        for name, x in zip(names, noise(a.bench_jobs, frames, a.channels)):
            write_wav(os.path.join(tmp, name), x, a.rate)
        inputs = [os.path.join(tmp, n) for n in names]
        for d in ("cmd", "py"):
            os.mkdir(os.path.join(tmp, d))
        pairs = [(i, os.path.join(tmp, "py", n)) for i, n in zip(inputs, names)]
        command = [a.files, "-j", "1", "-q", "--force", "-p", str(a.pitch),
                   "-T", str(a.tempo)] + inputs + ["-o", os.path.join(tmp, "cmd")]
        t_cmd, t_py = [], []
        for _ in range(rounds + 1):  # the first round warms caches, untimed
            t0 = time.perf_counter()
            subprocess.run(command, check=True)
            t1 = time.perf_counter()
            results = tempitch.process_files(pairs, jobs=1, semitones=a.pitch,
                                             tempo=a.tempo, force=True)
            t2 = time.perf_counter()
            t_cmd.append(t1 - t0)
            t_py.append(t2 - t1)
        bad = [r["input"] for r in results if r["status"] != "ok"]
        same = all(open(os.path.join(tmp, "cmd", n), "rb").read()
                   == open(os.path.join(tmp, "py", n), "rb").read()
                   for n in names)
    c, p = statistics.median(t_cmd[1:]), statistics.median(t_py[1:])
    paired = statistics.median(y / x - 1 for x, y in zip(t_cmd[1:], t_py[1:]))
    print(f"{TITLE} --files: {a.bench_jobs} WAV files of {a.seconds:g} s x "
          f"{a.channels} channels @ {a.rate} Hz, {a.pitch:+g} st, tempo "
          f"{a.tempo:g}, {rounds} rounds, alternating")
    print(f"tempitch -j 1 (whole process)     median {c:.3f} s")
    print(f"process_files(jobs=1) (the call)  median {p:.3f} s   "
          f"{100 * (p / c - 1):+.1f} % (paired median {100 * paired:+.1f} %)")
    print("outputs: " + ("byte-identical to the command's" if same and not bad
                         else "DIFFER from the command's"))
    return 0 if same and not bad else 1


def main(argv=None):
    a = options(sys.argv[1:] if argv is None else argv)
    if a.overhead:
        return overhead(a)
    if a.files:
        return files(a)
    return speedup(a)


if __name__ == "__main__":
    sys.exit(main())
