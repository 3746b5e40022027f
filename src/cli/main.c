/*
 * main.c -- the tempitch command: parse, convert, report, exit code.
 *
 * Exit status: 0 success, 1 the file could not be processed, 2 usage
 * error.  All the work lives in the modules; this file only wires them.
 */
#include "convert.h"
#include "options.h"
#include "outfile.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    struct cli_options opts;
    switch (options_parse(argc, argv, &opts)) {
    case CLI_DONE:
        return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
    case CLI_USAGE:
        return 2;
    case CLI_RUN:
        break;
    }

    outfile_install_signal_cleanup();

    struct converter *conv = converter_new();
    if (conv == NULL) {
        fputs("tempitch: out of memory\n", stderr);
        return EXIT_FAILURE;
    }
    struct convert_result result;
    int failed =
        convert_file(conv, opts.input, opts.output, &opts.params, &result);
    converter_free(conv);
    if (failed)
        return EXIT_FAILURE;

    report_file(opts.input, opts.output, &result, opts.quiet);
    /* The output file is already in place; a broken stdout only loses the
     * summary, but the exit status should still say so. */
    if (fflush(stdout) != 0) {
        perror("tempitch: stdout");
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
