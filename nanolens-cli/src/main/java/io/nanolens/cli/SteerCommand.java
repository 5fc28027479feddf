package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.model.Sampler;
import io.nanolens.steer.FeatureEdit;
import io.nanolens.steer.InterpretableModel;
import io.nanolens.steer.Steering;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./nanolens steer}: one prompt continued twice from the same seed, without and with a feature edit, printed
 * side by side. The edit keeps the SAE's error term (see {@link InterpretableModel}).
 */
@Command(name = "steer", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Continue a prompt with and without steering one SAE feature, side by side.",
        footer = {"", "Modes: scale (multiply the feature), add (add to it), clamp (set it, also where it was",
                "silent), ablate (set it to zero). The activation becomes x + (f' - f)·W_dec: what the",
                "SAE does not reconstruct stays.", "", "Examples:",
                "  ./nanolens steer --model runs/demo/model --sae runs/demo/sae --feature 12 --strength 8 \\",
                "      --mode clamp --prompt \"Once upon a time\"",
                "  ./nanolens steer --model M --sae S --feature 3 --mode ablate --prompt \"The cat\""})
final class SteerCommand implements Callable<Integer> {
    private static final int COLUMN = 48;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory.")
    Path model;

    @Option(names = "--sae", required = true, paramLabel = "DIR", description = "An SAE directory (SAELens layout).")
    Path sae;

    @Option(names = "--feature", required = true, paramLabel = "N", description = "The feature to steer.")
    int feature;

    @Option(names = "--strength", defaultValue = "5", paramLabel = "S",
            description = "Factor (scale), amount (add) or value (clamp) (default: ${DEFAULT-VALUE}).")
    float strength;

    @Option(names = "--mode", defaultValue = "clamp", paramLabel = "MODE",
            description = "scale, add, clamp or ablate (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--prompt", defaultValue = "", paramLabel = "TEXT", description = "The start of the text.")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "60", paramLabel = "N",
            description = "Most new tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0.8", paramLabel = "T",
            description = "Sampling temperature (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "S", description = "Sampling seed, the same for both.")
    long seed;

    @Override
    public Integer call() {
        if (maxTokens < 1) {
            throw new NanolensException("--max-tokens must be at least 1, got " + maxTokens);
        }
        FeatureEdit.Mode editMode = FeatureEdit.Mode.of(mode);
        InterpretableModel im = ModelWithSae.load(model, sae).interpretable();
        String plain = im.complete(prompt, maxTokens, new Sampler(temperature, 50, seed));
        String steered;
        try (Steering s = im.steer(FeatureEdit.of(ModelWithSae.SAE_NAME, feature, editMode, strength))) {
            steered = im.complete(prompt, maxTokens, new Sampler(temperature, 50, seed));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(sideBySide("unsteered", plain, "feature " + feature + " " + editMode.id()
                + (editMode == FeatureEdit.Mode.ABLATE ? "" : " " + strength), steered));
        return 0;
    }

    /** Two texts in columns of {@link #COLUMN} characters, wrapped at spaces where possible. */
    static String sideBySide(String leftTitle, String left, String rightTitle, String right) {
        List<String> a = wrap(left);
        List<String> b = wrap(right);
        StringBuilder sb = new StringBuilder();
        sb.append(pad(leftTitle)).append(" | ").append(rightTitle).append('\n');
        sb.append("-".repeat(COLUMN)).append("-+-").append("-".repeat(COLUMN)).append('\n');
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            sb.append(pad(i < a.size() ? a.get(i) : "")).append(" | ").append(i < b.size() ? b.get(i) : "")
                    .append('\n');
        }
        return sb.toString().stripTrailing();
    }

    private static List<String> wrap(String text) {
        List<String> lines = new ArrayList<>();
        for (String paragraph : text.replace("\r", "").split("\n", -1)) {
            String rest = paragraph;
            while (rest.length() > COLUMN) {
                int cut = rest.lastIndexOf(' ', COLUMN);
                if (cut <= 0) {
                    cut = COLUMN;
                }
                lines.add(rest.substring(0, cut));
                rest = rest.substring(cut).stripLeading();
            }
            lines.add(rest);
        }
        return lines;
    }

    private static String pad(String s) {
        return s.length() >= COLUMN ? s : s + " ".repeat(COLUMN - s.length());
    }
}
