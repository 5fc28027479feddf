package io.nanolens.tensor;

import static io.nanolens.tensor.Numeric.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** {@link Ops} runs the twin {@link Simd#enabled()} selects: results equal that twin's bit for bit. */
class OpsTest {
    private static final Twin SELECTED = Simd.enabled() ? Twin.VECTOR : Twin.SCALAR;

    @Test
    void opsGiveTheSelectedTwinsBits() {
        int rows = 5;
        int d = 37;
        float[] x = gaussian(1, rows * d);
        float[] w = gaussian(2, d);

        float[] viaOps = new float[rows * d];
        float[] viaTwin = new float[rows * d];
        Ops.gelu(x, viaOps, rows * d);
        SELECTED.pick((ActivationKernelsTest.Unary) Kernels::gelu, VectorKernels::gelu).apply(x, viaTwin, rows * d);
        assertArrayEquals(viaTwin, viaOps, "gelu");

        float[] rstd = new float[rows];
        Ops.rmsNorm(x, w, viaOps, rstd, rows, d, 1e-5f);
        SELECTED.pick((NormKernelsTest.RmsNorm) Kernels::rmsNorm, VectorNorms::rmsNorm)
                .apply(x, w, viaTwin, rstd, rows, d, 1e-5f);
        assertArrayEquals(viaTwin, viaOps, "rmsNorm");

        Ops.softmax(x, viaOps, rows, d);
        SELECTED.pick((SoftmaxKernelsTest.Softmax) Kernels::softmax, VectorKernels::softmax)
                .apply(x, viaTwin, rows, d);
        assertArrayEquals(viaTwin, viaOps, "softmax");
    }

    @Test
    void opsTopKAndSparseDecodeGiveTheSelectedTwinsBits() {
        int rows = 4;
        int m = 50;
        int k = 6;
        int d = 19;
        float[] x = gaussian(3, rows * m);
        int[] idxOps = new int[rows * k];
        float[] valOps = new float[rows * k];
        int[] idxTwin = new int[rows * k];
        float[] valTwin = new float[rows * k];
        Ops.topK(x, rows, m, k, idxOps, valOps);
        SELECTED.pick((TopKTest.TopKKernel) Kernels::topK, TopK::topK).apply(x, rows, m, k, idxTwin, valTwin);
        assertArrayEquals(idxTwin, idxOps);

        float[] w = gaussian(4, m * d);
        float[] outOps = new float[rows * d];
        float[] outTwin = new float[rows * d];
        Ops.sparseDecode(idxOps, valOps, rows, k, w, d, outOps, false);
        SELECTED.pick((SparseRowsTest.Decode) Kernels::sparseDecode, SparseRows::sparseDecode)
                .apply(idxOps, valOps, rows, k, w, d, outTwin, false);
        assertArrayEquals(outTwin, outOps);
    }
}
