package io.nanolens.sae.train;

import io.nanolens.sae.Sae;
import io.nanolens.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Anthropic's resampling of dead latents ("Towards Monosemanticity", 2023), as dictionary_learning's standard
 * trainer does it: each dead latent is pointed at an input the SAE reconstructs badly — rows drawn with probability
 * proportional to their squared error — with its decoder row the unit direction of that error (scaled to the mean
 * norm of the live decoder rows), its encoder row the same direction at 0.2 × the mean live encoder norm, a zero
 * encoder bias, and its Adam moments cleared, then given a fresh dead-latent window.
 */
final class Resampler {
    private static final float ENCODER_SCALE = 0.2f;

    private Resampler() {
    }

    /** Resamples the run's dead latents from the batch x [rows, d] the run just stepped on. */
    static int resampleDead(SaeRun run, float[] x, int rows, long seed) {
        boolean[] dead = run.dead().mask();
        int count = 0;
        for (boolean b : dead) {
            count += b ? 1 : 0;
        }
        if (count == 0) {
            return 0;
        }
        Sae sae = run.sae();
        int d = sae.dIn();
        int m = sae.dSae();
        float[] recon = run.state().reconstruction();
        double[] cumulative = new double[rows];
        double total = 0;
        for (int r = 0; r < rows; r++) {
            double e = 0;
            for (int j = 0; j < d; j++) {
                double diff = x[r * d + j] - recon[r * d + j];
                e += diff * diff;
            }
            total += e;
            cumulative[r] = total;
        }
        if (!(total > 0)) {
            return 0;
        }
        Map<String, Tensor> p = sae.parameters();
        float[] wEnc = p.get(Sae.W_ENC).data();
        float[] wDec = p.get(Sae.W_DEC).data();
        Tensor bEnc = p.get(Sae.B_ENC);
        double decNorm = meanLiveNorm(wDec, dead, d);
        double encNorm = meanLiveNorm(wEnc, dead, d);
        Map<String, Tensor> moments = run.adam().state();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < m; i++) {
            if (!dead[i]) {
                continue;
            }
            int r = pick(cumulative, random.nextDouble() * total);
            double norm = 0;
            for (int j = 0; j < d; j++) {
                double diff = x[r * d + j] - recon[r * d + j];
                norm += diff * diff;
            }
            float inv = (float) (1 / Math.sqrt(Math.max(norm, Double.MIN_NORMAL)));
            for (int j = 0; j < d; j++) {
                float u = (x[r * d + j] - recon[r * d + j]) * inv;
                wDec[i * d + j] = (float) (u * decNorm);
                wEnc[i * d + j] = (float) (u * encNorm * ENCODER_SCALE);
            }
            if (bEnc != null) {
                bEnc.data()[i] = 0f;
            }
            for (Map.Entry<String, Tensor> e : moments.entrySet()) {
                clearLatent(e.getKey(), e.getValue(), i, d, m);
            }
            run.dead().revive(i);
        }
        return count;
    }

    /** Zeroes latent i's entries of a moment tensor: row i of an [m, d] matrix or entry i of an [m] vector. */
    private static void clearLatent(String name, Tensor moment, int i, int d, int m) {
        int[] shape = moment.shape();
        if (shape.length == 2 && shape[0] == m && shape[1] == d) {
            java.util.Arrays.fill(moment.data(), i * d, i * d + d, 0f);
        } else if (shape.length == 1 && shape[0] == m && !name.startsWith("bDec")) {
            moment.data()[i] = 0f;
        }
    }

    private static double meanLiveNorm(float[] w, boolean[] dead, int d) {
        double sum = 0;
        int live = 0;
        for (int i = 0; i < dead.length; i++) {
            if (dead[i]) {
                continue;
            }
            double n = 0;
            for (int j = 0; j < d; j++) {
                n += (double) w[i * d + j] * w[i * d + j];
            }
            sum += Math.sqrt(n);
            live++;
        }
        return live > 0 ? sum / live : 1;
    }

    private static int pick(double[] cumulative, double target) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
