package io.nanolens.sae;

import io.nanolens.tensor.Ops;

/**
 * The AuxK loss of the TopK family (Gao et al. 2024, appendix A.2; SAELens topk_sae.py): in each row the k_aux
 * dead latents with the largest pre-activations (raw values, no ReLU, so that a latent whose pre-activations are
 * all negative still gets a gradient) reconstruct the residual e = x − x̂ of the live latents, with e held fixed:
 * L_aux = coefficient·min(n_dead/k_aux, 1)·mean_r ‖Σ_j a_rj·W_dec[j] − e_r‖², k_aux capped at n_dead. Like SAELens
 * the error is not divided by the input variance, and like the paper (and SAELens after 6.18) the auxiliary
 * reconstruction has no b_dec. Only the chosen dead latents are touched, as sparse codes.
 */
final class AuxK {
    final SparseCodes codes;        // [B, ≤ k_aux] the chosen dead latents per row and their pre-activations
    final float[] grad;             // [B, d] the residual e, then ∂L/∂(auxiliary reconstruction)
    private final float[] recon;    // [B, d] auxiliary reconstruction
    private final int[] deadList;   // [m] indices of the dead latents, ascending
    private final int d;
    private int nDead;              // dead latents of the current step
    private float[] gathered = new float[0]; // [rows, n_dead] their pre-activations (TopK's fused encoder)
    boolean active;                 // the last loss had dead latents and a positive coefficient

    AuxK(int maxRows, int kAux, int d, int m) {
        this.d = d;
        codes = SparseCodes.perRow(maxRows, Math.min(kAux, m), d);
        grad = new float[maxRows * d];
        recon = new float[maxRows * d];
        deadList = new int[m];
    }

    /**
     * Lists the dead latents of this step (none when {@code dead} is null); returns whether the loss will have an
     * AuxK term, i.e. whether there are dead latents and the coefficient is positive.
     */
    boolean findDead(boolean[] dead, float coefficient) {
        nDead = 0;
        if (dead != null) {
            for (int i = 0; i < deadList.length; i++) {
                if (dead[i]) {
                    deadList[nDead++] = i;
                }
            }
        }
        active = nDead > 0 && coefficient > 0;
        return active;
    }

    /** The dead latents found by {@link #findDead}, ascending, in the first {@link #deadCount()} entries. */
    int[] deadColumns() {
        return deadList;
    }

    int deadCount() {
        return nDead;
    }

    /** A buffer for the dead latents' pre-activations [rows, n_dead]; grown on demand, at most [B, m]. */
    float[] gatherBuffer(int rows) {
        int size = Math.multiplyExact(rows, nDead);
        if (gathered.length < size) {
            gathered = new float[size];
        }
        return gathered;
    }

    /**
     * The auxiliary loss of one step from all pre-activations [rows, m]. Consumes {@code pre}: its first
     * rows·n_dead values are overwritten by the dead latents' columns, gathered so the top-k runs over dead
     * latents only.
     *
     * @param x    [rows, d] the SAE input
     * @param xHat [rows, d] the reconstruction by the live latents
     */
    double loss(float[] pre, int rows, float[] x, float[] xHat, boolean[] dead, float[] wDec, int kAux,
                float coefficient, double[] rowSums) {
        if (!findDead(dead, coefficient)) {
            return 0;
        }
        gatherDead(pre, rows, deadList.length, nDead);
        return lossOfDead(pre, rows, x, xHat, wDec, kAux, coefficient, rowSums);
    }

    /**
     * The auxiliary loss of one step after {@link #findDead}, from the dead latents' pre-activations
     * {@code deadPre} [rows, n_dead] (columns in {@link #deadColumns()} order); 0 when not active.
     */
    double lossOfDead(float[] deadPre, int rows, float[] x, float[] xHat, float[] wDec, int kAux, float coefficient,
                      double[] rowSums) {
        if (!active) {
            return 0;
        }
        int k = Math.min(kAux, nDead);
        double weight = coefficient * Math.min((double) nDead / kAux, 1.0);
        Ops.topK(deadPre, rows, nDead, k, codes.idx, codes.val);
        for (int p = 0, n = rows * k; p < n; p++) {
            codes.idx[p] = deadList[codes.idx[p]];
        }
        codes.width = k;
        codes.segments = rows;
        SaeRows.meanSquaredError(x, xHat, rows, d, grad, 1, rowSums);
        codes.decode(codes.val, wDec, recon, rows, false);
        return weight * SaeRows.meanSquaredError(recon, grad, rows, d, grad, 2 * weight / rows, rowSums);
    }

    /** Sets codes.grad to ∂L/∂(pre-activation) of every chosen pair and adds the decoder gradient to gWdec. */
    void backward(float[] wDec, float[] gWdec, int m) {
        codes.valueGradients(grad, wDec, 0, m);
        codes.accumulateRows(codes.val, grad, gWdec, m);
    }

    /**
     * pre[r·n + j] = pre[r·m + deadList[j]] for all rows, in place. Row by row in increasing order this never
     * overwrites a value before it is read: the write position r·n + j never exceeds the read position
     * r·m + deadList[j], and later reads lie further on. It must therefore run on one thread.
     */
    private void gatherDead(float[] pre, int rows, int m, int n) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                pre[r * n + j] = pre[r * m + deadList[j]];
            }
        }
    }
}
