package io.nanolens.sae;

/**
 * The parts of one training loss of an {@link Sae} on a batch, each already weighted by its coefficient; their sum
 * is what backward differentiates. A term the architecture does not have is 0.
 *
 * @param mse       mean over the batch of Σ_d (x̂ − x)², SAELens's reconstruction loss
 * @param sparsity  L1 of decoder-norm-weighted activations (ReLU, Gated) or L0 through the step function (JumpReLU)
 * @param auxiliary AuxK on dead latents (TopK family) or the gate-path reconstruction (Gated)
 * @param prefixMse Matryoshka: summed reconstruction losses of the inner dictionary prefixes
 */
public record SaeLoss(double mse, double sparsity, double auxiliary, double prefixMse) {

    /** The loss backward differentiates. */
    public double total() {
        return mse + sparsity + auxiliary + prefixMse;
    }
}
