package io.nanolens.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.io.Directories;
import io.nanolens.io.SafeTensors;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.store.ActivationStream;
import io.nanolens.sae.synthetic.SyntheticActivations;
import io.nanolens.sae.train.SaeTrainer;
import io.nanolens.sae.train.SaeTrainingConfig;
import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Parallel;
import io.nanolens.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code ./nanolens bench sae}: SAE training rows/s of TopK (k = 32) and ReLU SAEs at three shapes, batch 4096,
 * against the PyTorch reference {@code bench/pytorch_sae_baseline.py} (dense TopK as SAELens and OpenAI write it,
 * sparse TopK as sparsify does, ReLU + L1) in the same run; the encoder matmul against our own matmul peak at that
 * shape; and quality at an equal budget: both train TopK on the same activations in the same batch order and
 * report the held-out FVU ({@code fvu_ratio} = ours ÷ theirs, ≤ 1.02 means not worse). nanolens follows the
 * reference's recipe here (unit-norm decoder, geometric-median b_dec, W_enc = W_decᵀ, Adam ε = 6.25e-10,
 * lr = 2e-4/√(m/2¹⁴), AuxK 1/32) so that only the implementation differs.
 */
final class SaeBenchmark {
    private static final int[][] SHAPES = {{128, 4096}, {512, 8192}, {768, 24576}};
    private static final int BATCH = 4096;
    private static final int K = 32;
    private static final int WARMUP = 2;
    private static final int JIT_WARMUP_STEPS = 20;
    private static final float RELU_L1 = 5f;          // the reference's --l1 default
    private static final float AUXK = 1f / 32;
    // Quality run: d = 128 activations with a known dictionary, the same batches on both sides.
    private static final int QUALITY_D = 128;
    private static final int QUALITY_M = 2048;
    private static final int QUALITY_ROWS = 120_000;
    private static final int QUALITY_STEPS = 150;

    private final BenchReport report;
    private final int steps;

    SaeBenchmark(BenchReport report, int repeats) {
        this.report = report;
        this.steps = Math.max(3, repeats);
    }

    void run() {
        TorchReference.Lookup lookup = TorchReference.find(TorchReference.SAE);
        TorchReference torch = lookup.reference();
        report.put("threads", Parallel.threads());
        report.line("SAE training rows/s, float32, %d threads, batch %d, k = %d; median of %d steps after %d warm-up",
                Parallel.threads(), BATCH, K, steps, WARMUP);
        report.line(torch == null ? "reference: none (" + lookup.missing() + ")"
                : "reference: PyTorch " + torch.version() + ", " + torch.name() + " run by " + torch.python());
        report.line("%-14s %10s %10s %10s %10s %10s %10s %8s %8s", "shape", "topk", "torch", "torch", "relu",
                "torch", "vs dense", "vs", "vs");
        report.line("%-14s %10s %10s %10s %10s %10s %10s %8s %8s", "(d×m)", "", "dense", "sparse", "", "relu", "", "sparse",
                "relu");
        // The first shape is small enough that its two warm-up steps end before the JIT has compiled the kernels
        // (measured: 33.6k rows/s after 2 steps, 58.6k after 20 at d=128); PyTorch's kernels are compiled ahead.
        // One untimed run of each architecture at the first shape warms them for every shape.
        report.line("(one untimed run of %d steps per architecture first, so that the JIT has compiled the kernels)",
                JIT_WARMUP_STEPS);
        oursRowsPerSecond(Architecture.TOP_K, SHAPES[0][0], SHAPES[0][1], JIT_WARMUP_STEPS);
        oursRowsPerSecond(Architecture.RELU, SHAPES[0][0], SHAPES[0][1], JIT_WARMUP_STEPS);
        for (int[] shape : SHAPES) {
            measure(shape[0], shape[1], torch);
        }
        encoderEfficiency(768, 24576);
        quality(torch);
    }

    private void measure(int d, int m, TorchReference torch) {
        String key = "d" + d + "_m" + m;
        double topk = oursRowsPerSecond(Architecture.TOP_K, d, m);
        double relu = oursRowsPerSecond(Architecture.RELU, d, m);
        double dense = Double.NaN;
        double sparse = Double.NaN;
        double torchRelu = Double.NaN;
        if (torch != null) {
            dense = torchRowsPerSecond(torch, "topk_dense", d, m);
            sparse = Math.max(torchRowsPerSecond(torch, "topk_sparse", d, m),
                    torchRowsPerSecond(torch, "topk_sparse_coo", d, m));
            torchRelu = torchRowsPerSecond(torch, "relu", d, m);
        }
        report.put("topk_" + key + "_rows_per_s", topk);
        report.put("relu_" + key + "_rows_per_s", relu);
        if (torch != null) {
            report.put("topk_" + key + "_torch_dense_rows_per_s", dense);
            report.put("topk_" + key + "_torch_sparse_rows_per_s", sparse);
            report.put("relu_" + key + "_torch_rows_per_s", torchRelu);
            report.put("topk_" + key + "_vs_torch_dense_ratio", topk / dense);
            report.put("topk_" + key + "_vs_torch_sparse_ratio", topk / sparse);
            report.put("relu_" + key + "_vs_torch_dense_ratio", relu / torchRelu);
        }
        report.line("%-14s %10.0f %10.0f %10.0f %10.0f %10.0f %10.2f %8.2f %8.2f", d + "×" + m, topk, dense, sparse,
                relu, torchRelu, topk / dense, topk / sparse, relu / torchRelu);
    }

    /** Median rows/s of our training steps (loss, backward, Adam, decoder constraint) on Gaussian rows. */
    private double oursRowsPerSecond(Architecture arch, int d, int m) {
        return oursRowsPerSecond(arch, d, m, steps);
    }

    private double oursRowsPerSecond(Architecture arch, int d, int m, int steps) {
        SaeConfig config = recipe(arch, d, m);
        Path dir = tempDir();
        try {
            SaeTrainingConfig training = SaeTrainingConfig.of((long) BATCH * (WARMUP + steps)).withBatchRows(BATCH)
                    .withSchedule(0, 0, 0).withDeadWindow(10_000_000, 0).withIntervals(1_000_000, 0);
            SaeTrainer trainer = SaeTrainer.start(dir, List.of(new SaeTrainer.Spec(arch.id(), config)), training);
            long[] times = new long[WARMUP + steps + 1];
            times[0] = System.nanoTime();
            trainer.train(gaussian(d, 3), (step, tokens, metrics) -> times[step] = System.nanoTime());
            double[] seconds = new double[steps];
            for (int i = 0; i < steps; i++) {
                seconds[i] = (times[WARMUP + i + 1] - times[WARMUP + i]) / 1e9;
            }
            Arrays.sort(seconds);
            return BATCH / seconds[steps / 2];
        } finally {
            Directories.deleteQuietly(dir);
        }
    }

    private double torchRowsPerSecond(TorchReference torch, String variant, int d, int m) {
        try {
            JsonNode r = torch.call(List.of("--variant", variant, "--d", String.valueOf(d), "--m", String.valueOf(m),
                    "--k", String.valueOf(K), "--batch", String.valueOf(BATCH), "--steps", String.valueOf(steps),
                    "--warmup", String.valueOf(WARMUP), "--threads", String.valueOf(Parallel.threads()), "--json"));
            return r.path("rows_per_s").asDouble(Double.NaN);
        } catch (IllegalStateException e) {
            report.line("  (%s at d=%d, m=%d failed: %s)", variant, d, m, e.getMessage());
            return Double.NaN;
        }
    }

    /** Our encoder product alone against our plain matmul of the same size (the kernel benchmark's peak). */
    private void encoderEfficiency(int d, int m) {
        SplittableRandom random = new SplittableRandom(5);
        float[] x = new float[BATCH * d];
        float[] w = new float[m * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        float[] out = new float[BATCH * m];
        double gflop = 2.0 * BATCH * d * m / 1e9;
        double encoder = 0;
        double peak = 0;
        for (int r = 0; r <= 2; r++) {
            long t0 = System.nanoTime();
            Matmul.abT(x, w, out, BATCH, d, m, false);
            double g = gflop / ((System.nanoTime() - t0) / 1e9);
            encoder = r == 0 ? 0 : Math.max(encoder, g);
            t0 = System.nanoTime();
            Matmul.ab(x, 0, w, 0, out, 0, BATCH, d, m, false);
            g = gflop / ((System.nanoTime() - t0) / 1e9);
            peak = r == 0 ? 0 : Math.max(peak, g);
        }
        report.line("");
        report.line("encoder x·W_encᵀ at %d×%d×%d: %.1f GFLOP/s, our matmul peak at that size %.1f, ratio %.2f",
                BATCH, d, m, encoder, peak, encoder / peak);
        report.put("encoder_gflops", encoder);
        report.put("matmul_peak_gflops", peak);
        report.put("encoder_vs_matmul_peak_ratio", encoder / peak);
    }

    /** Held-out FVU of TopK trained on the same synthetic activations, same batches, same budget, both sides. */
    private void quality(TorchReference torch) {
        SyntheticActivations data = new SyntheticActivations(QUALITY_D, QUALITY_M, 24, 0.5, 2, 0.25, 0.02, 17);
        float[] all = new float[QUALITY_ROWS * QUALITY_D];
        data.stream().next(QUALITY_ROWS, all, null);
        int held = Math.max(BATCH, QUALITY_ROWS / 10);
        int train = QUALITY_ROWS - held;
        Path dir = tempDir();
        try {
            Path file = dir.resolve("activations.safetensors");
            SafeTensors.write(file, Map.of("activations", Tensor.of(all, QUALITY_ROWS, QUALITY_D)), Map.of());
            int m = QUALITY_M * 2;
            SaeTrainingConfig training = SaeTrainingConfig.of((long) BATCH * QUALITY_STEPS).withBatchRows(BATCH)
                    .withSchedule(0, 0, 0).withDeadWindow(10_000_000, 0).withIntervals(1_000_000, 0);
            SaeTrainer trainer = SaeTrainer.start(dir.resolve("run"),
                    List.of(new SaeTrainer.Spec("topk", recipe(Architecture.TOP_K, QUALITY_D, m))), training);
            trainer.train(referenceOrder(all, train, QUALITY_D), null);
            float[] heldOut = Arrays.copyOfRange(all, train * QUALITY_D, all.length);
            double ours = heldOutFvu(trainer.runs().getFirst().sae(), heldOut, held, QUALITY_D);
            report.line("");
            report.line("quality: TopK k=%d, d=%d, m=%d, %d steps × %d rows of synthetic activations, held-out %d rows",
                    K, QUALITY_D, m, QUALITY_STEPS, BATCH, held);
            report.put("quality_fvu", ours);
            if (torch == null) {
                report.line("  FVU nanolens %.4f (no reference)", ours);
                return;
            }
            JsonNode r = torch.call(List.of("--variant", "topk_sparse", "--activations", file.toString(),
                    "--k", String.valueOf(K), "--m", String.valueOf(m), "--batch", String.valueOf(BATCH),
                    "--steps", String.valueOf(QUALITY_STEPS), "--warmup", "0",
                    "--threads", String.valueOf(Parallel.threads()), "--json"));
            double theirs = r.path("fvu").asDouble(Double.NaN);
            report.put("quality_torch_fvu", theirs);
            report.put("fvu_ratio", ours / theirs);
            report.line("  FVU nanolens %.4f, PyTorch %.4f, fvu_ratio %.3f (≤ 1.02: not worse)", ours, theirs,
                    ours / theirs);
        } catch (IllegalStateException e) {
            report.line("  quality reference failed: %s", e.getMessage());
        } finally {
            Directories.deleteQuietly(dir);
        }
    }

    /** The reference's order: batch i is train[j, j + B) with j = (i·B) mod (train − B). */
    private static ActivationStream referenceOrder(float[] all, int train, int d) {
        return new ActivationStream() {
            private int batch;
            private int offsetInBatch;

            @Override
            public int width() {
                return d;
            }

            @Override
            public int read(float[] dst, int fromRow, int maxRows) {
                int start = (int) (((long) batch * BATCH) % Math.max(1, train - BATCH));
                int n = Math.min(maxRows, BATCH - offsetInBatch);
                System.arraycopy(all, (start + offsetInBatch) * d, dst, fromRow * d, n * d);
                offsetInBatch += n;
                if (offsetInBatch == BATCH) {
                    offsetInBatch = 0;
                    batch++;
                }
                return n;
            }
        };
    }

    /** Σ‖x − x̂‖² / Σ‖x − x̄‖² over rows with the SAE's inference encoding, as the reference's {@code fvu}. */
    private static double heldOutFvu(Sae sae, float[] x, int rows, int d) {
        float[] recon = sae.forward(x, rows);
        double[] mean = new double[d];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < d; j++) {
                mean[j] += x[r * d + j] / (double) rows;
            }
        }
        double err = 0;
        double total = 0;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < d; j++) {
                err += Math.pow(x[r * d + j] - recon[r * d + j], 2);
                total += Math.pow(x[r * d + j] - mean[j], 2);
            }
        }
        return err / total;
    }

    private static SaeConfig recipe(Architecture arch, int d, int m) {
        SaeConfig c = SaeConfig.of(arch, d, m);
        return arch == Architecture.RELU ? c.withSparsityCoefficient(RELU_L1) : c.withK(K).withAux(AUXK, d / 2);
    }

    /**
     * Standard normal rows, as the reference draws when it has no activations: two batches drawn up front and
     * handed out in turn, so drawing them stays out of the timed steps (the reference draws outside its timer too).
     */
    private static ActivationStream gaussian(int d, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] pool = new float[2 * BATCH * d];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = (float) random.nextGaussian();
        }
        return new ActivationStream() {
            private int row;

            @Override
            public int width() {
                return d;
            }

            @Override
            public int read(float[] dst, int fromRow, int maxRows) {
                int n = Math.min(maxRows, 2 * BATCH - row);
                System.arraycopy(pool, row * d, dst, fromRow * d, n * d);
                row = (row + n) % (2 * BATCH);
                return n;
            }
        };
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("nanolens-bench-sae-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
