package io.nanolens.tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A float tensor: a shape and its row-major storage. The plain data holder every stage passes around
 * (activations [B*T, d], weights [rows, cols], ...); kernels work on {@link #data()} directly.
 *
 * @param data  row-major values, length = product of shape
 * @param shape dimensions, outermost first
 */
public record Tensor(float[] data, int[] shape) {

    public Tensor {
        shape = shape.clone();
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " values but the data has " + data.length);
        }
    }

    public static Tensor zeros(int... shape) {
        long n = numel(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " exceeds 2^31 values");
        }
        return new Tensor(new float[(int) n], shape);
    }

    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data, shape);
    }

    /** Values drawn from N(0, std²) with a fixed seed. */
    public static Tensor randn(long seed, float std, int... shape) {
        Tensor t = zeros(shape);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = (float) (gaussian(random) * std);
        }
        return t;
    }

    /**
     * The first {@code rows} rows of x [rows, d] scaled to unit L2 norm, in a new array (a zero row stays zero): the
     * form cosines are taken in (decoder neighbours, clusters, dictionary recovery).
     */
    public static float[] unitRows(float[] x, int rows, int d) {
        float[] out = new float[rows * d];
        for (int r = 0; r < rows; r++) {
            double norm = 0;
            for (int j = 0; j < d; j++) {
                norm += (double) x[r * d + j] * x[r * d + j];
            }
            float inv = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
            for (int j = 0; j < d; j++) {
                out[r * d + j] = x[r * d + j] * inv;
            }
        }
        return out;
    }

    /** Number of values a shape holds; a negative dimension is an error. */
    public static long numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    public int size() {
        return data.length;
    }

    /** Rows of the tensor seen as a matrix [prod(shape[:-1]), shape[-1]]. */
    public int rows() {
        return shape.length == 0 ? 1 : data.length / Math.max(1, shape[shape.length - 1]);
    }

    /** The last dimension. */
    public int cols() {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    public float get(int row, int col) {
        return data[row * cols() + col];
    }

    public void set(int row, int col, float value) {
        data[row * cols() + col] = value;
    }

    /** The same storage under another shape with as many values. */
    public Tensor reshape(int... newShape) {
        return new Tensor(data, newShape);
    }

    public Tensor copy() {
        return new Tensor(data.clone(), shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }

    static double gaussian(SplittableRandom random) {
        // Box–Muller: SplittableRandom has no nextGaussian, and this keeps results identical across JDKs.
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
