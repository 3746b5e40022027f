"""tempitch.stretch(): exact lengths, pitch on sines, dtypes, layouts,
errors."""

import numpy as np
import pytest

import tempitch
from conftest import RATE, cents, frequency, noise, sine


@pytest.mark.parametrize("frames", [0, 1, 2, 7, 1000, 4411, 44100])
@pytest.mark.parametrize("tempo", [0.05, 0.8, 1.0, 1.25, 1.5, 3.0, 20.0])
def test_exact_length(frames, tempo):
    x = noise(frames, 1, dtype=np.float32)[:, 0]
    y = tempitch.stretch(x, RATE, 2.0, tempo)
    expected = int(np.floor(frames / tempo + 0.5))
    assert y.shape == (expected,)
    assert tempitch.output_length(frames, tempo) == expected


def test_length_halves_round_up():
    # 3 / 2 = 1.5 -> 2, 5 / 2 = 2.5 -> 3: halves up, not to even.
    for frames, expected in [(3, 2), (5, 3), (1, 1)]:
        assert tempitch.stretch(np.zeros(frames, np.float32), RATE, 0, 2.0).shape == (expected,)


@pytest.mark.parametrize(
    "freq, shift, tempo",
    [(440.0, 3.0, 1.25), (440.0, -7.0, 0.8), (1000.0, 12.0, 1.0),
     (300.0, 0.5, 1.5), (2000.0, -12.0, 1.0), (523.25, 4.0, 2.0)],
)
def test_pitch_within_one_cent(freq, shift, tempo):
    x = sine(freq, 1.0).astype(np.float32)
    y = tempitch.stretch(x, RATE, shift, tempo)
    error = cents(frequency(y), freq * 2 ** (shift / 12))
    assert abs(error) < 1.0, f"{error:.4f} cents"


def test_ratio_pitch_within_one_cent():
    x = sine(400.0, 1.0)
    y = tempitch.stretch(x, RATE, tempo=0.9, ratio=1.5)
    assert abs(cents(frequency(y), 600.0)) < 1.0


def test_sample_rate_is_used():
    # The same shift at 48 kHz: a wrong rate would move the frame size, not
    # the ratio, so the pitch must still be right and the length exact.
    x = sine(440.0, 1.0, rate=48000)
    y = tempitch.stretch(x, 48000, 3.0, 1.25)
    assert y.shape == (tempitch.output_length(48000, 1.25),)
    assert abs(cents(frequency(y, 48000), 440.0 * 2 ** 0.25)) < 1.0


def test_ratio_two_is_twelve_semitones():
    x = noise(8000, 2)
    assert np.array_equal(tempitch.stretch(x, RATE, ratio=2.0),
                          tempitch.stretch(x, RATE, 12.0))


def test_identity_is_bit_exact():
    x = noise(5000, 2)
    y = tempitch.stretch(x, RATE)
    assert y is not x and np.array_equal(x, y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_kept(dtype):
    x = noise(6000, 2, dtype=dtype)
    y = tempitch.stretch(x, RATE, 3, 1.25)
    assert y.dtype == dtype
    assert y.shape == (4800, 2)


def test_float64_is_float32_engine():
    # float64 goes through the float32 engine: the same samples, widened.
    x32 = noise(6000, 2)
    y32 = tempitch.stretch(x32, RATE, 3, 1.25)
    y64 = tempitch.stretch(x32.astype(np.float64), RATE, 3, 1.25)
    assert np.array_equal(y64, y32.astype(np.float64))


def test_layouts_agree():
    x = noise(9000, 3)
    ref = tempitch.stretch(x, RATE, -2, 0.9)
    assert ref.shape == (10000, 3) and ref.flags.c_contiguous
    # (channels, frames), C order, as librosa and python-stretch use.
    cf = tempitch.stretch(np.ascontiguousarray(x.T), RATE, -2, 0.9, channels_first=True)
    assert cf.shape == (3, 10000) and np.array_equal(cf, ref.T)
    # A transposed view (Fortran order) of the same data.
    assert np.array_equal(tempitch.stretch(x.T, RATE, -2, 0.9, channels_first=True).T, ref)
    assert np.array_equal(tempitch.stretch(np.asfortranarray(x), RATE, -2, 0.9), ref)
    # Strides with steps and reversed axes.
    wide = np.zeros((9000, 7), np.float32)
    wide[:, ::2][:, :3] = x
    assert np.array_equal(tempitch.stretch(wide[:, ::2][:, :3], RATE, -2, 0.9), ref)
    rev = x[::-1, ::-1]
    assert np.array_equal(tempitch.stretch(rev, RATE, -2, 0.9),
                          tempitch.stretch(np.ascontiguousarray(rev), RATE, -2, 0.9))
    # Byte-swapped input reads as the same numbers.
    assert np.array_equal(tempitch.stretch(x.astype(">f4"), RATE, -2, 0.9), ref)


def test_mono_forms_agree():
    x = noise(5000, 0)
    ref = tempitch.stretch(x, RATE, 5, 1.1)
    assert ref.ndim == 1
    col = tempitch.stretch(x[:, None], RATE, 5, 1.1)
    assert col.shape == (ref.shape[0], 1) and np.array_equal(col[:, 0], ref)
    row = tempitch.stretch(x[None, :], RATE, 5, 1.1, channels_first=True)
    assert row.shape == (1, ref.shape[0]) and np.array_equal(row[0], ref)
    assert np.array_equal(tempitch.stretch(x[::1].tolist(), RATE, 5, 1.1),
                          tempitch.stretch(x.astype(np.float64), RATE, 5, 1.1))


def test_channels_stay_coherent():
    x = noise(8000, 1)[:, 0]
    y = tempitch.stretch(np.stack([x, x, -x], axis=1), RATE, 3, 1.25)
    assert np.array_equal(y[:, 0], y[:, 1]) and np.array_equal(y[:, 2], -y[:, 0])


def test_quality_modes_and_formants_change_the_sound_not_the_length():
    x = sine(220.0, 0.5) + 0.1 * noise(22050, 0, dtype=np.float64)
    outs = {q: tempitch.stretch(x, RATE, 4, 1.2, quality=q) for q in ("fast", "balanced", "fine")}
    outs["formant"] = tempitch.stretch(x, RATE, 4, 1.2, formant=True)
    outs["formant_shift"] = tempitch.stretch(x, RATE, 4, 1.2, formant_semitones=-3)
    for y in outs.values():
        assert y.shape == (tempitch.output_length(22050, 1.2),)
    keys = list(outs)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            assert not np.array_equal(outs[a], outs[b]), (a, b)
    # Without a pitch shift, keeping the formants changes nothing.
    assert np.array_equal(tempitch.stretch(x, RATE, 0, 1.2, formant=True),
                          tempitch.stretch(x, RATE, 0, 1.2))


def test_not_float_is_a_type_error():
    for bad in (np.zeros(100, np.int16), np.zeros(100, np.complex64),
                np.zeros(100, bool), [1, 2, 3]):
        with pytest.raises(TypeError, match="float32 or float64"):
            tempitch.stretch(bad, RATE)


def test_layout_errors():
    with pytest.raises(ValueError, match=r"not 3-D \(shape \(2, 3, 4\)\)"):
        tempitch.stretch(np.zeros((2, 3, 4), np.float32), RATE)
    with pytest.raises(ValueError, match="1-D"):
        tempitch.stretch(np.float32(1.0), RATE)
    # A (channels, frames) array given as (frames, channels).
    with pytest.raises(ValueError, match=r"shape \(2, 44100\) read as \(frames, channels\) "
                       r"has 44100 channels, outside the engine's 1..256 .*channels_first=True"):
        tempitch.stretch(np.zeros((2, 44100), np.float32), RATE)
    with pytest.raises(ValueError, match=r"read as \(channels, frames\) has 44100 channels"):
        tempitch.stretch(np.zeros((44100, 2), np.float32), RATE, channels_first=True)
    with pytest.raises(ValueError, match="has 0 channels"):
        tempitch.stretch(np.zeros((100, 0), np.float32), RATE)
    # Both readings possible: refused rather than guessed.
    with pytest.raises(ValueError, match=r"would be 2 frames of 200 channels, which is ambiguous"):
        tempitch.stretch(np.zeros((2, 200), np.float32), RATE)
    # 256 channels is the engine's limit and fine with enough frames.
    assert tempitch.stretch(np.zeros((300, 256), np.float32), RATE).shape == (300, 256)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, 2e12])
def test_not_audio_is_a_value_error(value):
    x = noise(3000, 2, dtype=np.float64)
    x[1234, 1] = value
    x[2000, 0] = value
    with pytest.raises(ValueError, match=r"2 samples are NaN, infinite or beyond .*first at "
                       r"frame 1234, channel 1"):
        tempitch.stretch(x, RATE, 3, 1.25)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(tempo=0.0), r"tempo out of range \(speed factor 0.05..20\): tempo=0.0"),
        (dict(tempo=21.0), r"tempo out of range .*: tempo=21.0"),
        (dict(tempo=float("nan")), r"tempo out of range .*: tempo=nan"),
        (dict(semitones=48.5), r"pitch out of range \(-48..\+48 semitones.*: semitones=48.5"),
        (dict(ratio=0.0), r"pitch out of range .*: ratio=0.0"),
        (dict(ratio=17.0), r"pitch out of range .*: ratio=17.0"),
        (dict(formant_semitones=-25.0), r"formant shift out of range .*: formant_semitones=-25.0"),
        (dict(quality="best"), r"unknown quality mode 'best' \(expected 'fast', 'balanced' or 'fine'\)"),
        (dict(semitones=2.0, ratio=1.5), "semitones or as a ratio, not both"),
    ],
)
def test_setting_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tempitch.stretch(noise(1000, 1), RATE, **kwargs)


def test_rate_errors():
    for rate in (7999.0, 384001.0, float("nan")):
        with pytest.raises(ValueError, match=r"sample rate out of range \(8000..384000 Hz\): sample_rate="):
            tempitch.stretch(noise(1000, 1), rate)


def test_output_length_errors():
    with pytest.raises(ValueError, match="tempo out of range"):
        tempitch.output_length(100, 0.01)
    with pytest.raises(ValueError, match="negative"):
        tempitch.output_length(-1, 1.0)


def test_help_tells_everything():
    doc = tempitch.stretch.__doc__
    for words in ("round(n / tempo)", "channels_first", "float32 or float64",
                  "GIL", "ValueError", "TypeError", "SPEED factor", "'fine'"):
        assert words in doc
    import inspect
    params = inspect.signature(tempitch.stretch).parameters
    assert list(params) == ["audio", "sample_rate", "semitones", "tempo", "ratio",
                            "formant", "formant_semitones", "quality", "channels_first"]
    assert params["ratio"].kind is inspect.Parameter.KEYWORD_ONLY
    assert "Stretcher" in tempitch.__doc__ and "process_files" in tempitch.__doc__
    # The ranges it states are the engine's (as docs.sh holds the manual
    # to the command's options).
    t = tempitch
    for lo, hi in [(t.SEMITONES_MIN, t.SEMITONES_MAX), (t.TEMPO_MIN, t.TEMPO_MAX),
                   (t.RATE_MIN, t.RATE_MAX), (1, t.CHANNELS_MAX),
                   (t.FORMANT_SEMITONES_MIN, t.FORMANT_SEMITONES_MAX)]:
        assert f"{lo:g}..{hi:g}" in doc, (lo, hi)
