package io.nanolens.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nanolens.io.Directories;
import io.nanolens.NanolensException;
import io.nanolens.explorer.ActivatingContext;
import io.nanolens.explorer.FeatureAtlas;
import io.nanolens.explorer.FeatureCard;
import io.nanolens.explorer.Histogram;
import io.nanolens.explorer.QuantileGroup;
import io.nanolens.explorer.TokenEffect;
import io.nanolens.io.AtomicFiles;
import io.nanolens.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Feature dashboards as SAEDashboard's Neuronpedia runner writes them (FORMATS.md §2.3), the files Neuronpedia's
 * upload and its export converter take: {@code batch-N.json} with 128 features each, {@code run_settings.json}
 * and {@code skipped_indexes.json}, in a directory named {@code {model}_{set}_{hook}_{d_sae}}. Each feature carries
 * its density ({@code frac_nonzero}), top logits ({@code pos_str}/{@code neg_str}), activation histogram, and the
 * top-activation group (bin_min −1) followed by the quantile groups, tokens as strings with per-token values
 * rounded to 5 decimals. Fields nanolens does not compute (neuron alignment, correlations, logit histogram) are
 * empty lists. The directory is written beside the target and renamed into place.
 */
public final class NeuronpediaExport {
    /** Features per batch file, the runner's {@code n_features_at_a_time}. */
    public static final int FEATURES_PER_BATCH = 128;

    /**
     * What the runner records about the run.
     *
     * @param modelId          Neuronpedia model id, e.g. {@code nanolens-tiny}
     * @param saeSet           the SAE set name, e.g. {@code res-topk}
     * @param layer            the hook's layer
     * @param nPromptsTotal    prompts the statistics came from
     * @param nTokensInPrompt  tokens per prompt
     * @param dataset          the corpus
     */
    public record Settings(String modelId, String saeSet, int layer, long nPromptsTotal, int nTokensInPrompt,
                           String dataset) {
    }

    private NeuronpediaExport() {
    }

    /** The directory name the runner would use. */
    public static String directoryName(Settings s, FeatureAtlas atlas) {
        return s.modelId() + "_" + s.saeSet() + "_" + atlas.hookName() + "_" + atlas.dSae();
    }

    /** Writes the dashboards of every card of {@code atlas} into {@code dir}, replacing what is there. */
    public static void write(FeatureAtlas atlas, Settings settings, Path dir) {
        Path temp = dir.resolveSibling(dir.getFileName() + ".tmp");
        try {
            Directories.deleteTree(temp);
            Files.createDirectories(temp);
            List<ObjectNode> batch = new ArrayList<>(FEATURES_PER_BATCH);
            int batchIndex = 0;
            for (FeatureCard card : atlas.features()) {
                batch.add(feature(card, settings));
                if (batch.size() == FEATURES_PER_BATCH) {
                    writeBatch(temp, batchIndex++, batch, settings);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                writeBatch(temp, batchIndex, batch, settings);
            }
            ObjectNode run = Json.object();
            run.put("model_id", settings.modelId());
            run.put("sae_set", settings.saeSet());
            run.put("hook_name", atlas.hookName());
            run.put("d_sae", atlas.dSae());
            run.put("n_prompts_total", settings.nPromptsTotal());
            run.put("n_tokens_in_prompt", settings.nTokensInPrompt());
            run.put("n_features_at_a_time", FEATURES_PER_BATCH);
            run.put("dataset", settings.dataset());
            run.put("written_by", "nanolens");
            AtomicFiles.writeString(temp.resolve("run_settings.json"), Json.toPrettyString(run));
            ObjectNode skipped = Json.object();
            skipped.put("model_id", settings.modelId());
            skipped.put("layer", String.valueOf(settings.layer()));
            skipped.put("sae_set", settings.saeSet());
            skipped.put("log_sparsity", -6);
            ArrayNode indexes = skipped.putArray("skipped_indexes");
            boolean[] present = new boolean[atlas.dSae()];
            atlas.features().forEach(c -> present[c.index()] = true);
            for (int i = 0; i < present.length; i++) {
                if (!present[i]) {
                    indexes.add(i);
                }
            }
            AtomicFiles.writeString(temp.resolve("skipped_indexes.json"), Json.toPrettyString(skipped));
            Directories.deleteTree(dir);
            Files.createDirectories(dir.toAbsolutePath().getParent());
            Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new NanolensException("cannot write the Neuronpedia export to " + dir + ": " + e.getMessage());
        }
    }

    private static void writeBatch(Path dir, int index, List<ObjectNode> features, Settings s) {
        ObjectNode batch = Json.object();
        batch.put("model_id", s.modelId());
        batch.put("layer", s.layer());
        batch.put("sae_set", s.saeSet());
        batch.putNull("sae_id_suffix");
        ArrayNode list = batch.putArray("features");
        features.forEach(list::add);
        AtomicFiles.writeString(dir.resolve("batch-" + index + ".json"), Json.toPrettyString(batch));
    }

    private static ObjectNode feature(FeatureCard card, Settings s) {
        ObjectNode f = Json.object();
        f.put("feature_index", card.index());
        for (String empty : List.of("neuron_alignment_indices", "neuron_alignment_values", "neuron_alignment_l1",
                "correlated_neurons_indices", "correlated_neurons_l1", "correlated_neurons_pearson",
                "correlated_features_indices", "correlated_features_l1", "correlated_features_pearson",
                "logits_hist_data_bar_values", "logits_hist_data_bar_heights", "decoder_weights_dist", "vector")) {
            f.putArray(empty);
        }
        effects(f, "neg", card.suppressed());
        effects(f, "pos", card.promoted());
        f.put("frac_nonzero", card.density());
        Histogram h = card.histogram();
        ArrayNode barValues = f.putArray("freq_hist_data_bar_values");
        ArrayNode barHeights = f.putArray("freq_hist_data_bar_heights");
        for (int i = 0; i < h.counts().length; i++) {
            barValues.add(round((h.edges()[i] + h.edges()[i + 1]) / 2));
            barHeights.add(h.counts()[i]);
        }
        f.put("n_prompts_total", s.nPromptsTotal());
        f.put("n_tokens_in_prompt", s.nTokensInPrompt());
        f.put("dataset", s.dataset());
        ArrayNode activations = f.putArray("activations");
        for (ActivatingContext c : card.topContexts()) {
            activations.add(activation(c, -1, card.maxActivation(), -1));
        }
        for (QuantileGroup q : card.quantiles()) {
            for (ActivatingContext c : q.contexts()) {
                activations.add(activation(c, q.low(), q.high(), q.fraction()));
            }
        }
        return f;
    }

    private static void effects(ObjectNode f, String sign, List<TokenEffect> effects) {
        ArrayNode strings = f.putArray(sign + "_str");
        ArrayNode values = f.putArray(sign + "_values");
        for (TokenEffect e : effects) {
            strings.add(e.token());
            values.add(round(e.value()));
        }
    }

    private static ObjectNode activation(ActivatingContext c, double binMin, double binMax, double contains) {
        ObjectNode a = Json.object();
        a.put("bin_min", round(binMin));
        a.put("bin_max", round(binMax));
        a.put("bin_contains", contains);
        ArrayNode tokens = a.putArray("tokens");
        c.tokens().forEach(tokens::add);
        ArrayNode values = a.putArray("values");
        for (float v : c.values()) {
            values.add(round(v));
        }
        a.put("qualifying_token_index", c.peak());
        return a;
    }

    /** Values rounded to 5 decimals, as the runner writes them. */
    private static double round(double v) {
        return Math.round(v * 1e5) / 1e5;
    }
}
