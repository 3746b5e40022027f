/* PLACEHOLDER: runs jobs serially in the calling thread, until the real
 * pool lands. */
#include "tempitch/pool.h"
#include "tempitch/stretch.h"

#include <stdlib.h>
#include <unistd.h>

struct tp_pool { int threads; volatile int cancel; };

int tp_pool_create(tp_pool **out, int threads)
{
    if (!out) return TP_POOL_ERR_ARG;
    *out = NULL;
    if (threads < 1 || threads > 1024) return TP_POOL_ERR_ARG;
    tp_pool *p = calloc(1, sizeof *p);
    if (!p) return TP_ERR_NOMEM;
    p->threads = threads;
    *out = p;
    return 0;
}
void tp_pool_destroy(tp_pool *p) { free(p); }
int tp_pool_threads(const tp_pool *p) { return p ? p->threads : 0; }
int tp_pool_run(tp_pool *p, const tp_pool_run_args *a)
{
    if (!p || !a || !a->job) return TP_POOL_ERR_ARG;
    p->cancel = 0;
    int failed = 0;
    for (size_t i = 0; i < a->jobs && !p->cancel; i++) {
        int st = a->job(a->user, i, 0);
        failed += st != 0;
        if (a->tick) a->tick(a->user, i + 1, a->jobs);
        if (a->done) a->done(a->user, i, st);
    }
    return failed;
}
void tp_pool_cancel(tp_pool *p) { p->cancel = 1; }
int tp_pool_cancelled(const tp_pool *p) { return p->cancel; }
int tp_pool_cpu_count(void) { long n = sysconf(_SC_NPROCESSORS_ONLN); return n < 1 ? 1 : (int)n; }
