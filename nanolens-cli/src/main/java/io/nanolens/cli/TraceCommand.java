package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.steer.InterpretableModel;
import io.nanolens.steer.TrackedToken;
import io.nanolens.steer.Tracking;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./nanolens trace}: each token of a prompt with the SAE features most active on it. */
@Command(name = "trace", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print each token of a prompt with its most active SAE features.",
        footer = {"", "Examples:",
                "  ./nanolens trace --model runs/demo/model --sae runs/demo/sae --prompt \"Mia had a red ball\""})
final class TraceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory.")
    Path model;

    @Option(names = "--sae", required = true, paramLabel = "DIR", description = "An SAE directory (SAELens layout).")
    Path sae;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The text to trace.")
    String prompt;

    @Option(names = "--top", defaultValue = "5", paramLabel = "N",
            description = "Features per token (default: ${DEFAULT-VALUE}).")
    int top;

    @Override
    public Integer call() {
        if (top < 1) {
            throw new NanolensException("--top must be at least 1, got " + top);
        }
        ModelWithSae loaded = ModelWithSae.load(model, sae);
        InterpretableModel im = loaded.interpretable();
        int[] tokens = im.withBos(prompt);
        if (tokens.length == 1) {
            throw new NanolensException("the prompt is empty; give some text with --prompt");
        }
        if (tokens.length > loaded.model().gpt().config().sequenceLen()) {
            throw new NanolensException("the prompt is " + (tokens.length - 1) + " tokens; the model reads at most "
                    + (loaded.model().gpt().config().sequenceLen() - 1));
        }
        List<TrackedToken> tracked;
        try (Tracking tracking = im.track(top)) {
            im.forward(tokens);
            tracked = tracking.tokens();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-4s %-16s features (index:activation), %s at %s%n", "pos", "token", sae, loaded.hook().name());
        for (TrackedToken t : tracked) {
            if (t.position() == 0) {
                continue;
            }
            String text = im.tokenizer().decode(tokens, t.position(), t.position() + 1).replace("\n", "\\n");
            StringBuilder features = new StringBuilder();
            for (TrackedToken.FeatureActivation a : t.features().get(ModelWithSae.SAE_NAME)) {
                features.append(String.format(Locale.ROOT, "%d:%.3f  ", a.feature(), a.value()));
            }
            out.printf("%-4d %-16s %s%n", t.position(), "'" + text + "'", features.toString().strip());
        }
        return 0;
    }
}
