package io.nanolens.bench;

import java.io.PrintWriter;

/** The entry point of every {@code ./nanolens bench} kind. */
public final class Benchmarks {
    /** The benchmarks there are. */
    public enum Kind { kernels, model }

    private Benchmarks() {
    }

    public static void run(Kind kind, PrintWriter out, int repeats, boolean json) {
        BenchReport report = new BenchReport(out, kind.name());
        switch (kind) {
            case kernels -> new KernelBenchmark(report, repeats).run();
            case model -> new ModelBenchmark(report, repeats).run();
        }
        if (json) {
            report.printJson();
        }
    }
}
