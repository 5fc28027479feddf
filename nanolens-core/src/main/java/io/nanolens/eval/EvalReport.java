package io.nanolens.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nanolens.io.Json;

import java.util.ArrayList;
import java.util.List;

/**
 * The result of one {@link SaeEvaluation}: the numbers a user reads to judge an SAE (definitions in
 * {@link ReconstructionMetrics} and {@link DownstreamMetrics}). {@link #toJson} gives the object
 * {@code ./nanolens eval --json} prints, one key per component in snake_case.
 *
 * @param mse                   mean over tokens of Σ_d (x̂ − x)²
 * @param fvu                   fraction of variance unexplained, Σ‖x − x̂‖² / Σ‖x − x̄‖²
 * @param cosineSimilarity      mean cos(x, x̂)
 * @param l0                    mean non-zero latents per token
 * @param l1                    mean Σ|f| per token
 * @param deadFraction          fraction of latents that never fired
 * @param denseFraction         fraction of latents firing on more than 10 % of the tokens
 * @param log10DensityHistogram the latents' log10(density + 1e-10), binned
 * @param ceClean               mean next-token cross-entropy of the model (nats)
 * @param ceWithSae             the same with the SAE's reconstruction spliced in at the hook
 * @param ceZeroAblation        the same with the hook's activation set to zero
 * @param ceLossRecovered       (ce_zero_ablation − ce_with_sae) / (ce_zero_ablation − ce_clean)
 * @param klDivergence          mean KL(p_clean ‖ p_with_sae) over the next-token distributions (nats)
 * @param tokens                evaluated token positions
 */
public record EvalReport(double mse, double fvu, double cosineSimilarity, double l0, double l1, double deadFraction,
                         double denseFraction, DensityHistogram log10DensityHistogram, double ceClean,
                         double ceWithSae, double ceZeroAblation, double ceLossRecovered, double klDivergence,
                         long tokens) {

    /** The report as one JSON object with exactly these keys; a number that is not finite is written as null. */
    public ObjectNode toJson() {
        ObjectNode json = (ObjectNode) Json.toTree(this);
        List<String> undefined = new ArrayList<>();
        json.properties().forEach(e -> {
            JsonNode v = e.getValue();
            if (v.isNumber() && !Double.isFinite(v.doubleValue())) {
                undefined.add(e.getKey());
            }
        });
        undefined.forEach(json::putNull);
        return json;
    }
}
