package io.nanolens.sae;

import java.util.Arrays;

/**
 * Every buffer one training step of an {@link Sae} writes, allocated once for batches of at most B rows so the step
 * loop does not allocate (llm.c's ActivationTensors). Made by {@link Sae#newState}; each architecture adds the
 * buffers only it needs, the others stay null. A state belongs to one SAE shape and can serve any SAE of that shape
 * and architecture, one step at a time. Shapes: B = maxRows, d = d_in, m = d_sae; a step uses the first rows of each.
 */
public final class SaeState {
    final int maxRows;              // B
    final int d;
    final int m;
    final Architecture architecture;

    int rows;                       // rows in the current step
    float sparsityCoefficient;      // of the last loss
    boolean backwardReady;          // a loss ran since the last backward

    final float[] saeIn;            // [B, d] input minus b_dec (when applied)
    final float[] pre;              // [B, m] encoder pre-activations (Gated: saeIn·W_encᵀ without biases)
    final float[] recon;            // [B, d] reconstruction x̂
    final float[] gradOut;          // [B, d] dL/dx̂ of the reconstruction loss (Matryoshka reuses it in backward)
    final float[] ones;             // [B] all ones: column sums as a matrix product
    final float[] sumM;             // [m] scratch
    final float[] sumD;             // [d] scratch
    final float[] decoderNorms;     // [m] ‖W_dec_i‖ at the last loss

    float[] acts;                   // [B, m] latents (ReLU, JumpReLU, Gated)
    float[] gradPre;                // [B, m] dL/dpre (ReLU, JumpReLU, Gated)
    float[] gateActs;               // [B, m] relu of the gate pre-activations (Gated)
    float[] gateGrad;               // [B, m] dL/d(gate pre-activations) (Gated)
    float[] gateRecon;              // [B, d] gate-path reconstruction, then its loss gradient (Gated)

    SparseCodes codes;              // kept latents (TopK family)
    AuxK auxK;                      // dead-latent auxiliary loss (TopK family)
    int[] flatIndex;                // [B·k] batch top-k positions in the flat [B, m] pre-activations (BatchTopK)
    float[] flatValue;              // [B·k] their values (BatchTopK)
    int[] rowCount;                 // [B] kept latents per row (BatchTopK)
    int[] rowCursor;                // [B] fill position per row (BatchTopK)
    float[][] levelErrors;          // [levels][B, d] x̂_level − x of every prefix (Matryoshka)
    float[] maskedValues;           // [2B·k] the kept values of one prefix group, zero elsewhere (Matryoshka)

    SaeState(SaeConfig config, int maxRows) {
        this.maxRows = maxRows;
        this.d = config.dIn();
        this.m = config.dSae();
        this.architecture = config.architecture();
        saeIn = new float[maxRows * d];
        pre = new float[Math.multiplyExact(maxRows, m)];
        recon = new float[maxRows * d];
        gradOut = new float[maxRows * d];
        ones = new float[maxRows];
        Arrays.fill(ones, 1f);
        sumM = new float[m];
        sumD = new float[d];
        decoderNorms = new float[m];
    }

    /** Most rows a step may have. */
    public int maxRows() {
        return maxRows;
    }

    /** Rows of the last step. */
    public int rows() {
        return rows;
    }

    /** The last step's reconstruction x̂, [rows, d_in] in the first rows·d_in values (state-owned). */
    public float[] reconstruction() {
        return recon;
    }
}
