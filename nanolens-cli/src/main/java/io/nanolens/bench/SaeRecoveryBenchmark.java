package io.nanolens.bench;

import io.nanolens.io.Directories;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.synthetic.DictionaryRecovery;
import io.nanolens.sae.synthetic.SyntheticActivations;
import io.nanolens.sae.train.SaeMetrics;
import io.nanolens.sae.train.SaeRun;
import io.nanolens.sae.train.SaeTrainer;
import io.nanolens.sae.train.SaeTrainingConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./nanolens bench sae-recovery}: the ground-truth test of the SAE architectures. Activations are sums of
 * a known dictionary's features (Zipf-like frequencies, correlated pairs, noise; {@link SyntheticActivations});
 * every architecture trains as one sweep on the same stream, then each learned decoder is scored against the true
 * features: MMCS (mean over true features of the best cosine with a learned row) and the fraction recovered above
 * cosine 0.9. There is no outside reference for this one: the truth is the reference.
 */
final class SaeRecoveryBenchmark {
    private static final int D = 64;
    private static final int TRUE_FEATURES = 256;
    private static final double MEAN_ACTIVE = 5;
    private static final int WIDTH = 512;
    private static final int K = 5;
    private static final int BATCH = 1024;
    private static final int STEPS = 600;
    private static final float LR = 2e-3f;

    private final BenchReport report;

    SaeRecoveryBenchmark(BenchReport report) {
        this.report = report;
    }

    void run() {
        SyntheticActivations truth = new SyntheticActivations(D, TRUE_FEATURES, MEAN_ACTIVE, 0.5, 2, 0.25, 0.01, 1);
        report.line("SAE recovery of a known dictionary: d = %d, %d true features, %.0f active per row on average,",
                D, TRUE_FEATURES, MEAN_ACTIVE);
        report.line("Zipf 0.5, a quarter in correlated pairs, noise 0.01; SAEs of %d latents, k = %d, %d steps × %d rows",
                WIDTH, K, STEPS, BATCH);
        List<SaeTrainer.Spec> specs = new ArrayList<>();
        for (Architecture a : Architecture.values()) {
            specs.add(new SaeTrainer.Spec(a.id(), recipe(a)));
        }
        SaeTrainingConfig config = SaeTrainingConfig.of((long) BATCH * STEPS).withBatchRows(BATCH).withLr(LR)
                .withIntervals(1_000_000, 0).withDeadWindow(50_000, SaeTrainingConfig.DEFAULT_RESAMPLES);
        Path dir = tempDir();
        try {
            SaeTrainer trainer = SaeTrainer.start(dir, specs, config);
            long t0 = System.nanoTime();
            SaeTrainer.Result result = trainer.train(truth.activations(Long.MAX_VALUE), null);
            double seconds = (System.nanoTime() - t0) / 1e9;
            report.line("%-12s %8s %10s %8s %8s %8s", "architecture", "MMCS", "recovered", "L0", "FVU", "dead");
            float[] directions = truth.directions();
            for (int i = 0; i < specs.size(); i++) {
                SaeRun run = trainer.runs().get(i);
                SaeMetrics m = result.last().get(i);
                float[] wDec = run.sae().parameters().get(Sae.W_DEC).data();
                DictionaryRecovery score = DictionaryRecovery.score(directions, TRUE_FEATURES, wDec, WIDTH, D,
                        DictionaryRecovery.DEFAULT_THRESHOLD);
                String id = run.name();
                report.line("%-12s %8.3f %10.3f %8.1f %8.3f %8.3f", id, score.mmcs(), score.recovered(), m.l0(),
                        m.fvu(), m.deadFraction());
                report.put(id + "_mmcs", score.mmcs());
                report.put(id + "_recovered", score.recovered());
                report.put(id + "_l0", m.l0());
                report.put(id + "_fvu", m.fvu());
            }
            report.line("(%d SAEs trained together in %.1f s)", specs.size(), seconds);
            report.put("seconds", seconds);
        } finally {
            Directories.deleteQuietly(dir);
        }
    }

    /**
     * Each architecture at settings that suit this short run (chosen by a small sweep on this data): the TopK family
     * at the true L0; Gated with L1 2; JumpReLU with thresholds starting at 0.1, as SAELens's defaults (0.01,
     * made for billions of tokens) leave hundreds of latents firing after 600 steps.
     */
    private static SaeConfig recipe(Architecture a) {
        SaeConfig c = SaeConfig.of(a, D, WIDTH);
        return switch (a) {
            case TOP_K, BATCH_TOP_K, MATRYOSHKA -> c.withK(K);
            case GATED -> c.withSparsityCoefficient(2f);
            case JUMP_RELU -> c.withJumpRelu(SaeConfig.DEFAULT_BANDWIDTH, 0.1f);
            case RELU -> c;
        };
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("nanolens-bench-recovery-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
