package io.nanolens.bench;

import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Ops;
import io.nanolens.tensor.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * {@code ./nanolens bench kernels}: matmul GFLOP/s at the SAE encoder's shapes, ours and OpenBLAS sgemm measured
 * alternately in one run (the machine is noisy; a ratio of interleaved runs holds where absolute figures drift),
 * and sparse SAE-decode rows/s against the same decode done as a dense matmul.
 */
final class KernelBenchmark {
    record Shape(int m, int k, int n) {
        String key() {
            return "matmul_" + m + "x" + k + "x" + n;
        }

        double gflop() {
            return 2.0 * m * k * n / 1e9;
        }
    }

    static final Shape[] SHAPES = {new Shape(4096, 512, 8192), new Shape(4096, 768, 24576)};

    private final BenchReport report;
    private final int repeats;

    KernelBenchmark(BenchReport report, int repeats) {
        this.report = report;
        this.repeats = repeats;
    }

    void run() {
        int threads = Parallel.threads();
        report.put("threads", threads);
        Optional<OpenBlas> blas = OpenBlas.load(threads);
        report.line("matmul C = A·B, float32, %d threads, best of %d runs after one warm-up run", threads, repeats);
        report.line(blas.map(b -> "reference: OpenBLAS cblas_sgemm from " + b.path())
                .orElse("reference: none found (install with: " + OpenBlas.INSTALL_HINT + ")"));
        report.line("%-26s %12s %12s %8s", "shape (M×K×N)", "nanolens", "OpenBLAS", "ratio");
        for (Shape s : SHAPES) {
            measure(s, blas.orElse(null));
        }
        measureSparseDecode(4096, 768, 24576, 32);
    }

    /**
     * SAE decode of B rows with k active latents each (x̂ = f·W_dec, W_dec [m, d]) through the sparse-row kernel,
     * against the same product done densely by our matmul on the [B, m] latent matrix, as dense frameworks do.
     */
    private void measureSparseDecode(int rows, int d, int m, int k) {
        SplittableRandom random = new SplittableRandom(7);
        float[] w = randomArray(random, m * d);
        int[] idx = new int[rows * k];
        float[] val = randomArray(random, rows * k);
        float[] dense = new float[rows * m];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < k; j++) {
                idx[r * k + j] = random.nextInt(m);
                dense[r * m + idx[r * k + j]] += val[r * k + j];
            }
        }
        float[] out = new float[rows * d];
        double sparse = 0;
        double viaMatmul = 0;
        for (int r = 0; r <= repeats; r++) {
            long t0 = System.nanoTime();
            Ops.sparseDecode(idx, val, rows, k, w, d, out, false);
            double rate = rows / ((System.nanoTime() - t0) / 1e9);
            sparse = r == 0 ? 0 : Math.max(sparse, rate);
            t0 = System.nanoTime();
            Matmul.ab(dense, w, out, rows, m, d, false);
            rate = rows / ((System.nanoTime() - t0) / 1e9);
            viaMatmul = r == 0 ? 0 : Math.max(viaMatmul, rate);
        }
        String key = "sparse_decode_d" + d + "_m" + m + "_k" + k;
        report.line("");
        report.line("SAE decode, %d rows, d=%d, m=%d, k=%d: sparse rows %.0f rows/s, dense matmul %.0f rows/s, ratio %.1f",
                rows, d, m, k, sparse, viaMatmul, sparse / viaMatmul);
        report.put(key + "_rows_per_s", sparse);
        report.put(key + "_dense_matmul_rows_per_s", viaMatmul);
        report.put(key + "_vs_dense_matmul_ratio", sparse / viaMatmul);
    }

    private void measure(Shape s, OpenBlas blas) {
        SplittableRandom random = new SplittableRandom(42);
        float[] a = randomArray(random, s.m * s.k);
        float[] b = randomArray(random, s.k * s.n);
        float[] c = new float[s.m * s.n];
        double ours = 0;
        double theirs = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment na = null, nb = null, nc = null;
            if (blas != null) {
                na = arena.allocateFrom(ValueLayout.JAVA_FLOAT, a);
                nb = arena.allocateFrom(ValueLayout.JAVA_FLOAT, b);
                nc = arena.allocate(ValueLayout.JAVA_FLOAT, (long) s.m * s.n);
            }
            for (int r = 0; r <= repeats; r++) {
                long t0 = System.nanoTime();
                Matmul.ab(a, b, c, s.m, s.k, s.n, false);
                double g = s.gflop() / ((System.nanoTime() - t0) / 1e9);
                ours = r == 0 ? 0 : Math.max(ours, g);
                if (blas != null) {
                    t0 = System.nanoTime();
                    blas.sgemm(na, nb, nc, s.m, s.k, s.n, false);
                    g = s.gflop() / ((System.nanoTime() - t0) / 1e9);
                    theirs = r == 0 ? 0 : Math.max(theirs, g);
                }
            }
        }
        report.put(s.key() + "_gflops", ours);
        if (blas != null) {
            report.put(s.key() + "_openblas_gflops", theirs);
            report.put(s.key() + "_vs_openblas_ratio", ours / theirs);
            report.line("%-26s %12.1f %12.1f %8.2f", s.m + "×" + s.k + "×" + s.n, ours, theirs, ours / theirs);
        } else {
            report.line("%-26s %12.1f %12s %8s", s.m + "×" + s.k + "×" + s.n, ours, "-", "-");
        }
    }

    static float[] randomArray(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return x;
    }
}
