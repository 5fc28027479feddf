package io.nanolens.sae;

import io.nanolens.NanolensException;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything that fixes an SAE's shape and loss: the architecture, d_in and d_sae, k for the TopK family and the
 * coefficients of the architecture's own loss terms. It sits at the SAE stage (activations → SAE → features); the
 * trainer may vary the sparsity coefficient per step (warm-up) and passes the current value to
 * {@link Sae#loss}. Defaults follow SAELens 6.18 and the papers its classes cite (see {@link #of}).
 *
 * @param architecture        which SAE
 * @param dIn                 input width d (the hook's width)
 * @param dSae                number of latents m
 * @param k                   TopK: latents kept per row; BatchTopK and Matryoshka: per row on average over a batch
 * @param sparsityCoefficient L1 weight (ReLU, Gated) or L0 weight (JumpReLU); unused by the TopK family
 * @param auxCoefficient      weight of the auxiliary loss: AuxK (TopK family) or the gate-path reconstruction (Gated)
 * @param kAux                dead latents AuxK lets reconstruct the residual, per row (at most)
 * @param bandwidth           JumpReLU: width ε of the rectangle kernel of the straight-through estimator
 * @param initialThreshold    JumpReLU: threshold every latent starts with
 * @param thresholdRate       BatchTopK, Matryoshka: rate of the moving average that learns the inference threshold
 * @param prefixes            Matryoshka: nested dictionary widths, strictly increasing, the last = dSae; [dSae] for
 *                            the other architectures
 * @param applyBDecToInput    subtract b_dec from the input before encoding (SAELens apply_b_dec_to_input)
 */
public record SaeConfig(Architecture architecture, int dIn, int dSae, int k, float sparsityCoefficient,
                        float auxCoefficient, int kAux, float bandwidth, float initialThreshold, float thresholdRate,
                        List<Integer> prefixes, boolean applyBDecToInput) {

    /** Latents kept per row by default (the k of OpenAI's GPT-2 SAEs and of sparsify). */
    public static final int DEFAULT_K = 32;
    /** SAELens's default l1_coefficient and l0_coefficient. */
    public static final float DEFAULT_SPARSITY_COEFFICIENT = 1f;
    /**
     * SAELens's aux_loss_coefficient. Its AuxK is not divided by the input variance, unlike OpenAI's and
     * dictionary_learning's (whose 1/32 multiplies a normalised error), so the two coefficients are not comparable.
     */
    public static final float DEFAULT_AUXK_COEFFICIENT = 1f;
    /** SAELens weighs the Gated auxiliary reconstruction 1:1 with the main one. */
    public static final float DEFAULT_GATED_AUX_COEFFICIENT = 1f;
    /** SAELens 6.18 jumprelu_bandwidth. */
    public static final float DEFAULT_BANDWIDTH = 0.05f;
    /** SAELens 6.18 jumprelu_init_threshold. */
    public static final float DEFAULT_INITIAL_THRESHOLD = 0.01f;
    /** SAELens topk_threshold_lr: the threshold moves 1 % of the way to each batch's smallest kept activation. */
    public static final float DEFAULT_THRESHOLD_RATE = 0.01f;
    /** Matryoshka default: levels of d_sae/8, d_sae/4, d_sae/2 and d_sae latents. */
    private static final int[] DEFAULT_PREFIX_DIVISORS = {8, 4, 2, 1};

    public SaeConfig {
        if (architecture == null) {
            throw new NanolensException("SAE config needs an architecture; choose one of relu, topk, batchtopk, "
                    + "jumprelu, gated, matryoshka");
        }
        positive("d_in", dIn);
        positive("d_sae", dSae);
        if ((long) dIn * dSae > Integer.MAX_VALUE - 8) {
            throw new NanolensException("d_in·d_sae = " + (long) dIn * dSae + " exceeds a Java array (2^31); "
                    + "choose fewer latents");
        }
        if (k < 1 || k > dSae) {
            throw new NanolensException("k = " + k + " must lie in [1, d_sae = " + dSae + "]");
        }
        positive("k_aux", kAux);
        nonNegative("sparsity coefficient", sparsityCoefficient);
        nonNegative("auxiliary coefficient", auxCoefficient);
        if (!(bandwidth > 0) || !(initialThreshold > 0)) {
            throw new NanolensException("JumpReLU bandwidth " + bandwidth + " and initial threshold "
                    + initialThreshold + " must both be > 0");
        }
        if (!(thresholdRate > 0 && thresholdRate <= 1)) {
            throw new NanolensException("threshold rate " + thresholdRate + " must lie in (0, 1]");
        }
        prefixes = List.copyOf(prefixes);
        checkPrefixes(prefixes, dSae);
    }

    /**
     * A config with the defaults: k = min(32, dSae), sparsity coefficient 1, AuxK coefficient 1 with
     * k_aux = d_in/2 (Gated: auxiliary coefficient 1), JumpReLU bandwidth 0.05 and initial threshold 0.01,
     * threshold rate 0.01, Matryoshka prefixes dSae/8, dSae/4, dSae/2, dSae, b_dec subtracted from the input.
     */
    public static SaeConfig of(Architecture architecture, int dIn, int dSae) {
        positive("d_in", dIn);
        positive("d_sae", dSae);
        float aux = architecture == Architecture.GATED ? DEFAULT_GATED_AUX_COEFFICIENT : DEFAULT_AUXK_COEFFICIENT;
        List<Integer> prefixes = architecture == Architecture.MATRYOSHKA ? defaultPrefixes(dSae) : List.of(dSae);
        return new SaeConfig(architecture, dIn, dSae, Math.min(DEFAULT_K, dSae), DEFAULT_SPARSITY_COEFFICIENT, aux,
                Math.max(1, dIn / 2), DEFAULT_BANDWIDTH, DEFAULT_INITIAL_THRESHOLD, DEFAULT_THRESHOLD_RATE, prefixes,
                true);
    }

    /** This config with k latents kept per row (per row on average for BatchTopK and Matryoshka). */
    public SaeConfig withK(int newK) {
        return new SaeConfig(architecture, dIn, dSae, newK, sparsityCoefficient, auxCoefficient, kAux, bandwidth,
                initialThreshold, thresholdRate, prefixes, applyBDecToInput);
    }

    /** This config with another L1 (ReLU, Gated) or L0 (JumpReLU) coefficient. */
    public SaeConfig withSparsityCoefficient(float coefficient) {
        return new SaeConfig(architecture, dIn, dSae, k, coefficient, auxCoefficient, kAux, bandwidth,
                initialThreshold, thresholdRate, prefixes, applyBDecToInput);
    }

    /** This config with another auxiliary-loss coefficient and AuxK k_aux. */
    public SaeConfig withAux(float coefficient, int newKAux) {
        return new SaeConfig(architecture, dIn, dSae, k, sparsityCoefficient, coefficient, newKAux, bandwidth,
                initialThreshold, thresholdRate, prefixes, applyBDecToInput);
    }

    /** This config with another JumpReLU kernel bandwidth and initial threshold. */
    public SaeConfig withJumpRelu(float newBandwidth, float newInitialThreshold) {
        return new SaeConfig(architecture, dIn, dSae, k, sparsityCoefficient, auxCoefficient, kAux, newBandwidth,
                newInitialThreshold, thresholdRate, prefixes, applyBDecToInput);
    }

    /** This config with other Matryoshka prefix widths (strictly increasing, ending at d_sae). */
    public SaeConfig withPrefixes(List<Integer> newPrefixes) {
        return new SaeConfig(architecture, dIn, dSae, k, sparsityCoefficient, auxCoefficient, kAux, bandwidth,
                initialThreshold, thresholdRate, newPrefixes, applyBDecToInput);
    }

    /** This config with b_dec subtracted from the input before encoding, or not. */
    public SaeConfig withApplyBDecToInput(boolean apply) {
        return new SaeConfig(architecture, dIn, dSae, k, sparsityCoefficient, auxCoefficient, kAux, bandwidth,
                initialThreshold, thresholdRate, prefixes, apply);
    }

    /** dSae/8, dSae/4, dSae/2, dSae without repeats or zeros. */
    static List<Integer> defaultPrefixes(int dSae) {
        List<Integer> widths = new ArrayList<>();
        for (int divisor : DEFAULT_PREFIX_DIVISORS) {
            int width = dSae / divisor;
            if (width > 0 && (widths.isEmpty() || width > widths.getLast())) {
                widths.add(width);
            }
        }
        return widths;
    }

    private static void checkPrefixes(List<Integer> prefixes, int dSae) {
        if (prefixes.isEmpty() || prefixes.getLast() != dSae) {
            throw new NanolensException("Matryoshka prefixes " + prefixes + " must end with d_sae = " + dSae);
        }
        int previous = 0;
        for (int width : prefixes) {
            if (width <= previous) {
                throw new NanolensException("Matryoshka prefixes " + prefixes
                        + " must be positive and strictly increasing");
            }
            previous = width;
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new NanolensException(name + " = " + value + " must be ≥ 1");
        }
    }

    private static void nonNegative(String name, float value) {
        if (!(value >= 0) || Float.isInfinite(value)) {
            throw new NanolensException(name + " = " + value + " must be a finite number ≥ 0");
        }
    }
}
