package io.nanolens.sae;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The six SAE architectures nanolens trains, each naming its class: the one place an architecture's name turns into
 * code. {@link #id()} is the short name the command line uses ({@code --arch topk}); {@link #saeLensName()} the
 * {@code architecture} SAELens gives the training class (saes/*.py); {@link #inferenceName()} the one written to a
 * saved {@code cfg.json} (BatchTopK and Matryoshka are saved for inference as JumpReLU, as SAELens does).
 */
public enum Architecture {
    /** ReLU with an L1 penalty weighted by decoder row norms (SAELens "standard", Anthropic's April 2024 update). */
    RELU("relu", "standard", "standard", ReluSae::new),
    /** k largest pre-activations per row, AuxK on dead latents (Gao et al. 2024, OpenAI sparse_autoencoder). */
    TOP_K("topk", "topk", "topk", TopKSae::new),
    /** k·B largest activations over the batch; a learned threshold at inference (Bussmann et al. 2024). */
    BATCH_TOP_K("batchtopk", "batchtopk", "jumprelu", BatchTopKSae::new),
    /** Per-latent learned thresholds trained by a straight-through estimator (Rajamanoharan et al. 2024b). */
    JUMP_RELU("jumprelu", "jumprelu", "jumprelu", JumpReluSae::new),
    /** Gate and magnitude paths sharing the encoder (Rajamanoharan et al. 2024a). */
    GATED("gated", "gated", "gated", GatedSae::new),
    /** BatchTopK whose nested dictionary prefixes each learn to reconstruct (Bussmann et al. 2025). */
    MATRYOSHKA("matryoshka", "matryoshka_batchtopk", "jumprelu", MatryoshkaSae::new);

    private final String id;
    private final String saeLensName;
    private final String inferenceName;
    private final BiFunction<SaeConfig, Map<String, Tensor>, Sae> factory;

    Architecture(String id, String saeLensName, String inferenceName,
                 BiFunction<SaeConfig, Map<String, Tensor>, Sae> factory) {
        this.id = id;
        this.saeLensName = saeLensName;
        this.inferenceName = inferenceName;
        this.factory = factory;
    }

    /** The short name: relu, topk, batchtopk, jumprelu, gated or matryoshka. */
    public String id() {
        return id;
    }

    /** SAELens's name for the training architecture ("standard", "matryoshka_batchtopk", ...). */
    public String saeLensName() {
        return saeLensName;
    }

    /** The {@code architecture} written to a saved {@code cfg.json}: standard, topk, jumprelu or gated. */
    public String inferenceName() {
        return inferenceName;
    }

    /** Whether the architecture keeps a fixed number k of latents (per row, or per row on average over a batch). */
    public boolean usesK() {
        return this == TOP_K || this == BATCH_TOP_K || this == MATRYOSHKA;
    }

    /**
     * The architecture with this short or SAELens name, case-insensitive.
     *
     * @throws NanolensException if no architecture has that name
     */
    public static Architecture of(String name) {
        for (Architecture a : values()) {
            if (a.id.equalsIgnoreCase(name) || a.saeLensName.equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new NanolensException("unknown SAE architecture '" + name + "'; choose one of "
                + Arrays.stream(values()).map(Architecture::id).toList());
    }

    /** The SAE over these parameters, whose names and shapes {@link Sae#of} has checked. */
    Sae newSae(SaeConfig config, Map<String, Tensor> parameters) {
        return factory.apply(config, parameters);
    }
}
