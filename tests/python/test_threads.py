"""Threads: the three behaviours the seed's reviewer asked for (single-
thread determinism, a thread pool's outputs equal the serial reference, a
repeated parallel batch gives identical results), many workers at once,
and the GIL released while the engine runs."""

import concurrent.futures
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import tempitch
from conftest import RATE, noise

# Varied jobs: channels, dtypes, layouts, settings, rates.
JOBS = [
    (noise(6000, 2, seed=1), RATE, dict(semitones=3, tempo=1.25)),
    (noise(5000, 1, seed=2, dtype=np.float64), RATE, dict(semitones=-4, tempo=0.9)),
    (noise(7000, 0, seed=3), 48000, dict(ratio=1.3, quality="fast")),
    (np.ascontiguousarray(noise(4000, 3, seed=4).T), RATE,
     dict(semitones=2, tempo=1.1, channels_first=True)),
    (noise(4500, 2, seed=5), 22050, dict(semitones=5, formant=True, quality="fine")),
    (noise(3000, 2, seed=6, dtype=np.float64), RATE, dict(tempo=0.5)),
    (noise(6500, 0, seed=7), RATE, dict(semitones=-12, formant_semitones=2)),
    (noise(5500, 4, seed=8), 32000, dict(semitones=1, tempo=2.0)),
]


def run(job):
    x, rate, kw = job
    return tempitch.stretch(x, rate, **kw)


def test_single_thread_determinism():
    first = [run(j) for j in JOBS]
    for _ in range(2):
        assert all(np.array_equal(a, run(j)) for a, j in zip(first, JOBS))


def test_pool_equals_serial_and_repeats():
    serial = [run(j) for j in JOBS]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        batches = [list(pool.map(run, JOBS * 3)) for _ in range(3)]
    for batch in batches:
        for k, y in enumerate(batch):
            assert np.array_equal(y, serial[k % len(JOBS)]), k
    # Repeated parallel batches are identical to each other, bit for bit.
    assert all(np.array_equal(a, b) for a, b in zip(batches[0], batches[2]))


def test_pool_of_stretchers_equals_serial():
    """One Stretcher per thread and job kind, reused from call to call."""
    serial = [run(j) for j in JOBS]
    local = threading.local()

    def job(k):
        x, rate, kw = JOBS[k]
        cache = local.__dict__.setdefault("stretchers", {})
        if k not in cache:
            first = kw.get("channels_first", False)
            channels = 1 if x.ndim == 1 else x.shape[0 if first else 1]
            cache[k] = tempitch.Stretcher(rate, channels, **kw)
        return cache[k].run(x)

    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        for _ in range(2):
            out = list(pool.map(job, list(range(len(JOBS))) * 2))
            assert all(np.array_equal(y, serial[k % len(JOBS)]) for k, y in enumerate(out))


def heap_in_use():
    """Bytes malloc has handed out and not got back (glibc's mallinfo2, all
    arenas and mmapped blocks): steady to a fraction of a MB from round to
    round where the resident size wanders by several."""
    import ctypes

    class Mallinfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
            "fsmblks", "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL(None)
    if not hasattr(libc, "mallinfo2"):
        pytest.skip("no glibc mallinfo2 to measure the heap with")
    libc.mallinfo2.restype = Mallinfo2
    m = libc.mallinfo2()
    return m.uordblks + m.hblkhd


@pytest.mark.stress
def test_40_workers_1000_stretches_no_crash_no_leak():
    """STRESS: 40 threads x 1000 short stretches (0.05-0.1 s clips), three
    rounds on the same threads.  Every output equals its serial reference;
    from the second round on the heap must not grow (keeping the outputs
    alone would be ~20 MB a round); when the threads end, their engines go
    with them (~0.7 MB each, a few per thread); and no reference to an
    input is left behind."""
    # Six jobs of four formats (channels x rate): as many engines as a
    # thread keeps, so that after the first round none is made again and
    # the heap holds still.
    jobs = [(x[:2205] if x.ndim == 1 or not kw.get("channels_first") else x[:, :2205], rate, kw)
            for x, rate, kw in (JOBS[i] for i in (0, 1, 2, 3, 5, 6))]
    serial = [run(j) for j in jobs]
    refs = [sys.getrefcount(x) for x, _, _ in jobs]

    def check(k):
        return np.array_equal(run(jobs[k % len(jobs)]), serial[k % len(jobs)])

    before, heap = heap_in_use(), []
    with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
        for _ in range(3):
            assert all(pool.map(check, range(1000)))
            heap.append(heap_in_use())
        engines = heap[-1] - before
    grew = (heap[2] - heap[1]) / 2**20
    assert grew < 6, f"the heap grew {grew:.1f} MB in a round"
    # A thread's engines are freed just after Python's join returns (its
    # key's destructor runs as the thread exits): wait for that, briefly.
    deadline = time.monotonic() + 5
    while heap_in_use() - before > engines / 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    left = (heap_in_use() - before) / 2**20
    assert engines > 20 * 2**20 and left < engines / 4 / 2**20, \
        f"{left:.1f} of {engines / 2**20:.1f} MB left after the threads ended"
    assert [sys.getrefcount(x) for x, _, _ in jobs] == refs


def iterations_during(call):
    """How many times this thread ran a loop of Python code while another
    thread was inside call(): with the GIL held through the call it could
    not run at all until the call returned."""
    window = {}

    def worker():
        window["start"] = time.perf_counter()
        call()
        window["end"] = time.perf_counter()

    ticks = []
    t = threading.Thread(target=worker)
    t.start()
    while t.is_alive():
        ticks.append(time.perf_counter())
    t.join()
    return sum(window["start"] < v < window["end"] for v in ticks)


def test_gil_is_released_during_stretch():
    x = noise(20 * RATE, 1)[:, 0]
    n = iterations_during(lambda: tempitch.stretch(x, RATE, 3, 1.25))
    assert n > 1000, f"{n} iterations ran during the call"


def test_gil_is_released_during_process_files(tmp_path, gen_signal):
    src = tmp_path / "long.wav"
    subprocess.run([gen_signal, "-d", "20", "-c", "1", str(src)], check=True)
    n = iterations_during(lambda: tempitch.process_files(
        [(src, tmp_path / "out.wav")], jobs=1, semitones=2))
    assert n > 1000, f"{n} iterations ran during the call"
