package io.nanolens.sae;

import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Parallel;
import io.nanolens.tensor.Tensor;

import java.util.Map;

/**
 * The JumpReLU SAE (Rajamanoharan et al. 2024, "Jumping Ahead"; SAELens 6.18 jumprelu_sae.py, "step" mode):
 * f = pre·H(pre − θ) with pre = saeIn·W_enc + b_enc and a learned threshold θ_i = exp(logThreshold_i) per latent,
 * trained with L = mean_r ‖x̂ − x‖² + λ·mean_r Σ_i H(pre_ri − θ_i), the L0 norm itself. H has no useful derivative
 * in θ, so the threshold gets the straight-through pseudo-gradients of the paper with a rectangle kernel of
 * bandwidth ε, K(u) = 1 for |u| < ½:
 * ∂f/∂θ := −(θ/ε)·K((pre − θ)/ε) and ∂H(pre − θ)/∂θ := −(1/ε)·K((pre − θ)/ε); pre itself gets the exact
 * ∂f/∂pre = H(pre − θ) and nothing through the L0 term. The chain rule through θ = exp(logθ) multiplies by θ.
 */
final class JumpReluSae extends Sae {
    final float[] logThreshold;     // [m]

    JumpReluSae(SaeConfig config, Map<String, Tensor> parameters) {
        super(config, parameters);
        logThreshold = parameter(LOG_THRESHOLD);
    }

    /**
     * The log-threshold whose threshold is exactly {@code threshold} when one exists (always, for a threshold this
     * class wrote), else the nearest: thresholds survive a save and load bit for bit. 0 maps to −∞.
     */
    static float logThresholdOf(float threshold) {
        float nearest = (float) Math.log(threshold);
        for (float candidate : new float[] {nearest, Math.nextDown(nearest), Math.nextUp(nearest)}) {
            if (thresholdOf(candidate) == threshold) {
                return candidate;
            }
        }
        return nearest;
    }

    static float thresholdOf(float logThreshold) {
        return (float) Math.exp(logThreshold);
    }

    /** θ_i = exp(logThreshold_i) into out [m]. */
    void thresholds(float[] out) {
        for (int i = 0; i < m; i++) {
            out[i] = thresholdOf(logThreshold[i]);
        }
    }

    @Override
    void encodeInto(float[] x, int rows, float[] f) {
        float[] saeIn = new float[rows * d];
        float[] theta = new float[m];
        thresholds(theta);
        center(x, rows, saeIn);
        preActivations(saeIn, rows, f, bEnc);
        jump(f, f, theta, rows);
    }

    @Override
    void allocate(SaeState s) {
        s.pre = s.rowsByLatents();
        s.acts = s.rowsByLatents();
        s.gradPre = s.rowsByLatents();
        s.thresholds = new float[m];
    }

    @Override
    SaeLoss trainingLoss(SaeState s, float[] x, boolean[] dead) {
        int rows = s.rows;
        center(x, rows, s.saeIn);
        preActivations(s.saeIn, rows, s.pre, bEnc);
        thresholds(s.thresholds);
        long active = jump(s.pre, s.acts, s.thresholds, rows);
        decodeDense(s.acts, rows, s.recon);
        double mse = SaeRows.meanSquaredError(s.recon, x, rows, d, s.gradOut, 2.0 / rows, s.rowSums);
        return new SaeLoss(mse, (double) s.coefficient * active / rows, 0, 0);
    }

    @Override
    void trainingBackward(SaeState s) {
        int rows = s.rows;
        Matmul.aTb(s.acts, s.gradOut, grad(W_DEC), m, rows, d, true);
        SaeRows.addColumnSums(s.gradOut, rows, d, 1f, grad(B_DEC));
        Matmul.abT(s.gradOut, wDec, s.gradPre, rows, d, m, false);
        thresholdBackward(s, grad(LOG_THRESHOLD));
        float[] pre = s.pre;
        float[] g = s.gradPre;
        float[] theta = s.thresholds;
        SaeRows.forRows(rows, m, (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int i = 0, o = r * m; i < m; i++) {
                    if (!(pre[o + i] > theta[i])) {
                        g[o + i] = 0f;
                    }
                }
            }
        });
        denseInputBackward(s, g);
    }

    /**
     * gLog[i] += θ_i·Σ_r K((pre_ri − θ_i)/ε)·(−(θ_i/ε)·∂L/∂f_ri − λ/(rows·ε)), with s.gradPre holding ∂L/∂f.
     * Threads own ranges of latents.
     */
    private void thresholdBackward(SaeState s, float[] gLog) {
        int rows = s.rows;
        float eps = config.bandwidth();
        float l0Term = s.coefficient / (rows * eps);
        float[] pre = s.pre;
        float[] g = s.gradPre;
        float[] theta = s.thresholds;
        float[] sums = s.latentSums;
        Parallel.forRange(m, Math.max(1, (1 << 15) / rows), (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                sums[i] = 0;
            }
            for (int r = 0; r < rows; r++) {
                for (int i = lo, o = r * m; i < hi; i++) {
                    float u = (pre[o + i] - theta[i]) / eps;
                    if (u > -0.5f && u < 0.5f) {
                        sums[i] += -(theta[i] / eps) * g[o + i] - l0Term;
                    }
                }
            }
            for (int i = lo; i < hi; i++) {
                gLog[i] += theta[i] * sums[i];
            }
        });
    }

    /** out = pre where pre > θ (per latent), else 0; returns how many values passed. out may be pre. */
    private long jump(float[] pre, float[] out, float[] theta, int rows) {
        long active = 0;
        for (int r = 0; r < rows; r++) {
            for (int i = 0, o = r * m; i < m; i++) {
                if (pre[o + i] > theta[i]) {
                    out[o + i] = pre[o + i];
                    active++;
                } else {
                    out[o + i] = 0f;
                }
            }
        }
        return active;
    }
}
