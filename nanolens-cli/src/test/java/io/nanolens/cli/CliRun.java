package io.nanolens.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One in-process run of the command line with its output and errors captured.
 *
 * @param code the exit code
 * @param out  what went to standard output
 * @param err  what went to standard error
 */
record CliRun(int code, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Nanolens.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** The single line of a user error. */
    String errorLine() {
        return err.strip();
    }
}
