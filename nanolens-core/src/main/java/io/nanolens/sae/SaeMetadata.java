package io.nanolens.sae;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where an SAE's activations came from, as the {@code metadata} block of a SAELens {@code cfg.json} records it
 * (FORMATS.md §2.1; SAELens llm_sae_training_runner.py {@code _set_sae_metadata}): the model, the hook point and
 * how prompts were built. It travels with the SAE from training to analysis, so that a tool can check that an SAE
 * fits the model and hook it is applied to. Keys nanolens does not interpret are kept in {@code other} and written
 * back unchanged.
 *
 * @param modelName            the model's name (SAELens model_name), or null when unknown
 * @param hookName             the TransformerLens hook point, e.g. {@code blocks.3.hook_resid_post}, or null
 * @param hookHeadIndex        attention head of a per-head hook, usually null
 * @param contextSize          tokens per prompt the activations were harvested with, or null when unknown
 * @param prependBos           whether every prompt started with BOS
 * @param excludeSpecialTokens whether activations at special tokens (BOS, EOS) were left out of training
 * @param datasetPath          the corpus the activations came from, or null
 * @param other                every further metadata key with its JSON value (strings, numbers, booleans, lists,
 *                             maps, null)
 */
public record SaeMetadata(String modelName, String hookName, Integer hookHeadIndex, Integer contextSize,
                          boolean prependBos, boolean excludeSpecialTokens, String datasetPath,
                          Map<String, Object> other) {

    public SaeMetadata {
        other = Collections.unmodifiableMap(new LinkedHashMap<>(other));
    }

    /** Nothing known, with SAELens's defaults: BOS prepended, special tokens kept. */
    public static SaeMetadata unknown() {
        return new SaeMetadata(null, null, null, null, true, false, null, Map.of());
    }

    /** Metadata of activations harvested from {@code modelName} at {@code hookName} in prompts of contextSize. */
    public static SaeMetadata of(String modelName, String hookName, int contextSize) {
        return new SaeMetadata(modelName, hookName, null, contextSize, true, false, null, Map.of());
    }

    public SaeMetadata withPrompts(boolean newPrependBos, boolean newExcludeSpecialTokens) {
        return new SaeMetadata(modelName, hookName, hookHeadIndex, contextSize, newPrependBos,
                newExcludeSpecialTokens, datasetPath, other);
    }

    public SaeMetadata withDatasetPath(String path) {
        return new SaeMetadata(modelName, hookName, hookHeadIndex, contextSize, prependBos, excludeSpecialTokens,
                path, other);
    }
}
