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

/* printf-style; writes the formatted text to stderr in one piece, every
 * control character but a final line break shown as '?'. */
void message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
