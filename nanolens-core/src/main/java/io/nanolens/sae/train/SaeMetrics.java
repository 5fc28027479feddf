package io.nanolens.sae.train;

/**
 * One SAE's figures after a training step, as a line of {@code metrics.jsonl}.
 *
 * @param sae          the SAE's name in the sweep
 * @param step         0-based step
 * @param tokens       training rows seen after this step
 * @param loss         the total loss backward differentiated
 * @param mse          mean over the batch of Σ_d (x̂ − x)²
 * @param fvu          fraction of variance unexplained on the batch
 * @param l0           mean active latents per row
 * @param deadFraction fraction of latents dead (no firing within the dead window)
 * @param lr           learning rate of the step
 */
public record SaeMetrics(String sae, int step, long tokens, double loss, double mse, double fvu, double l0,
                         double deadFraction, double lr) {
}
