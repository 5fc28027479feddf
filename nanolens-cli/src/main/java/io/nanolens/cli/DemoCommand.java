package io.nanolens.cli;

import io.nanolens.tensor.Parallel;
import io.nanolens.tensor.Simd;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ./nanolens demo}: the main job, end to end (our speedrun.sh). For now it checks the machine and says
 * what the full pipeline will do; each stage joins here as it lands. Always exits 0 on a fresh clone.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on the built-in tinyworld corpus.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("nanolens " + Nanolens.version() + " demo");
        out.printf("  machine : %d cores, %d MiB max heap, Java %s, %s %s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                Runtime.version(), System.getProperty("os.name"), System.getProperty("os.arch"));
        out.printf("  kernels : Vector API %s, %d-bit vectors, %d threads%n",
                Simd.enabled() ? "on" : "off (scalar path forced)", Simd.vectorBits(),
                Parallel.threads());
        out.println("  pipeline: tinyworld corpus -> BPE tokenizer -> tiny GPT -> activations -> SAEs -> eval,");
        out.println("            explorer and steering; stages run here as they land (see README.md).");
        out.println("  ready.");
        return 0;
    }
}
