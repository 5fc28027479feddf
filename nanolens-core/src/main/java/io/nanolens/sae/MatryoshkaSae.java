package io.nanolens.sae;

import io.nanolens.tensor.Ops;
import io.nanolens.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;

/**
 * The Matryoshka BatchTopK SAE (Bussmann et al. 2025, "Learning Multi-Level Features with Matryoshka Sparse
 * Autoencoders"; SAELens matryoshka_batchtopk_sae.py): latents are chosen as in BatchTopK over the whole
 * dictionary, and every nested prefix [0, w_l) of the dictionary must reconstruct the input on its own from the
 * kept latents it contains: x̂_l = b_dec + Σ_{kept i < w_l} f_i·W_dec_i. The loss is Σ_l mean_r ‖x̂_l − x‖²
 * (the widest level is the ordinary reconstruction, the others are {@link SaeLoss#prefixMse()}) plus
 * {@link AuxK}. A kept latent in group g = [w_{g−1}, w_g) appears in every level l ≥ g, so its gradient sees the
 * sum of those levels' error gradients. The inference threshold and saving work as in {@link BatchTopKSae}.
 */
final class MatryoshkaSae extends BatchThresholdSae {
    private final int[] widths;     // [levels] prefix widths w_l, increasing, the last = m

    MatryoshkaSae(SaeConfig config, Map<String, Tensor> parameters) {
        super(config, parameters);
        widths = config.prefixes().stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    void allocate(SaeState s) {
        super.allocate(s);
        s.levelGrads = new float[widths.length][s.maxRows * d];
        s.maskedValues = new float[s.codes.val.length];
    }

    @Override
    SaeLoss trainingLoss(SaeState s, float[] x, boolean[] dead) {
        int rows = s.rows;
        center(x, rows, s.saeIn);
        preActivations(s.saeIn, rows, s.pre, bEnc);
        s.selection.select(s.pre, rows, m, config.k(), s.codes);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(bDec, 0, s.recon, r * d, d);
        }
        double inner = 0;
        double outer = 0;
        for (int l = 0; l < widths.length; l++) {
            mask(s, l);
            s.codes.decode(s.maskedValues, wDec, s.recon, rows, true);
            double mse = SaeRows.meanSquaredError(s.recon, x, rows, d, s.levelGrads[l], 2.0 / rows, s.rowSums);
            if (l < widths.length - 1) {
                inner += mse;
            } else {
                outer = mse;
            }
        }
        double aux = s.auxK.loss(s.pre, rows, x, s.recon, dead, wDec, config.kAux(), config.auxCoefficient(),
                s.rowSums);
        return new SaeLoss(outer, 0, aux, inner);
    }

    @Override
    void trainingBackward(SaeState s) {
        int rows = s.rows;
        int n = rows * d;
        SparseCodes codes = s.codes;
        for (int l = widths.length - 2; l >= 0; l--) {
            Ops.add(s.levelGrads[l], s.levelGrads[l + 1], s.levelGrads[l], n);
        }
        float[] gWDec = grad(W_DEC);
        for (int l = 0; l < widths.length; l++) {
            codes.valueGradients(s.levelGrads[l], wDec, l == 0 ? 0 : widths[l - 1], widths[l]);
            mask(s, l);
            codes.accumulateRows(s.maskedValues, s.levelGrads[l], gWDec, m);
        }
        codes.maskInactive();
        SaeRows.addColumnSums(s.levelGrads[0], rows, d, 1f, grad(B_DEC));
        sparseInputBackward(s, codes);
        TopKSae.auxBackward(this, s);
        learnThreshold(s);
    }

    /** maskedValues = the kept values of latents in group l, [w_{l−1}, w_l), and 0 for the others. */
    private void mask(SaeState s, int l) {
        int lo = l == 0 ? 0 : widths[l - 1];
        int hi = widths[l];
        SparseCodes codes = s.codes;
        int pairs = codes.pairs();
        Arrays.fill(s.maskedValues, 0, pairs, 0f);
        for (int p = 0; p < pairs; p++) {
            if (codes.idx[p] >= lo && codes.idx[p] < hi) {
                s.maskedValues[p] = codes.val[p];
            }
        }
    }
}
