package io.nanolens.bench;

import java.io.PrintWriter;

/** The entry point of every {@code ./nanolens bench} kind. */
public final class Benchmarks {
    /** The benchmarks there are, by the name the command line uses. */
    public enum Kind {
        KERNELS("kernels"), MODEL("model"), GPT2("gpt2"), SAE("sae"), SAE_RECOVERY("sae-recovery"),
        RUNTIME("runtime");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** The kind named {@code id}, or null. */
        public static Kind of(String id) {
            for (Kind k : values()) {
                if (k.id.equals(id)) {
                    return k;
                }
            }
            return null;
        }

        /** Every name, for help and error messages. */
        public static java.util.List<String> ids() {
            return java.util.Arrays.stream(values()).map(Kind::id).toList();
        }
    }

    private Benchmarks() {
    }

    public static void run(Kind kind, PrintWriter out, int repeats, boolean json) {
        BenchReport report = new BenchReport(out, kind.id());
        switch (kind) {
            case KERNELS -> new KernelBenchmark(report, repeats).run();
            case MODEL -> new ModelBenchmark(report, repeats).run();
            case GPT2 -> new Gpt2Benchmark(report, repeats).run();
            case SAE -> new SaeBenchmark(report, repeats).run();
            case SAE_RECOVERY -> new SaeRecoveryBenchmark(report).run();
            case RUNTIME -> new RuntimeBenchmark(report, repeats).run();
        }
        if (json) {
            report.printJson();
        }
    }
}
