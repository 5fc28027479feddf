package io.nanolens.sae;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Tensor;

import java.util.Map;

/**
 * The BatchTopK SAE (Bussmann et al. 2024; SAELens batchtopk_sae.py): trained like TopK, but the k·B largest
 * pre-activations of the whole batch survive ({@link BatchSelection}), so rows get more or fewer latents as they
 * need; the loss is mean_r ‖x̂ − x‖² plus {@link AuxK}. Each {@link #backward} also moves the inference threshold θ
 * (a moving average of the smallest kept activation, in float64 as in SAELens) towards this step's value; encoding
 * at inference keeps pre where pre > θ. Saved for inference as a JumpReLU SAE with threshold θ for every latent.
 */
final class BatchTopKSae extends Sae {
    private double threshold;       // θ
    private boolean thresholdSet;   // θ has been learned from a batch or set; false until the first step

    BatchTopKSae(SaeConfig config, Map<String, Tensor> parameters) {
        super(config, parameters);
    }

    @Override
    public double batchThreshold() {
        return threshold;
    }

    @Override
    public void setBatchThreshold(double theta) {
        if (!(theta >= 0) || Double.isInfinite(theta)) {
            throw new NanolensException("BatchTopK threshold " + theta + " must be a finite number ≥ 0");
        }
        threshold = theta;
        thresholdSet = theta > 0;
    }

    @Override
    void encodeInto(float[] x, int rows, float[] f) {
        float[] saeIn = new float[rows * d];
        center(x, rows, saeIn);
        preActivations(saeIn, rows, f, bEnc);
        BatchSelection.threshold(f, f, rows * m, (float) threshold);
    }

    @Override
    void allocate(SaeState s) {
        s.pre = s.rowsByLatents();
        s.codes = BatchSelection.codes(s.maxRows, config.k(), d);
        s.selection = new BatchSelection(s.maxRows, config.k());
        s.auxK = new AuxK(s.maxRows, config.kAux(), d, m);
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
        threshold = s.selection.updateThreshold(threshold, config.thresholdRate(), !thresholdSet);
        thresholdSet |= threshold > 0;
    }
}
