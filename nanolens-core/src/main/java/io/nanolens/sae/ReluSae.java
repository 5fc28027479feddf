package io.nanolens.sae;

import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Tensor;

import java.util.Map;

/**
 * The "standard" SAE: f = ReLU(saeIn·W_enc + b_enc), trained with L = mean_r ‖x̂ − x‖² + λ·mean_r Σ_i f_ri·‖W_dec_i‖,
 * the L1 penalty weighted by decoder row norms so that shrinking f by growing W_dec does not pay (Anthropic's April
 * 2024 update; SAELens standard_sae.py with lp_norm 1). Every product is dense.
 */
final class ReluSae extends Sae {

    ReluSae(SaeConfig config, Map<String, Tensor> parameters) {
        super(config, parameters);
    }

    @Override
    void encodeInto(float[] x, int rows, float[] f) {
        float[] saeIn = new float[rows * d];
        center(x, rows, saeIn);
        preActivations(saeIn, rows, f, bEnc);
        SaeRows.relu(f, rows * m);
    }

    @Override
    void allocate(SaeState s) {
        s.acts = s.rowsByLatents();
        s.gradPre = s.rowsByLatents();
    }

    @Override
    SaeLoss trainingLoss(SaeState s, float[] x, boolean[] dead) {
        int rows = s.rows;
        center(x, rows, s.saeIn);
        preActivations(s.saeIn, rows, s.acts, bEnc);
        SaeRows.relu(s.acts, rows * m);
        decodeDense(s.acts, rows, s.recon);
        double mse = SaeRows.meanSquaredError(s.recon, x, rows, d, s.gradOut, 2.0 / rows, s.rowSums);
        SaeRows.rowNorms(wDec, m, d, s.decoderNorms);
        SaeRows.columnSums(s.acts, rows, m, s.latentSums);
        double l1 = s.coefficient * SaeRows.dot(s.latentSums, s.decoderNorms, m) / rows;
        return new SaeLoss(mse, l1, 0, 0);
    }

    @Override
    void trainingBackward(SaeState s) {
        int rows = s.rows;
        float[] gWDec = grad(W_DEC);
        Matmul.aTb(s.acts, s.gradOut, gWDec, m, rows, d, true);
        SaeRows.addColumnSums(s.gradOut, rows, d, 1f, grad(B_DEC));
        float c = s.coefficient / rows;
        SaeRows.addNormGradient(s.latentSums, c, s.decoderNorms, wDec, gWDec, m, d);
        Matmul.abT(s.gradOut, wDec, s.gradPre, rows, d, m, false);
        float[] acts = s.acts;
        float[] g = s.gradPre;
        float[] norms = s.decoderNorms;
        SaeRows.forRows(rows, m, (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int i = 0, o = r * m; i < m; i++) {
                    g[o + i] = acts[o + i] > 0 ? g[o + i] + c * norms[i] : 0f;
                }
            }
        });
        denseInputBackward(s, g);
    }
}
