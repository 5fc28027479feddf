package io.nanolens.cli;

import io.nanolens.hub.HubSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

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

    /** A run whose hub specs ({@code hf:...}) go to the hub and cache {@code hub} names. */
    static CliRun of(HubSettings hub, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Nanolens.run(hub, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /**
     * {@code base} with {@code extra} applied: an option of {@code extra} that {@code base} has replaces its value
     * there, every other one (and a flag, an option without a value) is appended.
     */
    static String[] with(String[] base, String... extra) {
        List<String> args = new ArrayList<>(List.of(base));
        for (int i = 0; i < extra.length; i++) {
            boolean hasValue = i + 1 < extra.length && !extra[i + 1].startsWith("--");
            int at = List.of(base).indexOf(extra[i]);
            if (hasValue && at >= 0) {
                args.set(at + 1, extra[++i]);
            } else {
                args.add(extra[i]);
                if (hasValue) {
                    args.add(extra[++i]);
                }
            }
        }
        return args.toArray(String[]::new);
    }

    /** The single line of a user error. */
    String errorLine() {
        return err.strip();
    }
}
