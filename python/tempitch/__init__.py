"""tempitch: change the pitch and the tempo of audio independently, fast.

NumPy in, NumPy out, in the process: no temporary files, no
subprocesses, and the GIL released while the engine works, so a
concurrent.futures.ThreadPoolExecutor runs stretches in parallel.

    import soundfile, tempitch
    x, rate = soundfile.read("song.wav", dtype="float32")
    soundfile.write("song-up.wav", tempitch.stretch(x, rate, 3, 1.25), rate)

stretch(audio, sample_rate, semitones, tempo, ...)
    a whole clip; exactly round(n / tempo) frames back.
Stretcher(sample_rate, channels, semitones, tempo, ...)
    a stream in chunks (process, flush, reset), one instance per thread.
process_file(inp, out, ...), process_files(pairs, jobs=N, ...)
    files through the command's own I/O and worker pool; each result is
    the object `tempitch --report` writes.
output_length(frames, tempo)
    the exact output length.

Tempo is a SPEED factor (1.25 plays 25 % faster; the result lasts 0.8x),
the pitch is in semitones (or `ratio`, a frequency ratio).  Ranges:
TEMPO_MIN..TEMPO_MAX, SEMITONES_MIN..SEMITONES_MAX,
FORMANT_SEMITONES_MIN..MAX, RATE_MIN..RATE_MAX Hz, 1..CHANNELS_MAX
channels.  python3 -m tempitch.bench reproduces `tempitch --bench` with
a thread pool.  Tempo and pitch that change during a stream, and the
engine's latency, are not available yet (future work of the engine).
"""

import json as _json

from ._tempitch import (
    CHANNELS_MAX,
    FORMANT_SEMITONES_MAX,
    FORMANT_SEMITONES_MIN,
    RATE_MAX,
    RATE_MIN,
    SEMITONES_MAX,
    SEMITONES_MIN,
    TEMPO_MAX,
    TEMPO_MIN,
    Stretcher,
    __version__,
    _process_files,
    output_length,
    stretch,
)

__all__ = [
    "__version__",
    "CHANNELS_MAX",
    "FORMANT_SEMITONES_MAX",
    "FORMANT_SEMITONES_MIN",
    "FileError",
    "RATE_MAX",
    "RATE_MIN",
    "SEMITONES_MAX",
    "SEMITONES_MIN",
    "Stretcher",
    "TEMPO_MAX",
    "TEMPO_MIN",
    "output_length",
    "process_file",
    "process_files",
    "stretch",
]


class FileError(Exception):
    """A file that process_file() could not convert, or skipped.

    str(e) is the command's message, "PATH: reason"; e.path is the path it
    is about, e.reason the reason, e.result the file's result (the object
    --report writes; e.result["status"] is "failed" or "skipped").
    """

    def __init__(self, result):
        self.result = result
        self.path = result.get("about") or result.get("input")
        self.reason = result.get("error")
        super().__init__(f"{self.path}: {self.reason}")


def process_files(
    pairs,
    jobs=None,
    semitones=0.0,
    tempo=1.0,
    *,
    ratio=None,
    formant=False,
    formant_semitones=0.0,
    quality="balanced",
    force=False,
):
    """Convert files, `pairs` of (input, output) paths, on a worker pool.

    The command's own batch does the work, as `tempitch --manifest` with
    input and output columns would: libsndfile reads any input it knows;
    the output's format follows its extension (.wav, .flac, .ogg, .mp3,
    ...; unknown: the input's), with the input's rate, channels, metadata
    and where possible sample format; integer and lossy outputs go
    through the limiter; each output is written to a temporary file and
    renamed into place when complete, with the settings stamp; missing
    output directories are made.

    pairs: an iterable of (input, output), each a str, bytes or
      os.PathLike.  '-' is refused (write ./- for a file of that name).
    jobs: worker threads, 1..1024; None: one per CPU.  Files start
      longest first; each worker reuses its engine.
    semitones, tempo, ratio, formant, formant_semitones, quality: as for
      stretch().
    force: replace existing outputs (never an input); without it a file
      whose output exists is skipped.

    Returns one dict per pair, in pair order: the object `tempitch
    --report` writes for the file ("schema", "input", "output", "status"
    ("ok", "failed" or "skipped"), "error", "about", "settings" (with the
    "stamp"), "frames_in", "frames_out", "rate", "channels",
    "audio_seconds", "output_seconds", "seconds", "realtime", "clipped",
    "limited", "limiter_gain_db", "invalid_samples", "gain_db", "shard";
    the manual's JSON OUTPUT section describes them).  A file that fails
    does not stop the others: its "status" says so and "error" says why,
    in the command's words.

    Raises ValueError, with the command's message, for a batch the
    command would refuse before touching any file (two pairs writing one
    output, an output that is another pair's input, '-', an empty name),
    and for settings out of range.  The GIL is released while the batch
    runs.  Ctrl-C (KeyboardInterrupt) stops it within a quarter of a
    second of the files that are running: those finish, complete as
    always, no other file is started, and the exception is raised then.
    """
    lines = _process_files(
        pairs,
        0 if jobs is None else jobs,
        semitones,
        tempo,
        ratio=ratio,
        formant=formant,
        formant_semitones=formant_semitones,
        quality=quality,
        force=force,
    )
    return [_json.loads(line) for line in lines]


def process_file(inp, out, semitones=0.0, tempo=1.0, **settings):
    """Convert one file, `inp` into `out`; return its result.

    As process_files([(inp, out)], jobs=1, ...), with the same keyword
    arguments.  Returns the file's result (the object --report writes)
    when it is converted; raises FileError (its str the command's message,
    e.g. "a.wav: not an audio file (format not recognised)") when it
    failed or was skipped because `out` exists and force is not given.
    """
    (result,) = process_files([(inp, out)], 1, semitones, tempo, **settings)
    if result["status"] != "ok":
        raise FileError(result)
    return result


def _one_file_signature():
    """process_files' signature with (inp, out) for (pairs, jobs), so that
    help(process_file) shows every keyword without restating them."""
    import inspect

    given = inspect.signature(process_files).parameters
    inout = [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD)
             for n in ("inp", "out")]
    rest = [p for name, p in given.items() if name not in ("pairs", "jobs")]
    return inspect.Signature(inout + rest)


process_file.__signature__ = _one_file_signature()
