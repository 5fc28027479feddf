package io.nanolens.sae;

import io.nanolens.tensor.Ops;
import io.nanolens.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;

/**
 * The TopK SAE (Gao et al. 2024, "Scaling and evaluating sparse autoencoders"; SAELens topk_sae.py): each row keeps
 * its k largest pre-activations, through a ReLU, and drops the rest; the loss is mean_r ‖x̂ − x‖² plus
 * {@link AuxK} on the dead latents. Sparse-aware: the encoder product is the only dense work, and it selects each
 * row's k while it computes ({@link Ops#encodeTopK}), so the [B, m] pre-activations are never stored (only the
 * dead latents' columns, for AuxK); decoding and every backward product touch only the k kept latents of each row
 * ({@link SparseCodes}).
 */
final class TopKSae extends Sae {

    TopKSae(SaeConfig config, Map<String, Tensor> parameters) {
        super(config, parameters);
    }

    @Override
    void encodeInto(float[] x, int rows, float[] f) {
        int k = config.k();
        int[] idx = new int[rows * k];
        float[] val = new float[rows * k];
        select(x, rows, new float[rows * d], idx, val, null, 0, null);
        Arrays.fill(f, 0, rows * m, 0f);
        for (int p = 0; p < rows * k; p++) {
            f[p / k * m + idx[p]] = val[p];
        }
    }

    /** Decodes only the k kept latents of each row. */
    @Override
    public float[] forward(float[] x, int rows) {
        int k = config.k();
        int[] idx = new int[rows * k];
        float[] val = new float[rows * k];
        select(x, rows, new float[rows * d], idx, val, null, 0, null);
        float[] out = new float[rows * d];
        Ops.sparseDecode(idx, val, rows, k, wDec, d, out, false);
        SaeRows.addRowBias(out, rows, d, bDec);
        return out;
    }

    @Override
    void allocate(SaeState s) {
        s.codes = SparseCodes.perRow(s.maxRows, config.k(), d);
        s.auxK = new AuxK(s.maxRows, config.kAux(), d, m);
    }

    @Override
    SaeLoss trainingLoss(SaeState s, float[] x, boolean[] dead) {
        int rows = s.rows;
        SparseCodes codes = s.codes;
        AuxK auxK = s.auxK;
        boolean aux = auxK.findDead(dead, config.auxCoefficient());
        float[] deadPre = aux ? auxK.gatherBuffer(rows) : null;
        select(x, rows, s.saeIn, codes.idx, codes.val, auxK.deadColumns(), aux ? auxK.deadCount() : 0, deadPre);
        codes.width = config.k();
        codes.segments = rows;
        codes.decode(codes.val, wDec, s.recon, rows, false);
        SaeRows.addRowBias(s.recon, rows, d, bDec);
        double mse = SaeRows.meanSquaredError(s.recon, x, rows, d, s.gradOut, 2.0 / rows, s.rowSums);
        double auxLoss = auxK.lossOfDead(deadPre, rows, x, s.recon, wDec, config.kAux(), config.auxCoefficient(),
                s.rowSums);
        return new SaeLoss(mse, 0, auxLoss, 0);
    }

    @Override
    void trainingBackward(SaeState s) {
        sparseBackward(this, s);
    }

    /** Backward of a TopK-family step whose codes hold one reconstruction (TopK, BatchTopK). */
    static void sparseBackward(Sae sae, SaeState s) {
        SparseCodes codes = s.codes;
        float[] gWDec = sae.grad(W_DEC);
        codes.valueGradients(s.gradOut, sae.wDec, 0, sae.m);
        codes.maskInactive();
        codes.accumulateRows(codes.val, s.gradOut, gWDec, sae.m);
        SaeRows.addColumnSums(s.gradOut, s.rows, sae.d, 1f, sae.grad(B_DEC));
        sae.sparseInputBackward(s, codes);
        auxBackward(sae, s);
    }

    /** The AuxK share of the gradients, when the last loss had one. */
    static void auxBackward(Sae sae, SaeState s) {
        if (s.auxK.active) {
            s.auxK.backward(sae.wDec, sae.grad(W_DEC), sae.m);
            sae.sparseInputBackward(s, s.auxK.codes);
        }
    }

    /**
     * saeIn [rows, d] of x; the k largest pre-activations per row into idx, val [rows, k], through a ReLU, without
     * storing all [rows, m] of them; the columns gather[0, gatherCount) of the pre-activations into gathered.
     */
    private void select(float[] x, int rows, float[] saeIn, int[] idx, float[] val, int[] gather, int gatherCount,
                        float[] gathered) {
        int k = config.k();
        center(x, rows, saeIn);
        Ops.encodeTopK(saeIn, wEnc, bEnc, rows, d, m, k, idx, val, gather, gatherCount, gathered);
        SaeRows.relu(val, rows * k);
    }
}
