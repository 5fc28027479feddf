package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.analysis.ConceptProbe;
import io.nanolens.analysis.ConceptTable;
import io.nanolens.eval.EvalConfig;
import io.nanolens.eval.EvalReport;
import io.nanolens.eval.SaeEvaluation;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.InputScale;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.train.SaeRun;
import io.nanolens.sae.train.SaeTrainer;
import io.nanolens.sae.train.SaeTrainingConfig;
import io.nanolens.study.ScatterPlot;
import io.nanolens.study.StudyPage;
import io.nanolens.study.StudyTable;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./nanolens study activations}: seed 003's first question — on the same activations, how do ReLU, JumpReLU,
 * TopK, BatchTopK and Gated SAEs trade sparsity for reconstruction? Each architecture is swept over its sparsity
 * knob so the L0s overlap; all SAEs train together on one harvest (SaeTrainer's sweep), then each is evaluated on
 * held-out text (FVU, MSE, L0, dead, CE-loss recovered) and its best concept F1 per tinyworld concept is measured
 * on one {@link ConceptProbe} of held-out activations.
 * Writes {@code table.md}, {@code results.json} and {@code report.html} (the table and the L0-vs-FVU Pareto plot
 * as inline SVG).
 */
@Command(name = "activations", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Compare ReLU, JumpReLU, TopK, BatchTopK and Gated SAEs on the same activations.",
        footer = {"", "Example:", "  ./nanolens study activations --model runs/demo/model --out runs/study"})
final class StudyActivations implements Callable<Integer> {
    private static final int EXPANSION = 8;

    @Spec
    CommandSpec spec;

    @Mixin
    StudyOptions options;

    @Option(names = "--tokens", defaultValue = "300000", paramLabel = "N",
            description = "Training tokens shared by every SAE (default: ${DEFAULT-VALUE}).")
    long tokens;

    // The demo SAE's recipe (small batches, a high rate): 300 k tokens in steps of 4,096 at the 1/sqrt(m) rate left
    // TopK at FVU 0.27 and the ReLU SAEs far from their L1 targets.
    @Option(names = "--batch-rows", defaultValue = "" + DemoCommand.SAE_BATCH, paramLabel = "N",
            description = "Activation rows per step (default: ${DEFAULT-VALUE}).")
    int batchRows;

    @Option(names = "--lr", defaultValue = "5e-3", paramLabel = "LR",
            description = "Adam learning rate of every SAE (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--eval-tokens", defaultValue = "20000", paramLabel = "N",
            description = "Held-out tokens each SAE is evaluated and concept-scored on (default: ${DEFAULT-VALUE}).")
    long evalTokens;

    @Option(names = "--out", defaultValue = "runs/study/activations", paramLabel = "DIR",
            description = "Where the table and report go (default: ${DEFAULT-VALUE}).")
    Path out;

    /** One SAE's row of the table. */
    record Row(String name, String architecture, String knob, double mse, double fvu, double l0, double sparsity,
               double dead, double ceRecovered, double meanBestF1, Map<String, Double> bestF1) {
    }

    @Override
    public Integer call() throws IOException {
        if (batchRows < 1 || tokens < batchRows || evalTokens < 1) {
            throw new NanolensException("--batch-rows must be at least 1, --tokens at least --batch-rows ("
                    + batchRows + ") and --eval-tokens at least 1");
        }
        PrintWriter w = spec.commandLine().getOut();
        StudySetup setup = StudySetup.open(options);
        int d = setup.width();
        List<SaeTrainer.Spec> specs = sweep(d);
        w.printf(Locale.ROOT, "study activations: %s at %s (d=%d), %d SAEs of %d latents on %,d shared tokens%n",
                setup.modelDir(), setup.hook().name(), d, specs.size(), d * EXPANSION, tokens);
        w.flush();

        long t0 = System.nanoTime();
        double factor = setup.scaleFactor(tokens);
        SaeTrainingConfig training = SaeTrainingConfig.of(tokens).withBatchRows(batchRows).withLr(lr)
                .withIntervals(1_000_000, 0);
        SaeTrainer trainer = SaeTrainer.start(out.resolve("run"), specs, training);
        setup.train(trainer, training, factor, w, null);
        w.printf(Locale.ROOT, "  training took %.0f s; evaluating each SAE on %,d held-out tokens%n",
                (System.nanoTime() - t0) / 1e9, evalTokens);
        w.flush();

        ConceptProbe probe = setup.concepts() ? ConceptProbe.collect(setup.loaded().gpt(), setup.loaded().tokenizer(),
                setup.hook(), setup.context(), setup.corpus().validation(), evalTokens, true) : null;
        List<Row> rows = new ArrayList<>();
        for (SaeRun run : trainer.runs()) {
            Sae sae = InputScale.fold(run.sae(), factor);
            EvalReport report = SaeEvaluation.run(setup.loaded().gpt(), setup.loaded().tokenizer(), sae,
                    setup.corpus(), EvalConfig.of(setup.hook(), setup.context(), evalTokens), null);
            Map<String, Double> f1 = new LinkedHashMap<>();
            if (probe != null) {
                for (ConceptTable.Row r : probe.score(sae).concepts().rows()) {
                    f1.put(r.concept(), r.f1());
                }
            }
            double meanF1 = f1.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            Row row = new Row(run.name(), sae.architecture().id(), knob(run.sae().config()), report.mse(),
                    report.fvu(), report.l0(), 100 * report.l0() / sae.dSae(), 100 * report.deadFraction(),
                    report.ceLossRecovered(), meanF1, f1);
            rows.add(row);
            w.println("  " + line(row));
            w.flush();
        }
        write(rows, setup, factor);
        w.printf(Locale.ROOT, "done in %.0f s: %s, %s, %s%n", (System.nanoTime() - t0) / 1e9,
                out.resolve("table.md"), out.resolve("results.json"), out.resolve("report.html"));
        return 0;
    }

    /** Each architecture at three settings of its sparsity knob, chosen so the L0s overlap (10 to 100 or so). */
    static List<SaeTrainer.Spec> sweep(int d) {
        int m = d * EXPANSION;
        List<SaeTrainer.Spec> specs = new ArrayList<>();
        for (int k : List.of(8, 16, 32)) {
            specs.add(new SaeTrainer.Spec("topk-k" + k, SaeConfig.of(Architecture.TOP_K, d, m).withK(k)));
            specs.add(new SaeTrainer.Spec("batchtopk-k" + k, SaeConfig.of(Architecture.BATCH_TOP_K, d, m).withK(k)));
        }
        for (float l1 : List.of(2f, 5f, 12f)) {
            specs.add(new SaeTrainer.Spec("relu-l1-" + plain(l1),
                    SaeConfig.of(Architecture.RELU, d, m).withSparsityCoefficient(l1)));
            specs.add(new SaeTrainer.Spec("gated-l1-" + plain(l1),
                    SaeConfig.of(Architecture.GATED, d, m).withSparsityCoefficient(l1)));
        }
        // In a run this short Adam moves each JumpReLU threshold by about the learning rate per step whatever the
        // L0 coefficient (0.3, 1 and 3 all ended at L0 150 from θ0 = 0.1), so the initial threshold is the knob.
        for (float theta : List.of(0.3f, 0.4f, 0.5f)) {
            specs.add(new SaeTrainer.Spec("jumprelu-t" + plain(theta), SaeConfig.of(Architecture.JUMP_RELU, d, m)
                    .withSparsityCoefficient(1f).withJumpRelu(SaeConfig.DEFAULT_BANDWIDTH, theta)));
        }
        return specs;
    }

    private static String knob(SaeConfig c) {
        if (c.architecture() == Architecture.JUMP_RELU) {
            return "θ0=" + plain(c.initialThreshold());
        }
        return c.architecture().usesK() ? "k=" + c.k() : "l1=" + plain(c.sparsityCoefficient());
    }

    private static String plain(float v) {
        return new BigDecimal(Float.toString(v)).stripTrailingZeros().toPlainString();
    }

    private static String line(Row r) {
        return String.format(Locale.ROOT, "%-18s %-10s %-7s mse %8.4f  fvu %6.3f  L0 %6.1f  sparsity %5.2f%%  "
                        + "dead %5.1f%%  CE rec %6.3f  concept F1 %5.3f", r.name(), r.architecture(), r.knob(), r.mse(),
                r.fvu(), r.l0(), r.sparsity(), r.dead(), r.ceRecovered(), r.meanBestF1());
    }

    private void write(List<Row> rows, StudySetup setup, double factor) throws IOException {
        StudyTable table = new StudyTable("SAE", "architecture", "knob", "MSE", "FVU", "L0", "sparsity %", "dead %",
                "CE-loss recovered", "mean best concept F1");
        ScatterPlot fvu = new ScatterPlot("L0 vs FVU (lower right is better)", "L0", "FVU", true).joined();
        ScatterPlot ce = new ScatterPlot("L0 vs CE-loss recovered", "L0", "CE-loss recovered", true).joined();
        for (Row r : rows) {
            table.row(r.name(), r.architecture(), r.knob(), String.format(Locale.ROOT, "%.4f", r.mse()),
                    String.format(Locale.ROOT, "%.3f", r.fvu()), String.format(Locale.ROOT, "%.1f", r.l0()),
                    String.format(Locale.ROOT, "%.2f", r.sparsity()), String.format(Locale.ROOT, "%.1f", r.dead()),
                    String.format(Locale.ROOT, "%.3f", r.ceRecovered()),
                    String.format(Locale.ROOT, "%.3f", r.meanBestF1()));
            fvu.add(r.architecture(), r.l0(), r.fvu(), r.name() + ": L0 " + r.l0() + ", FVU " + r.fvu());
            ce.add(r.architecture(), r.l0(), r.ceRecovered(), r.name() + ": L0 " + r.l0() + ", CE rec "
                    + r.ceRecovered());
        }
        StudyPage page = new StudyPage("nanolens study: activations",
                "Which SAE architecture? ReLU, JumpReLU, TopK, BatchTopK, Gated on the same activations")
                .paragraph(String.format(Locale.ROOT, "%s at %s (d_in %d), %d latents each, %,d shared training "
                                + "tokens, evaluated on %,d held-out tokens.", setup.modelDir(), setup.hook().name(),
                        setup.width(), setup.width() * EXPANSION, tokens, evalTokens))
                .figure(fvu.svg()).figure(ce.svg()).table(table);
        StudySetup.write(out, table.markdown(), Map.of("model", setup.modelDir().toString(), "hook",
                setup.hook().name(), "d_in", setup.width(), "expansion", EXPANSION, "tokens", tokens, "eval_tokens",
                evalTokens, "norm_scaling_factor", factor, "saes", rows), page);
    }
}
