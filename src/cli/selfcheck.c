/*
 * selfcheck.c -- the test suite's read-back of every output reported ok;
 * see selfcheck.h.
 */
#include "selfcheck.h"
#include "convert.h"
#include "message.h"
#include "sfio.h"

#include <tempitch/stretch.h>

#include <math.h>
#include <stdlib.h>

static int enabled(void)
{
    static int on = -1;
    if (on < 0) {
        const char *s = getenv("TEMPITCH_TEST_SELFCHECK");
        on = s != NULL && *s != '\0' && *s != '0';
    }
    return on;
}

static _Noreturn void wrong(const struct job *j, const char *what, long long a,
                            long long b)
{
    message("tempitch: selfcheck: %s: %s (%lld, expected %lld)\n", j->output,
            what, a, b);
    abort();
}

void selfcheck_job(const struct cli_options *o, const struct job *j)
{
    const struct convert_result *r = &j->result;
    if (!enabled() || r->status != CONVERT_OK || convert_is_stdio(j->output))
        return;
    long long want =
        (long long)tp_output_length(r->frames_in, j->params.settings.tempo);
    double duration = settings_duration(&o->settings);
    if (duration > 0) {
        long long d = llround(duration * r->rate);
        if (d != want)
            wrong(j, "-D length differs from round(N / tempo)", want, d);
    }
    if ((long long)r->frames_out != want)
        wrong(j, "reported frames", (long long)r->frames_out, want);
    SF_INFO info = {0};
    char reason[256];
    SNDFILE *f = sfio_open_read(j->output, &info, reason, sizeof reason);
    if (f == NULL) {
        message("tempitch: selfcheck: %s: cannot read it back: %s\n",
                j->output, reason);
        abort();
    }
    enum { BLOCK = 4096 };
    float *buf = malloc(sizeof *buf * BLOCK * (size_t)info.channels);
    if (buf == NULL)
        abort();
    long long frames = 0, bad = 0;
    for (sf_count_t n; (n = sf_readf_float(f, buf, BLOCK)) > 0;) {
        for (sf_count_t i = 0; i < n * info.channels; i++)
            bad += !isfinite(buf[i]);
        frames += n;
    }
    free(buf);
    sf_close(f);
    if (frames != want)
        wrong(j, "frames read back", frames, want);
    if (info.frames != frames)
        wrong(j, "frames in the header", (long long)info.frames, frames);
    if (bad != 0)
        wrong(j, "samples not finite", bad, 0);
    if (info.channels != r->channels)
        wrong(j, "channels", info.channels, r->channels);
}
