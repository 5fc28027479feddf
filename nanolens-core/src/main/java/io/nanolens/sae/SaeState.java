package io.nanolens.sae;

/**
 * Every buffer a training step of an {@link Sae} writes, allocated once for batches of at most B rows so the step
 * loop does not allocate (llm.c's ActivationTensors). Made by {@link Sae#newState}; each architecture adds the
 * buffers only it needs, the others stay null. A state serves any SAE of its architecture and shape, one step
 * (loss, then backward) at a time. Shapes: B = maxRows, d = d_in, m = d_sae; a step uses the first rows of each.
 */
public final class SaeState {
    final int maxRows;              // B
    final int d;
    final int m;
    final Architecture architecture;

    int rows;                       // rows in the current step
    float coefficient;              // sparsity coefficient of the last loss
    boolean backwardReady;          // a loss ran since the last backward

    final float[] saeIn;            // [B, d] input minus b_dec (when applied)
    final float[] recon;            // [B, d] reconstruction x̂
    final float[] gradOut;          // [B, d] ∂L/∂x̂
    final float[] inputGrad;        // [B, d] ∂L/∂saeIn through the encoder
    final double[] rowSums;         // [B] per-row squared errors
    final float[] decoderNorms;     // [m] ‖W_dec_i‖ at the last loss (ReLU, Gated)
    final float[] latentSums;       // [m] per-latent column sums

    float[] pre;                    // [B, m] encoder pre-activations (Gated: saeIn·wEncᵀ without bias)
    float[] acts;                   // [B, m] dense latents (ReLU, JumpReLU, Gated)
    float[] gradPre;                // [B, m] ∂L/∂latents, then ∂L/∂pre (dense architectures)
    float[] thresholds;             // [m] JumpReLU thresholds exp(logThreshold) of the last loss
    float[] gateActs;               // [B, m] relu of the gate pre-activations (Gated)
    float[] gateGrad;               // [B, m] ∂L/∂gateActs, then ∂L/∂(gate pre-activations) (Gated)
    float[] gateRecon;              // [B, d] gate-path reconstruction, then ∂L/∂ of it (Gated)
    float[] magSums;                // [m] Σ_r ∂L/∂(magnitude pre-activation) (Gated)
    float[] scaleSums;              // [m] Σ_r ∂L/∂(magnitude pre-activation)·preGate (Gated)
    float[] magScales;              // [m] exp(r_mag) of the last loss (Gated)

    SparseCodes codes;              // kept latents (TopK family)
    AuxK auxK;                      // dead-latent auxiliary loss (TopK family)
    BatchSelection selection;       // batch-wide top k·B (BatchTopK, Matryoshka)
    float[][] levelGrads;           // [levels][B, d] x̂_level − x, then ∂L/∂x̂ summed over levels ≥ (Matryoshka)
    float[] maskedValues;           // [pairs] the kept values of one prefix group, zero elsewhere (Matryoshka)

    SaeState(SaeConfig config, int maxRows) {
        this.maxRows = maxRows;
        this.d = config.dIn();
        this.m = config.dSae();
        this.architecture = config.architecture();
        int rowsD = Math.multiplyExact(maxRows, d);
        saeIn = new float[rowsD];
        recon = new float[rowsD];
        gradOut = new float[rowsD];
        inputGrad = new float[rowsD];
        rowSums = new double[maxRows];
        decoderNorms = new float[m];
        latentSums = new float[m];
    }

    /** A [B, m] buffer. */
    float[] rowsByLatents() {
        return new float[Math.multiplyExact(maxRows, m)];
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

    /**
     * Adds to counts[i] the number of rows of the last step in which latent i was active (> 0) and returns the
     * total over all latents: the trainer's dead-latent tracking and L0 (= total / rows).
     */
    public long addFirings(int[] counts) {
        if (counts.length != m) {
            throw new IllegalArgumentException("firing counts need d_sae = " + m + " entries, got " + counts.length);
        }
        if (codes != null) {
            return codes.countFirings(counts);
        }
        long total = 0;
        for (int r = 0; r < rows; r++) {
            for (int i = 0, o = r * m; i < m; i++) {
                if (acts[o + i] > 0) {
                    counts[i]++;
                    total++;
                }
            }
        }
        return total;
    }
}
