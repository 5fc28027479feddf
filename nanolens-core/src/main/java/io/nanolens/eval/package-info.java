/**
 * Layer 5, the report at the end of the data walk (corpus → tokens → activations → SAE → report): how good an SAE
 * is on held-out text. {@link io.nanolens.eval.SaeEvaluation} streams the validation part of a corpus through the
 * GPT three times per batch (clean, with the SAE's reconstruction spliced in at its hook, with the hook
 * zero-ablated) and feeds {@link io.nanolens.eval.ReconstructionMetrics} (MSE, FVU, cosine, L0, L1, dead and
 * dense latents, the log10 density histogram) and {@link io.nanolens.eval.DownstreamMetrics} (cross-entropies,
 * CE-loss recovered, KL divergence), which keep running sums only; the result is one
 * {@link io.nanolens.eval.EvalReport}. Definitions follow SAELens evals.py (shared/docs/SAE.md §4).
 */
package io.nanolens.eval;
