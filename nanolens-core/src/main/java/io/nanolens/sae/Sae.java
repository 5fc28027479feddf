package io.nanolens.sae;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Tensor;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A sparse autoencoder: the SAE stage of the data walk (activations → SAE → features). It encodes a batch x
 * [B, d] into latents f [B, m], decodes them into x̂ = f·W_dec + b_dec, and for training computes the loss of its
 * architecture on a batch ({@link #loss}) and sums the gradients of every parameter ({@link #backward}); one
 * subclass per {@link Architecture}, following SAELens 6.18 (saes/*.py) and the papers cited there.
 * <p>
 * Shapes: B rows per batch, d = d_in, m = d_sae. Parameters are stored row-major with one row per latent:
 * {@code wEnc} [m, d] is SAELens's W_enc [d, m] transposed (encoder row i reads x·wEnc[i]), so that every sparse
 * backward product writes whole rows ({@link io.nanolens.tensor.SparseRows}); {@code wDec} [m, d], {@code bEnc}
 * [m], {@code bDec} [d]. The input is centred by b_dec when {@link SaeConfig#applyBDecToInput()}. Buffers of a
 * training step live in a {@link SaeState}; the SAE itself holds only parameters and gradients.
 */
public abstract sealed class Sae permits ReluSae, TopKSae, BatchThresholdSae, JumpReluSae, GatedSae {
    /** Encoder rows [m, d] (SAELens's W_enc transposed). */
    public static final String W_ENC = "wEnc";
    /** Encoder bias [m]; Gated has none. */
    public static final String B_ENC = "bEnc";
    /** Decoder rows [m, d]. */
    public static final String W_DEC = "wDec";
    /** Decoder bias [d]. */
    public static final String B_DEC = "bDec";
    /** JumpReLU: log of each latent's threshold [m]. */
    public static final String LOG_THRESHOLD = "logThreshold";
    /** Gated: gate bias [m]. */
    public static final String B_GATE = "bGate";
    /** Gated: magnitude bias [m]. */
    public static final String B_MAG = "bMag";
    /** Gated: log-scale of the magnitude path's encoder rows [m]. */
    public static final String R_MAG = "rMag";

    /** SAELens decoder_init_norm: decoder rows start at norm 0.1 (Anthropic's April 2024 update). */
    static final float DECODER_INIT_NORM = 0.1f;

    final SaeConfig config;
    final int d;
    final int m;
    final float[] wEnc;             // [m, d] encoder rows
    final float[] bEnc;             // [m], null for Gated
    final float[] wDec;             // [m, d] decoder rows
    final float[] bDec;             // [d]
    private final Map<String, Tensor> parameters;
    private Map<String, Tensor> gradients;

    Sae(SaeConfig config, Map<String, Tensor> parameters) {
        this.config = config;
        this.d = config.dIn();
        this.m = config.dSae();
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        wEnc = parameter(W_ENC);
        bEnc = parameters.containsKey(B_ENC) ? parameter(B_ENC) : null;
        wDec = parameter(W_DEC);
        bDec = parameter(B_DEC);
    }

    /**
     * A new SAE initialised as SAELens does: decoder rows in random directions with norm 0.1, W_enc = W_decᵀ,
     * biases 0, JumpReLU thresholds at {@link SaeConfig#initialThreshold()}; the seed fixes every value.
     */
    public static Sae create(SaeConfig config, long seed) {
        Map<String, Tensor> p = new LinkedHashMap<>();
        parameterShapes(config).forEach((name, shape) -> p.put(name, Tensor.zeros(shape)));
        int d = config.dIn();
        float[] wDec = p.get(W_DEC).data();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < config.dSae(); i++) {
            double norm = 0;
            for (int c = 0; c < d; c++) {
                float v = (float) (2 * random.nextDouble() - 1);
                wDec[i * d + c] = v;
                norm += (double) v * v;
            }
            float scale = (float) (DECODER_INIT_NORM / Math.sqrt(Math.max(norm, Double.MIN_NORMAL)));
            for (int c = 0; c < d; c++) {
                wDec[i * d + c] *= scale;
            }
        }
        System.arraycopy(wDec, 0, p.get(W_ENC).data(), 0, wDec.length);
        if (p.containsKey(LOG_THRESHOLD)) {
            Arrays.fill(p.get(LOG_THRESHOLD).data(), (float) Math.log(config.initialThreshold()));
        }
        return config.architecture().newSae(config, p);
    }

    /**
     * The SAE over these tensors (used, not copied), e.g. read from a file.
     *
     * @throws NanolensException if a parameter is missing, unexpected or has the wrong shape for the config
     */
    public static Sae of(SaeConfig config, Map<String, Tensor> parameters) {
        Map<String, int[]> shapes = parameterShapes(config);
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            Tensor t = parameters.get(e.getKey());
            if (t == null) {
                throw new NanolensException("SAE parameter '" + e.getKey() + "' is missing; a "
                        + config.architecture().id() + " SAE needs " + shapes.keySet());
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new NanolensException("SAE parameter '" + e.getKey() + "' has shape "
                        + Arrays.toString(t.shape()) + " but d_in = " + config.dIn() + ", d_sae = " + config.dSae()
                        + " need " + Arrays.toString(e.getValue()));
            }
            ordered.put(e.getKey(), t);
        }
        if (parameters.size() != ordered.size()) {
            throw new NanolensException("unexpected SAE parameters " + parameters.keySet().stream()
                    .filter(k -> !ordered.containsKey(k)).toList() + " for a " + config.architecture().id()
                    + " SAE; expected only " + shapes.keySet());
        }
        return config.architecture().newSae(config, ordered);
    }

    /** Names and shapes of the parameters of an SAE with this config, in a fixed order. */
    public static Map<String, int[]> parameterShapes(SaeConfig config) {
        int d = config.dIn();
        int m = config.dSae();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put(W_ENC, new int[] {m, d});
        if (config.architecture() != Architecture.GATED) {
            shapes.put(B_ENC, new int[] {m});
        }
        shapes.put(W_DEC, new int[] {m, d});
        shapes.put(B_DEC, new int[] {d});
        switch (config.architecture()) {
            case JUMP_RELU -> shapes.put(LOG_THRESHOLD, new int[] {m});
            case GATED -> {
                shapes.put(B_GATE, new int[] {m});
                shapes.put(B_MAG, new int[] {m});
                shapes.put(R_MAG, new int[] {m});
            }
            default -> {
            }
        }
        return shapes;
    }

    public SaeConfig config() {
        return config;
    }

    public Architecture architecture() {
        return config.architecture();
    }

    public int dIn() {
        return d;
    }

    public int dSae() {
        return m;
    }

    /** Every parameter by name ({@link #parameterShapes} order); the map is unmodifiable, the tensors are live. */
    public Map<String, Tensor> parameters() {
        return parameters;
    }

    /** Gradients with the parameters' names and shapes; allocated as zeros on first use, summed by backward. */
    public Map<String, Tensor> gradients() {
        if (gradients == null) {
            Map<String, Tensor> g = new LinkedHashMap<>();
            parameters.forEach((name, p) -> g.put(name, Tensor.zeros(p.shape())));
            gradients = Collections.unmodifiableMap(g);
        }
        return gradients;
    }

    /** Sets every gradient to zero. */
    public void zeroGradients() {
        gradients().values().forEach(t -> Arrays.fill(t.data(), 0f));
    }

    /**
     * BatchTopK and Matryoshka: the inference threshold θ, a moving average {@link #backward} updates (not a
     * parameter, so checkpoints keep it apart); NaN for the other architectures.
     */
    public double batchThreshold() {
        return Double.NaN;
    }

    /**
     * Sets the BatchTopK or Matryoshka inference threshold, when loading an SAE or resuming its training.
     *
     * @throws NanolensException if the architecture has no batch threshold or θ is negative or not finite
     */
    public void setBatchThreshold(double theta) {
        throw new NanolensException("a " + config.architecture().id() + " SAE has no batch threshold; only "
                + "batchtopk and matryoshka SAEs learn one");
    }

    /** Latents f [rows, m] of x [rows, d] as used at inference (a new array). */
    public float[] encode(float[] x, int rows) {
        checkInput(x, rows, d, "x");
        float[] f = new float[Math.multiplyExact(rows, m)];
        encodeInto(x, rows, f);
        return f;
    }

    /** The reconstruction f·W_dec + b_dec [rows, d] of latents f [rows, m] (a new array). */
    public float[] decode(float[] f, int rows) {
        checkInput(f, rows, m, "f");
        float[] out = new float[rows * d];
        decodeDense(f, rows, out);
        return out;
    }

    /** decode(encode(x)): the reconstruction x̂ [rows, d] of x [rows, d] at inference (a new array). */
    public float[] forward(float[] x, int rows) {
        return decode(encode(x, rows), rows);
    }

    /** Buffers for training steps of at most {@code maxRows} rows on this SAE (or another of its shape). */
    public SaeState newState(int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("an SAE state needs at least one row, got " + maxRows);
        }
        SaeState s = new SaeState(config, maxRows);
        allocate(s);
        return s;
    }

    /**
     * The training loss on the batch x [rows, d], keeping in {@code state} what {@link #backward} needs.
     *
     * @param sparsityCoefficient the L1 (ReLU, Gated) or L0 (JumpReLU) weight of this step (warm-up may scale
     *                            the configured one); ignored by the TopK family
     * @param dead                [m] latents counted as dead, for AuxK (TopK family); null means none
     */
    public final SaeLoss loss(SaeState state, float[] x, int rows, float sparsityCoefficient, boolean[] dead) {
        checkState(state);
        if (rows < 1 || rows > state.maxRows) {
            throw new IllegalArgumentException("batch of " + rows + " rows for a state of at most " + state.maxRows);
        }
        checkInput(x, rows, d, "x");
        if (dead != null && dead.length != m) {
            throw new IllegalArgumentException("dead mask has " + dead.length + " entries for d_sae = " + m);
        }
        if (!(sparsityCoefficient >= 0) || Float.isInfinite(sparsityCoefficient)) {
            throw new IllegalArgumentException("sparsity coefficient " + sparsityCoefficient + " must be finite ≥ 0");
        }
        state.rows = rows;
        state.coefficient = sparsityCoefficient;
        SaeLoss loss = trainingLoss(state, x, dead);
        state.backwardReady = true;
        return loss;
    }

    /** Adds the gradient of the last {@link #loss} on {@code state} to {@link #gradients()}. */
    public final void backward(SaeState state) {
        checkState(state);
        if (!state.backwardReady) {
            throw new IllegalStateException("backward needs a loss on the same state first");
        }
        gradients();
        trainingBackward(state);
        state.backwardReady = false;
    }

    /** Inference encoding of x [rows, d] into f [rows, m]. */
    abstract void encodeInto(float[] x, int rows, float[] f);

    /** Adds the architecture's buffers to a new state. */
    abstract void allocate(SaeState s);

    /** The loss of x on the first {@code s.rows} rows, with {@code s.coefficient} as sparsity coefficient. */
    abstract SaeLoss trainingLoss(SaeState s, float[] x, boolean[] dead);

    /** Sums the gradients of the last trainingLoss into the gradient tensors. */
    abstract void trainingBackward(SaeState s);

    final float[] parameter(String name) {
        return parameters.get(name).data();
    }

    final float[] grad(String name) {
        return gradients.get(name).data();
    }

    /** saeIn [rows, d] = x − b_dec, or x when b_dec is not applied to the input. */
    final void center(float[] x, int rows, float[] saeIn) {
        if (config.applyBDecToInput()) {
            SaeRows.subtractRowBias(x, rows, d, bDec, saeIn);
        } else {
            System.arraycopy(x, 0, saeIn, 0, rows * d);
        }
    }

    /** pre [rows, m] = saeIn·wEncᵀ, plus {@code bias} [m] per row unless it is null. The one dense product. */
    final void preActivations(float[] saeIn, int rows, float[] pre, float[] bias) {
        Matmul.abT(saeIn, wEnc, pre, rows, d, m, false);
        if (bias != null) {
            SaeRows.addRowBias(pre, rows, m, bias);
        }
    }

    /** out [rows, d] = f·wDec + bDec for dense latents f [rows, m]. */
    final void decodeDense(float[] f, int rows, float[] out) {
        Matmul.ab(f, wDec, out, rows, m, d, false);
        SaeRows.addRowBias(out, rows, d, bDec);
    }

    /** The gradients of wEnc, bEnc and (through the centred input) bDec, given gradPre = ∂L/∂pre [rows, m]. */
    final void denseInputBackward(SaeState s, float[] gradPre) {
        int rows = s.rows;
        Matmul.aTb(gradPre, s.saeIn, grad(W_ENC), m, rows, d, true);
        if (bEnc != null) {
            SaeRows.addColumnSums(gradPre, rows, m, 1f, grad(B_ENC));
        }
        if (config.applyBDecToInput()) {
            Matmul.ab(gradPre, wEnc, s.inputGrad, rows, m, d, false);
            SaeRows.addColumnSums(s.inputGrad, rows, d, -1f, grad(B_DEC));
        }
    }

    /** As {@link #denseInputBackward} for sparse codes whose {@code grad} holds ∂L/∂pre of each pair. */
    final void sparseInputBackward(SaeState s, SparseCodes codes) {
        codes.accumulateRows(codes.grad, s.saeIn, grad(W_ENC), m);
        codes.addToBias(codes.grad, grad(B_ENC));
        if (config.applyBDecToInput()) {
            codes.decode(codes.grad, wEnc, s.inputGrad, s.rows, false);
            SaeRows.addColumnSums(s.inputGrad, s.rows, d, -1f, grad(B_DEC));
        }
    }

    private void checkState(SaeState s) {
        if (s.architecture != config.architecture() || s.d != d || s.m != m) {
            throw new IllegalArgumentException("state made for a " + s.architecture.id() + " SAE of d_in = " + s.d
                    + ", d_sae = " + s.m + " used with a " + config.architecture().id() + " SAE of d_in = " + d
                    + ", d_sae = " + m);
        }
    }

    private static void checkInput(float[] x, int rows, int width, String name) {
        if (rows < 0 || (long) rows * width > x.length) {
            throw new IllegalArgumentException(name + " holds " + x.length + " values, fewer than " + rows + " rows of "
                    + width);
        }
    }
}
