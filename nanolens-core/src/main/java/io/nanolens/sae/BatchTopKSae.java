package io.nanolens.sae;

import io.nanolens.tensor.Tensor;

import java.util.Map;

/**
 * The BatchTopK SAE (Bussmann et al. 2024; SAELens batchtopk_sae.py): trained like TopK, but the k·B largest
 * pre-activations of the whole batch survive ({@link BatchSelection}), so rows get more or fewer latents as they
 * need; the loss is mean_r ‖x̂ − x‖² plus {@link AuxK}. Each {@link #backward} also learns the inference threshold θ
 * ({@link BatchThresholdSae}). Saved for inference as a JumpReLU SAE with threshold θ for every latent.
 */
final class BatchTopKSae extends BatchThresholdSae {

    BatchTopKSae(SaeConfig config, Map<String, Tensor> parameters) {
        super(config, parameters);
    }

    @Override
    SaeLoss trainingLoss(SaeState s, float[] x, boolean[] dead) {
        int rows = s.rows;
        center(x, rows, s.saeIn);
        preActivations(s.saeIn, rows, s.pre, bEnc);
        s.selection.select(s.pre, rows, m, config.k(), s.codes);
        s.codes.decode(s.codes.val, wDec, s.recon, rows, false);
        SaeRows.addRowBias(s.recon, rows, d, bDec);
        double mse = SaeRows.meanSquaredError(s.recon, x, rows, d, s.gradOut, 2.0 / rows, s.rowSums);
        double aux = s.auxK.loss(s.pre, rows, x, s.recon, dead, wDec, config.kAux(), config.auxCoefficient(),
                s.rowSums);
        return new SaeLoss(mse, 0, aux, 0);
    }

    @Override
    void trainingBackward(SaeState s) {
        TopKSae.sparseBackward(this, s);
        learnThreshold(s);
    }
}
