package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.model.GptConfig;
import picocli.CommandLine.Option;

/**
 * The model's shape on the command line: a preset ({@link GptConfig#tiny}, {@link GptConfig#small}) and any size
 * overridden on top of it. The vocabulary always comes from the tokenizer.
 */
final class ModelOptions {
    @Option(names = "--preset", defaultValue = "tiny", paramLabel = "NAME",
            description = "Model size: tiny (d=128, 4 layers, context 256) or small (d=256, 6 layers, context 512)"
                    + " (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--layers", paramLabel = "L", description = "Transformer blocks (default: the preset's).")
    Integer layers;

    @Option(names = "--dim", paramLabel = "D", description = "Residual width n_embd (default: the preset's).")
    Integer dim;

    @Option(names = "--heads", paramLabel = "H", description = "Query heads (default: the preset's).")
    Integer heads;

    @Option(names = "--kv-heads", paramLabel = "H", description = "Key/value heads (default: as many as --heads).")
    Integer kvHeads;

    @Option(names = "--context", paramLabel = "T", description = "Context length (default: the preset's).")
    Integer context;

    /** The preset's config for {@code vocabSize} tokens with the overrides applied. */
    GptConfig config(int vocabSize) {
        GptConfig base = switch (preset) {
            case "tiny" -> GptConfig.tiny(vocabSize);
            case "small" -> GptConfig.small(vocabSize);
            default -> throw new NanolensException("unknown preset '" + preset + "': choose tiny or small");
        };
        int h = heads != null ? heads : base.nHead();
        int kv = kvHeads != null ? kvHeads : heads != null ? heads : base.nKvHead();
        return new GptConfig(context != null ? context : base.sequenceLen(), vocabSize,
                layers != null ? layers : base.nLayer(), h, kv, dim != null ? dim : base.nEmbd());
    }
}
