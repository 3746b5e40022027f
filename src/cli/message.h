/*
 * message.h -- the command's lines on stderr.
 *
 * File names are whatever bytes the file system allows, including escape
 * sequences and line breaks: printed raw, a name like
 * $'a\e]0;x\a\e[2J.wav' would retitle or clear the user's terminal, and
 * one with a newline would forge a second message.  Every line the
 * command writes to stderr goes through message(), which shows each
 * control character (below 0x20, and 0x7f) as '?', as the table does.
 */
#ifndef TEMPITCH_CLI_MESSAGE_H
#define TEMPITCH_CLI_MESSAGE_H

#include <stdio.h>

/* printf-style; writes the formatted text to stderr in one piece, every
 * control character but a final line break shown as '?'. */
void message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The stream the command's own output for people goes to: stderr, or
 * after message_silence_libraries() a copy of the descriptor stderr had.
 * Progress, the table and --json on stderr use it too. */
FILE *message_stream(void);

/* For -q: libraries print their own warnings on stderr (libmpg123's
 * "Warning: Xing stream size off by more than 1%..."), which -q must
 * silence too.  They write through the same `stderr` as everything else,
 * so what separates them is the descriptor: the command's messages move
 * to a copy of descriptor 2 and descriptor 2 itself to /dev/null.  Call
 * once, before any thread starts; on failure nothing changes. */
void message_silence_libraries(void);

/* For a program that embeds the command's batch (tempitch's Python
 * module): from message_capture_start() on, what message() and
 * message_stream() would write in the calling thread (and only there) is
 * kept in memory instead, until message_capture_end() hands it over:
 * the lines, as the command would have printed them, in a string the
 * caller frees (never NULL unless memory ran out; "" when nothing was
 * said).  The workers of a batch print nothing (run.h), so a batch run
 * from the capturing thread is captured whole.  Captures do not nest;
 * message_capture_start() returns 0, or -1 (nothing changed) when out of
 * memory or when this thread already captures. */
int message_capture_start(void);
char *message_capture_end(void);

#endif
