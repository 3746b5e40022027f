"""tempitch.Stretcher: streaming equals one-shot, the stream's life cycle,
settings as properties, one instance per thread."""

import threading

import numpy as np
import pytest

import tempitch
from conftest import RATE, noise


def chunked(s, x, sizes, axis=0):
    """Push x through s in chunks of the given sizes (cycled), then flush."""
    parts, i, k = [], 0, 0
    n = x.shape[axis]
    while i < n:
        m = sizes[k % len(sizes)]
        parts.append(s.process(x[i:i + m] if axis == 0 else x[:, i:i + m]))
        i, k = i + m, k + 1
    parts.append(s.flush())
    return np.concatenate(parts, axis=axis)


@pytest.mark.parametrize("sizes", [[1], [7, 1000, 3], [4096], [100000], [0, 5, 0, 9000]])
@pytest.mark.parametrize("settings", [dict(semitones=3, tempo=1.25),
                                      dict(semitones=-5, tempo=0.7, quality="fast"),
                                      dict(ratio=1.5, formant=True, quality="fine"),
                                      dict()])
def test_streaming_equals_one_shot(sizes, settings):
    x = noise(20000, 2, seed=3)
    one_shot = tempitch.stretch(x, RATE, **settings)
    s = tempitch.Stretcher(RATE, 2, **settings)
    y = chunked(s, x, sizes)
    assert np.array_equal(y, one_shot)
    assert s.frames_in == 20000 and s.frames_out == one_shot.shape[0]
    assert s.finished


def test_streaming_layouts_and_dtypes():
    x = noise(12000, 2, seed=4, dtype=np.float64)
    ref = tempitch.stretch(x, RATE, 2, 1.1)
    s = tempitch.Stretcher(RATE, 2, 2, 1.1, channels_first=True)
    y = chunked(s, np.ascontiguousarray(x.T), [333, 4000], axis=1)
    assert y.dtype == np.float64 and y.shape == ref.T.shape
    assert np.array_equal(y, ref.T)
    m = tempitch.Stretcher(RATE, 1, 2, 1.1)
    xm = x[:, 0].astype(np.float32)
    ym = chunked(m, xm, [1500])
    assert ym.ndim == 1 and np.array_equal(ym, tempitch.stretch(xm, RATE, 2, 1.1))


def test_run_equals_stretch_and_leaves_it_fresh():
    x = noise(9000, 2)
    s = tempitch.Stretcher(RATE, 2, 4, 0.9)
    s.process(x[:1000])  # a stream in progress is dropped by run()
    assert np.array_equal(s.run(x), tempitch.stretch(x, RATE, 4, 0.9))
    assert s.frames_in == 0 and not s.finished
    assert np.array_equal(chunked(s, x, [2000]), tempitch.stretch(x, RATE, 4, 0.9))


def test_reset_is_a_fresh_stream():
    x = noise(10000, 2)
    s = tempitch.Stretcher(RATE, 2, -3, 1.3)
    first = chunked(s, x, [777])
    with pytest.raises(RuntimeError, match="the stream has ended"):
        s.process(x[:10])
    s.reset()
    s.process(x[:5000])
    s.reset()  # mid-stream
    assert np.array_equal(chunked(s, x, [1234]), first)


def test_settings_are_properties():
    s = tempitch.Stretcher(48000, 2, 3, 1.25)
    assert (s.sample_rate, s.channels, s.semitones, s.tempo) == (48000.0, 2, 3.0, 1.25)
    assert s.pitch_ratio == pytest.approx(2 ** 0.25)
    assert (s.formant, s.formant_semitones, s.quality, s.channels_first) == (False, 0.0, "balanced", False)
    s.semitones, s.tempo, s.quality = -2.0, 0.8, "fine"
    s.formant_semitones = 2.0
    assert s.formant  # implied by the shift
    x = noise(8000, 2)
    assert np.array_equal(s.run(x), tempitch.stretch(x, 48000, -2, 0.8, quality="fine", formant_semitones=2.0))
    s.pitch_ratio = 1.5
    assert s.semitones == pytest.approx(12 * np.log2(1.5))
    assert np.array_equal(s.run(x), tempitch.stretch(x, 48000, tempo=0.8, ratio=1.5, quality="fine",
                                                     formant_semitones=2.0))
    assert "semitones=7.01955" in repr(s) and "quality='fine'" in repr(s)


def test_property_errors_keep_the_settings():
    s = tempitch.Stretcher(RATE, 1, 3, 1.25)
    with pytest.raises(ValueError, match=r"tempo out of range .*: tempo=30.0"):
        s.tempo = 30
    with pytest.raises(ValueError, match="unknown quality mode 'slow'"):
        s.quality = "slow"
    with pytest.raises(ValueError, match=r"semitones=-49.0"):
        s.semitones = -49
    s.formant_semitones = 1.0
    with pytest.raises(ValueError, match="implies formant=True"):
        s.formant = False
    assert s.formant
    with pytest.raises(AttributeError):
        s.channels = 2
    with pytest.raises(AttributeError):
        del s.tempo
    with pytest.raises(TypeError):
        s.tempo = "fast"
    assert (s.tempo, s.semitones, s.quality) == (1.25, 3.0, "balanced")


def test_settings_cannot_change_during_a_stream():
    s = tempitch.Stretcher(RATE, 1, 3, 1.25)
    s.process(noise(5000, 0))
    with pytest.raises(RuntimeError, match="cannot change during a stream: reset"):
        s.tempo = 1.5
    assert s.tempo == 1.25
    s.reset()
    s.tempo = 1.5
    assert s.tempo == 1.5


def test_constructor_and_chunk_errors():
    with pytest.raises(ValueError, match=r"channel count out of range \(1..256\): channels=257"):
        tempitch.Stretcher(RATE, 257)
    with pytest.raises(ValueError, match=r"sample rate out of range .*: sample_rate=1000.0"):
        tempitch.Stretcher(1000, 1)
    with pytest.raises(ValueError, match="tempo out of range"):
        tempitch.Stretcher(RATE, 1, tempo=0)
    s = tempitch.Stretcher(RATE, 2)
    with pytest.raises(ValueError, match=r"chunk of shape \(2, 100\) read as \(frames, channels\) "
                       r"has 100 channels, the Stretcher 2"):
        s.process(np.zeros((2, 100), np.float32))
    with pytest.raises(ValueError, match="a 1-D chunk is mono; the Stretcher has 2 channels"):
        s.process(np.zeros(100, np.float32))
    with pytest.raises(TypeError, match="float32 or float64"):
        s.process(np.zeros((10, 2), np.int32))
    bad = noise(100, 2)
    bad[5, 0] = np.nan
    with pytest.raises(ValueError, match="1 sample is NaN"):
        s.process(bad)
    # Nothing of a refused chunk went in: the stream is as if it never came.
    x = noise(3000, 2)
    assert np.array_equal(chunked(s, x, [1000]), tempitch.stretch(x, RATE))


def test_two_threads_at_once_raise():
    """While one thread is inside process() (a long chunk, GIL released),
    a call from another thread raises instead of entering the engine."""
    small = np.zeros(10, np.float32)
    for seconds in (20, 60, 180):  # longer if the big call ended too soon
        s = tempitch.Stretcher(RATE, 1, 3, 1.25)
        big = noise(seconds * RATE, 0)
        result = {}
        worker = threading.Thread(target=lambda: result.update(y=s.process(big)))
        worker.start()
        while not s.busy and worker.is_alive():
            pass
        refused = []
        if s.busy:
            for call in (lambda: s.process(small), s.flush, s.reset,
                         lambda: s.run(small), lambda: setattr(s, "tempo", 1.0)):
                try:
                    call()
                except RuntimeError as e:
                    refused.append(str(e))
        worker.join()
        if len(refused) == 5:
            break
    else:
        pytest.fail("no call was ever made while the other thread was inside")
    assert all("in use by another thread" in e for e in refused)
    assert not s.busy and s.tempo == 1.25
    # The refused calls changed nothing: the stream goes on as one.
    y = np.concatenate([result["y"], s.process(small), s.flush()])
    assert np.array_equal(y, tempitch.stretch(np.concatenate([big, small]), RATE, 3, 1.25))


def test_docstrings():
    doc = tempitch.Stretcher.__doc__
    for words in ("process(chunk)", "flush()", "reset()", "one instance serves one thread",
                  "RuntimeError", "latency"):
        assert words in doc
    assert "bit-identical" in tempitch.Stretcher.flush.__doc__
