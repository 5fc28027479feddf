package io.nanolens.sae;

import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Ops;
import io.nanolens.tensor.Parallel;
import io.nanolens.tensor.Tensor;

import java.util.Map;

/**
 * The Gated SAE (Rajamanoharan et al. 2024, "Improving Dictionary Learning with Gated Sparse Autoencoders";
 * SAELens gated_sae.py): one encoder product p = saeIn·W_enc feeds a gate π_gate = p + b_gate, which decides
 * which latents fire, and a magnitude π_mag = exp(r_mag)·p + b_mag, which says how strongly:
 * f = H(π_gate)·ReLU(π_mag). The loss is mean_r ‖x̂ − x‖² + λ·mean_r Σ_i ReLU(π_gate)_ri·‖W_dec_i‖ +
 * α·mean_r ‖ReLU(π_gate)_r·W_dec + b_dec − x_r‖². As in the paper (and dictionary_learning) the auxiliary
 * reconstruction uses a frozen copy of the decoder, so it trains only the gate path; SAELens lets it train the
 * decoder too. H passes no gradient, so the gate learns from the penalty and the auxiliary loss alone.
 */
final class GatedSae extends Sae {
    final float[] bGate;            // [m]
    final float[] bMag;             // [m]
    final float[] rMag;             // [m]

    GatedSae(SaeConfig config, Map<String, Tensor> parameters) {
        super(config, parameters);
        bGate = parameter(B_GATE);
        bMag = parameter(B_MAG);
        rMag = parameter(R_MAG);
    }

    @Override
    void encodeInto(float[] x, int rows, float[] f) {
        float[] saeIn = new float[rows * d];
        center(x, rows, saeIn);
        preActivations(saeIn, rows, f, null);
        float[] scale = new float[m];
        magnitudeScales(scale);
        gate(f, f, null, scale, rows);
    }

    @Override
    void allocate(SaeState s) {
        s.pre = s.rowsByLatents();
        s.acts = s.rowsByLatents();
        s.gradPre = s.rowsByLatents();
        s.gateActs = s.rowsByLatents();
        s.gateGrad = s.rowsByLatents();
        s.gateRecon = new float[s.maxRows * d];
        s.magSums = new float[m];
        s.scaleSums = new float[m];
        s.magScales = new float[m];
    }

    @Override
    SaeLoss trainingLoss(SaeState s, float[] x, boolean[] dead) {
        int rows = s.rows;
        center(x, rows, s.saeIn);
        preActivations(s.saeIn, rows, s.pre, null);
        magnitudeScales(s.magScales);
        gate(s.pre, s.acts, s.gateActs, s.magScales, rows);
        decodeDense(s.acts, rows, s.recon);
        double mse = SaeRows.meanSquaredError(s.recon, x, rows, d, s.gradOut, 2.0 / rows, s.rowSums);
        SaeRows.rowNorms(wDec, m, d, s.decoderNorms);
        SaeRows.columnSums(s.gateActs, rows, m, s.latentSums);
        double l1 = s.coefficient * SaeRows.dot(s.latentSums, s.decoderNorms, m) / rows;
        decodeDense(s.gateActs, rows, s.gateRecon);
        float alpha = config.auxCoefficient();
        double aux = alpha * SaeRows.meanSquaredError(s.gateRecon, x, rows, d, s.gateRecon, 2.0 * alpha / rows,
                s.rowSums);
        return new SaeLoss(mse, l1, aux, 0);
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
        Matmul.abT(s.gateRecon, wDec, s.gateGrad, rows, d, m, false);
        preActivationGradients(s, c);
        float[] gBMag = grad(B_MAG);
        float[] gRMag = grad(R_MAG);
        for (int i = 0; i < m; i++) {
            gBMag[i] += s.magSums[i];
            gRMag[i] += s.magScales[i] * s.scaleSums[i];
        }
        SaeRows.addColumnSums(s.gateGrad, rows, m, 1f, grad(B_GATE));
        Ops.add(s.gradPre, s.gateGrad, s.gradPre, rows * m);
        denseInputBackward(s, s.gradPre);
    }

    /**
     * From ∂L/∂f in gradPre and ∂L_aux/∂(gate acts) in gateGrad: gateGrad becomes ∂L/∂π_gate (adding the
     * penalty's c·‖W_dec_i‖), gradPre becomes ∂L/∂π_mag·exp(r_mag) (the magnitude path's share of ∂L/∂p), and
     * magSums, scaleSums the column sums of ∂L/∂π_mag and ∂L/∂π_mag·p. Threads own ranges of latents.
     */
    private void preActivationGradients(SaeState s, float c) {
        int rows = s.rows;
        float[] p = s.pre;
        float[] gf = s.gradPre;
        float[] gg = s.gateGrad;
        float[] norms = s.decoderNorms;
        float[] scales = s.magScales;
        Parallel.forRange(m, Math.max(1, (1 << 15) / rows), (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                s.magSums[i] = 0;
                s.scaleSums[i] = 0;
            }
            for (int r = 0; r < rows; r++) {
                for (int i = lo, o = r * m; i < hi; i++) {
                    float scale = scales[i];
                    boolean open = p[o + i] + bGate[i] > 0;
                    float magGrad = open && scale * p[o + i] + bMag[i] > 0 ? gf[o + i] : 0f;
                    s.magSums[i] += magGrad;
                    s.scaleSums[i] += magGrad * p[o + i];
                    gf[o + i] = magGrad * scale;
                    gg[o + i] = open ? gg[o + i] + c * norms[i] : 0f;
                }
            }
        });
    }

    /** scale[i] = exp(r_mag[i]), the factor by which the magnitude path rescales the shared encoder. */
    private void magnitudeScales(float[] scale) {
        for (int i = 0; i < m; i++) {
            scale[i] = (float) Math.exp(rMag[i]);
        }
    }

    /** f = H(p + b_gate)·ReLU(scale·p + b_mag) into f, and ReLU(p + b_gate) into gateActs unless null. */
    private void gate(float[] p, float[] f, float[] gateActs, float[] scale, int rows) {
        SaeRows.forRows(rows, m, (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int i = 0, o = r * m; i < m; i++) {
                    float gatePre = p[o + i] + bGate[i];
                    float mag = scale[i] * p[o + i] + bMag[i];
                    if (gateActs != null) {
                        gateActs[o + i] = Math.max(gatePre, 0f);
                    }
                    f[o + i] = gatePre > 0 && mag > 0 ? mag : 0f;
                }
            }
        });
    }
}
