package io.nanolens.cli;

import io.nanolens.bench.Benchmarks;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./nanolens bench WHAT}: speed measured side by side with a reference, printed as a table and, with
 * {@code --json}, as one JSON object last (conventions: shared/bench/README.md).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure nanolens against a reference in one run and print the ratio.",
        footer = {"", "Benchmarks:",
                "  kernels   matmul GFLOP/s vs OpenBLAS sgemm (install: apt-get install -y libopenblas0-pthread),",
                "            sparse SAE decode rows/s",
                "  model     GPT training and forward tokens/s (tiny, small) vs the same model in PyTorch",
                "            (install: apt-get install -y python3-torch python3-numpy libopenblas0-pthread)",
                "  gpt2      GPT-2 small forward tokens/s (random weights of the real shapes, 1×256 tokens) vs",
                "            GPT-2 in plain PyTorch (bench/gpt2_torch.py; same install as model)",
                "  sae       TopK and ReLU SAE training rows/s vs PyTorch (dense and sparse TopK, ReLU) at",
                "            three shapes, encoder vs matmul peak, held-out FVU at an equal budget (fvu_ratio)",
                "  sae-recovery  each architecture on activations from a known dictionary: MMCS and the",
                "            fraction of true features recovered (cosine > 0.9)",
                "  runtime   generation tokens/s with SAE feature tracking on vs off (demo model)",
                "", "Examples:", "  ./nanolens bench kernels", "  ./nanolens bench kernels --json --repeats 5",
                "  ./nanolens bench model --json", "  ./nanolens bench gpt2"})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "WHAT", description = "Which benchmark: kernels, model, gpt2, sae, sae-recovery, runtime.")
    String what;

    @Option(names = "--json", description = "Print one JSON object with every figure at the end.")
    boolean json;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed runs (model: alternating rounds) per measurement (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Override
    public Integer call() {
        if (repeats < 1) {
            throw new io.nanolens.NanolensException("--repeats must be at least 1, got " + repeats);
        }
        Benchmarks.Kind kind = Benchmarks.Kind.of(what);
        if (kind == null) {
            throw new io.nanolens.NanolensException("unknown benchmark '" + what + "'; choose one of "
                    + String.join(", ", Benchmarks.Kind.ids()));
        }
        Benchmarks.run(kind, spec.commandLine().getOut(), repeats, json);
        return 0;
    }
}
