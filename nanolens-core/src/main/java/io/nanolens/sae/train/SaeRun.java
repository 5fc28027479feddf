package io.nanolens.sae.train;

import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.SaeLoss;
import io.nanolens.sae.SaeState;
import io.nanolens.tensor.Tensor;
import io.nanolens.train.AdamW;

import java.util.Arrays;
import java.util.Map;

/**
 * One SAE of a sweep while it trains: the SAE, its Adam, its step buffers, its dead-latent tracker and the
 * firing counts of the current logging interval. {@link SaeTrainer} steps every run on the same batch.
 */
public final class SaeRun {
    private final String name;
    private final Sae sae;
    private final AdamW adam;
    private final SaeState state;
    private final DeadLatents dead;
    private final boolean unitDecoder;
    private final float baseLr;
    private final int[] batchFirings;
    private SaeMetrics last;

    SaeRun(String name, Sae sae, SaeTrainingConfig config) {
        this.name = name;
        this.sae = sae;
        this.adam = new AdamW(config.beta1(), config.beta2(), config.eps());
        this.baseLr = config.lrFor(sae.dSae());
        Map<String, Tensor> grads = sae.gradients();
        sae.parameters().forEach((param, t) -> adam.add(param, t, grads.get(param), baseLr, 0f));
        this.state = sae.newState(config.batchRows());
        this.dead = new DeadLatents(sae.dSae(), config.deadWindow());
        this.unitDecoder = unitDecoder(sae.architecture());
        this.batchFirings = new int[sae.dSae()];
    }

    /**
     * Whether the architecture keeps decoder rows at unit norm: the TopK family, as OpenAI, sparsify and
     * dictionary_learning train it. ReLU, JumpReLU and Gated keep SAELens's free norms (their sparsity penalties
     * weigh activations by ‖W_dec_i‖, which a fixed norm would make moot).
     */
    static boolean unitDecoder(Architecture architecture) {
        return architecture.usesK();
    }

    public String name() {
        return name;
    }

    public Sae sae() {
        return sae;
    }

    /** The metrics of the last step, null before the first. */
    public SaeMetrics lastMetrics() {
        return last;
    }

    AdamW adam() {
        return adam;
    }

    DeadLatents dead() {
        return dead;
    }

    boolean unitDecoderRows() {
        return unitDecoder;
    }

    SaeState state() {
        return state;
    }

    /** Loss, backward, decoder constraint, Adam, renormalisation and bookkeeping of one batch. */
    SaeMetrics step(float[] x, int rows, int step, long tokensAfter, float lrMultiplier, float sparsityMultiplier) {
        SaeConfig c = sae.config();
        sae.zeroGradients();
        boolean[] deadMask = sae.architecture().usesK() ? dead.mask() : null;
        SaeLoss loss = sae.loss(state, x, rows, c.sparsityCoefficient() * sparsityMultiplier, deadMask);
        sae.backward(state);
        float[] wDec = sae.parameters().get(Sae.W_DEC).data();
        if (unitDecoder) {
            DecoderNorms.removeParallelGradient(wDec, sae.gradients().get(Sae.W_DEC).data(), sae.dSae(), sae.dIn());
        }
        adam.step(lrMultiplier);
        if (unitDecoder) {
            DecoderNorms.normalizeRows(wDec, sae.dSae(), sae.dIn());
        }
        Arrays.fill(batchFirings, 0);
        long firings = state.addFirings(batchFirings);
        dead.record(batchFirings, rows);
        last = new SaeMetrics(name, step, tokensAfter, loss.total(), loss.mse(),
                fractionOfVarianceUnexplained(x, state.reconstruction(), rows, sae.dIn()),
                (double) firings / rows, dead.deadFraction(), lrMultiplier * baseLr);
        return last;
    }

    /** Σ‖x − x̂‖² / Σ‖x − x̄‖² over the batch, x̄ the batch mean (sparsify's FVU), in float64. */
    static double fractionOfVarianceUnexplained(float[] x, float[] recon, int rows, int d) {
        double[] mean = new double[d];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < d; j++) {
                mean[j] += x[r * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= rows;
        }
        double err = 0;
        double total = 0;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < d; j++) {
                double e = x[r * d + j] - recon[r * d + j];
                double v = x[r * d + j] - mean[j];
                err += e * e;
                total += v * v;
            }
        }
        return total > 0 ? err / total : (err > 0 ? Double.POSITIVE_INFINITY : 0);
    }
}
