package io.nanolens.sae;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sparse TopK and BatchTopK step (decode and every backward product over kept latents only) against a dense
 * float64 computation of the same quantities over the full [B, m] latent matrix, at a size where the Vector API
 * kernels, the segmented codes and the thread split all run: d = 64, m = 512, B = 96, k = 16, 40 dead latents.
 */
class SparseBackwardTest {
    private static final int D = 64;
    private static final int M = 512;
    private static final int ROWS = 96;
    private static final int K = 16;
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"TOP_K", "BATCH_TOP_K"})
    void sparseStepEqualsTheDenseComputation(Architecture architecture) {
        SaeConfig config = SaeConfig.of(architecture, D, M).withK(K).withAux(0.5f, D / 2);
        Sae sae = TestSaes.random(config, 31);
        float[] x = TestSaes.gaussian(32, ROWS * D);
        boolean[] dead = new boolean[M];
        for (int i = 0; i < M; i += 13) {
            dead[i] = true;
        }
        SaeState state = sae.newState(ROWS);
        SaeLoss loss = sae.loss(state, x, ROWS, 0f, dead);
        sae.backward(state);

        SaeReference reference = new SaeReference(config);
        Map<String, double[]> p = SaeReference.toDouble(sae.parameters());
        double[] xd = SaeReference.toDouble(x);
        double[] saeIn = reference.center(p, xd, ROWS);
        double[] pre = reference.pre(p, saeIn, ROWS, p.get("bEnc"));
        double[] f = reference.keep(pre, ROWS);
        double[] xHat = reference.decode(f, p.get("wDec"), p.get("bDec"), ROWS);
        SaeGradientTest.assertClose(xHat, state.reconstruction(), "reconstruction");
        assertEquals(reference.mse(xHat, xd, ROWS), loss.mse(), 1e-4 * loss.mse(), "mse");

        double[] gradOut = new double[ROWS * D];
        for (int q = 0; q < gradOut.length; q++) {
            gradOut[q] = 2.0 / ROWS * (xHat[q] - xd[q]);
        }
        double[] gradPre = maskedProducts(gradOut, p.get("wDec"), f);
        Dense want = new Dense();
        want.add(f, gradOut, gradPre, saeIn, p.get("wEnc"));
        double[] auxActs = auxActs(pre, dead, config.kAux());
        double[] auxGrad = auxGradient(auxActs, p.get("wDec"), xd, xHat, config);
        want.add(auxActs, auxGrad, unmasked(auxGrad, p.get("wDec"), auxActs), saeIn, p.get("wEnc"));
        for (int j = 0; j < D; j++) {
            for (int r = 0; r < ROWS; r++) {
                want.bDec[j] += gradOut[r * D + j];
            }
        }
        assertTrue(loss.auxiliary() > 0, "AuxK must be active with dead latents");
        SaeGradientTest.assertClose(want.wDec, sae.gradients().get("wDec").data(), "wDec");
        SaeGradientTest.assertClose(want.wEnc, sae.gradients().get("wEnc").data(), "wEnc");
        SaeGradientTest.assertClose(want.bEnc, sae.gradients().get("bEnc").data(), "bEnc");
        SaeGradientTest.assertClose(want.bDec, sae.gradients().get("bDec").data(), "bDec");
    }

    /** Dense gradient sums over all B·m latent entries. */
    private static final class Dense {
        final double[] wDec = new double[M * D];
        final double[] wEnc = new double[M * D];
        final double[] bEnc = new double[M];
        final double[] bDec = new double[D];

        /** Adds the gradients of a reconstruction acts·W_dec with error gradient g and ∂L/∂pre gradPre. */
        void add(double[] acts, double[] g, double[] gradPre, double[] saeIn, double[] wEncRows) {
            for (int r = 0; r < ROWS; r++) {
                for (int i = 0; i < M; i++) {
                    double a = acts[r * M + i];
                    double gp = gradPre[r * M + i];
                    bEnc[i] += gp;
                    for (int j = 0; j < D; j++) {
                        wDec[i * D + j] += a * g[r * D + j];
                        wEnc[i * D + j] += gp * saeIn[r * D + j];
                        bDec[j] -= gp * wEncRows[i * D + j];
                    }
                }
            }
        }
    }

    /** (g·W_decᵀ) where acts > 0, else 0: ∂L/∂pre through a ReLU-kept latent. */
    private static double[] maskedProducts(double[] g, double[] wDec, double[] acts) {
        double[] out = new double[ROWS * M];
        for (int r = 0; r < ROWS; r++) {
            for (int i = 0; i < M; i++) {
                if (acts[r * M + i] > 0) {
                    out[r * M + i] = dotRow(g, r, wDec, i);
                }
            }
        }
        return out;
    }

    /** (g·W_decᵀ) on the chosen AuxK entries (any sign), else 0. */
    private static double[] unmasked(double[] g, double[] wDec, double[] chosen) {
        double[] out = new double[ROWS * M];
        for (int r = 0; r < ROWS; r++) {
            for (int i = 0; i < M; i++) {
                if (chosen[r * M + i] != 0) {
                    out[r * M + i] = dotRow(g, r, wDec, i);
                }
            }
        }
        return out;
    }

    /** Per row, the k_aux dead latents with the largest pre-activations, at their raw values. */
    private static double[] auxActs(double[] pre, boolean[] dead, int kAux) {
        double[] a = new double[ROWS * M];
        boolean[] taken = new boolean[ROWS * M];
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < kAux; j++) {
                int best = -1;
                for (int i = 0; i < M; i++) {
                    if (dead[i] && !taken[r * M + i] && (best < 0 || pre[r * M + i] > pre[r * M + best])) {
                        best = i;
                    }
                }
                taken[r * M + best] = true;
                a[r * M + best] = pre[r * M + best];
            }
        }
        return a;
    }

    /** ∂L_aux/∂(aux reconstruction) = 2α·scale/B·(aux·W_dec − (x − x̂)); scale = 1 here (40 dead ≥ k_aux). */
    private static double[] auxGradient(double[] auxActs, double[] wDec, double[] x, double[] xHat, SaeConfig c) {
        double[] g = new double[ROWS * D];
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < D; j++) {
                double recon = 0;
                for (int i = 0; i < M; i++) {
                    recon += auxActs[r * M + i] * wDec[i * D + j];
                }
                g[r * D + j] = 2.0 * c.auxCoefficient() / ROWS * (recon - (x[r * D + j] - xHat[r * D + j]));
            }
        }
        return g;
    }

    private static double dotRow(double[] g, int r, double[] w, int i) {
        double s = 0;
        for (int j = 0; j < D; j++) {
            s += g[r * D + j] * w[i * D + j];
        }
        return s;
    }
}
