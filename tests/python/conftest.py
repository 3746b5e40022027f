"""Shared helpers of the Python module's tests (tests/python/meson.build runs
them with the build tree's package first on PYTHONPATH)."""

import os

import numpy as np
import pytest

import tempitch

RATE = 44100


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "stress: many threads and calls; a few seconds (release)"
    )


def pytest_report_header(config):
    return f"tempitch {tempitch.__version__} from {os.path.dirname(tempitch.__file__)}"


def noise(frames, channels=2, seed=1, dtype=np.float32):
    """White noise in [-0.5, 0.5), (frames, channels) or 1-D for channels 0."""
    rng = np.random.default_rng(seed)
    shape = (frames,) if channels == 0 else (frames, channels)
    return (rng.random(shape) - 0.5).astype(dtype)


def sine(freq, seconds, rate=RATE, amplitude=0.5):
    t = np.arange(round(seconds * rate)) / rate
    return amplitude * np.sin(2 * np.pi * freq * t)


def frequency(y, rate=RATE):
    """Frequency of a clean sine from its rising zero crossings (linearly
    interpolated) over the middle 80 %: far below 0.01 cent of error."""
    y = np.asarray(y, dtype=np.float64)
    y = y[len(y) // 10 : len(y) - len(y) // 10]
    i = np.nonzero((y[:-1] < 0) & (y[1:] >= 0))[0]
    t = i + y[i] / (y[i] - y[i + 1])
    return rate * (len(t) - 1) / (t[-1] - t[0])


def cents(measured, expected):
    return 1200 * np.log2(measured / expected)


def program(variable):
    """The path meson test gives in the environment, or a skip."""
    path = os.environ.get(variable)
    if not path:
        pytest.skip(f"{variable} not set (meson test sets it)")
    return path


@pytest.fixture
def tempitch_exe():
    return program("TEMPITCH_EXE")


@pytest.fixture
def gen_signal():
    return program("GEN_SIGNAL")
