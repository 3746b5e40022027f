/*
 * outfile.h -- atomic output files.
 *
 * An output is written to a temporary file in the target's own directory
 * (".NAME.tmp.XXXXXX", so the final rename never crosses file systems) and
 * renamed into place only when complete.  On an error the temporary file is
 * removed; on SIGINT, SIGTERM, SIGHUP or any other signal from outside
 * that would end the process (SIGQUIT, SIGALRM, SIGUSR1, SIGUSR2,
 * SIGVTALRM, SIGPROF, SIGXCPU, SIGIO, SIGPWR, the real-time signals) a
 * handler removes every temporary file still open, so no partial output is
 * ever left behind.  A process killed outright (SIGKILL, a crash) may
 * leave temporary files, but never a partial file at a final name.  Without `sync` (outfile_commit) a
 * finished output survives the process but not necessarily a crash of the
 * machine: the data may still be in the page cache when it is renamed.
 *
 * Threads: outfile_open, outfile_commit and outfile_abort may be called
 * from several threads at once, each on its own struct outfile.
 */
#ifndef TEMPITCH_AUDIO_OUTFILE_H
#define TEMPITCH_AUDIO_OUTFILE_H

struct outfile {
    char *final_path; /* where the output goes                  */
    char *tmp_path;   /* the temporary file being written        */
    int fd;           /* open on tmp_path, -1 when closed        */
    int slot;         /* signal-cleanup slot, -1 if none          */
};

/* Installs the handler that removes temporary files and then dies of the
 * same signal (so a shell sees 128 + its number), for the signals above.
 * Only signals still at their default action are taken: those the parent
 * ignored stay ignored, a handler installed before stays.  Call once,
 * early in main, before any worker thread starts. */
void outfile_install_signal_cleanup(void);

/* Creates the temporary file for `path` (mode 0666 minus the umask, like
 * any new file).  Returns 0, or an errno value with *o unusable (EINTR:
 * the signal handler is cleaning up, the process is about to die). */
int outfile_open(struct outfile *o, const char *path);

/* Closes the descriptor and moves the temporary file to its final path.
 * Without `replace` an output that appeared in the meantime is kept and
 * EEXIST is returned.  With `sync` the file is flushed to the device
 * (fsync) before the rename and the directory after it, so the output also
 * survives a crash of the machine.  Returns 0 or an errno value; in every
 * case the temporary file is gone and *o is released afterwards. */
int outfile_commit(struct outfile *o, int replace, int sync);

/* Closes and removes the temporary file and releases *o. */
void outfile_abort(struct outfile *o);

#endif /* TEMPITCH_AUDIO_OUTFILE_H */
