package io.nanolens.train;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Muon, "MomentUm Orthogonalized by Newton–Schulz" (Keller Jordan, https://kellerjordan.github.io/posts/muon/), as
 * nanochat v1 uses it for every matrix inside the blocks (nanochat/muon.py): Nesterov momentum on the gradient,
 * then five Newton–Schulz iterations that push the update's singular values towards 1, then p ← p − lr·√max(1,
 * rows/cols)·update. Orthogonalised updates change every direction of a matrix at the same rate, which is why a
 * small model learns faster per step than with Adam alone. The momentum buffers are the checkpointed state. The
 * iteration runs in float32 (nanochat uses bfloat16 on the GPU) through {@link Matmul}, whose results do not depend
 * on the thread count.
 */
public final class Muon {
    /** nanochat v1's momentum once warmed up. */
    public static final float DEFAULT_MOMENTUM = 0.95f;
    /** Newton–Schulz iterations per step, as nanochat. */
    public static final int NEWTON_SCHULZ_STEPS = 5;
    // The quintic's coefficients from nanochat/muon.py: chosen to maximise the slope at zero, not to converge.
    private static final float A = 3.4445f;
    private static final float B = -4.7750f;
    private static final float C = 2.0315f;
    private static final double NORM_EPS = 1e-7;   // keeps an all-zero gradient from dividing by zero

    private final List<Slot> slots = new ArrayList<>();

    /**
     * One matrix [rows, cols], its gradient, momentum buffer and Newton–Schulz scratch. The iteration works on
     * the wide orientation X [r, c] with r = min(rows, cols), so the Gram matrices are the small [r, r].
     */
    private record Slot(String name, Tensor param, Tensor grad, float lr, float[] buffer, float[] x, float[] gram,
                        float[] gramSquared, float[] product, int r, int c, boolean transposed) {
    }

    /**
     * Adds a matrix with its gradient tensor and learning rate.
     *
     * @throws NanolensException if the parameter is not 2-D, the name is taken or the shapes differ
     */
    public void add(String name, Tensor param, Tensor grad, float lr) {
        if (param.rank() != 2 || !Arrays.equals(param.shape(), grad.shape())) {
            throw new NanolensException("Muon updates matrices only; '" + name + "' has shape "
                    + Arrays.toString(param.shape()) + " and gradient "
                    + Arrays.toString(grad.shape()));
        }
        if (slots.stream().anyMatch(s -> s.name.equals(name))) {
            throw new NanolensException("Muon already holds a parameter named '" + name + "'");
        }
        if (!(lr >= 0)) {
            throw new NanolensException("learning rate " + lr + " of '" + name + "' must be ≥ 0");
        }
        int rows = param.dim(0);
        int cols = param.dim(1);
        int r = Math.min(rows, cols);
        int c = Math.max(rows, cols);
        int n = param.size();
        slots.add(new Slot(name, param, grad, lr, new float[n], new float[n], new float[r * r], new float[r * r],
                new float[n], r, c, rows > cols));
    }

    /**
     * Updates every matrix once at its learning rate times {@code lrMultiplier}, with momentum {@code momentum}
     * (nanochat warms it up from 0.85 to 0.95 over the first 300 steps).
     */
    public void step(float lrMultiplier, float momentum) {
        for (Slot s : slots) {
            float[] g = s.grad.data();
            float[] p = s.param.data();
            for (int i = 0; i < g.length; i++) {
                s.buffer[i] = momentum * s.buffer[i] + (1 - momentum) * g[i];
            }
            load(s, g, momentum);
            orthogonalise(s);
            int rows = s.param.dim(0);
            int cols = s.param.dim(1);
            float scale = s.lr * lrMultiplier * (float) Math.sqrt(Math.max(1.0, (double) rows / cols));
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    int xi = s.transposed ? j * rows + i : i * cols + j;
                    p[i * cols + j] -= scale * s.x[xi];
                }
            }
        }
    }

    /** X = the Nesterov update (1 − μ)·g + μ·buffer, transposed to [r, c] when the matrix is tall, / ‖·‖_F. */
    private static void load(Slot s, float[] g, float momentum) {
        int rows = s.param.dim(0);
        int cols = s.param.dim(1);
        double sumSquares = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int k = i * cols + j;
                float u = (1 - momentum) * g[k] + momentum * s.buffer[k];
                s.x[s.transposed ? j * rows + i : k] = u;
                sumSquares += (double) u * u;
            }
        }
        float inverse = (float) (1 / (Math.sqrt(sumSquares) + NORM_EPS));
        for (int i = 0; i < s.x.length; i++) {
            s.x[i] *= inverse;
        }
    }

    /** X ← a·X + (b·XXᵀ + c·(XXᵀ)²)·X, {@link #NEWTON_SCHULZ_STEPS} times. */
    private static void orthogonalise(Slot s) {
        int r = s.r;
        int c = s.c;
        for (int it = 0; it < NEWTON_SCHULZ_STEPS; it++) {
            Matmul.abT(s.x, s.x, s.gram, r, c, r, false);
            Matmul.ab(s.gram, s.gram, s.gramSquared, r, r, r, false);
            for (int i = 0; i < r * r; i++) {
                s.gram[i] = B * s.gram[i] + C * s.gramSquared[i];
            }
            Matmul.ab(s.gram, s.x, s.product, r, r, c, false);
            for (int i = 0; i < s.x.length; i++) {
                s.x[i] = A * s.x[i] + s.product[i];
            }
        }
    }

    /** The momentum buffers by name, {@code NAME.momentum_buffer} (live tensors, not copies). */
    public Map<String, Tensor> state() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (Slot s : slots) {
            state.put(s.name + ".momentum_buffer", Tensor.of(s.buffer, s.param.shape()));
        }
        return Collections.unmodifiableMap(state);
    }

    /**
     * Restores the momentum buffers saved from an optimizer over the same matrices.
     *
     * @throws NanolensException if a buffer is missing or has the wrong size
     */
    public void load(Map<String, Tensor> state) {
        for (Slot s : slots) {
            AdamW.copy(state, s.name + ".momentum_buffer", s.buffer);
        }
    }
}
