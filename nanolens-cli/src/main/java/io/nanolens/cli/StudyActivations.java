package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.analysis.AnalysisConfig;
import io.nanolens.analysis.AnalysisResult;
import io.nanolens.analysis.AnalysisSubject;
import io.nanolens.analysis.ConceptTable;
import io.nanolens.analysis.FeatureAnalysis;
import io.nanolens.eval.EvalConfig;
import io.nanolens.eval.EvalReport;
import io.nanolens.eval.SaeEvaluation;
import io.nanolens.io.AtomicFiles;
import io.nanolens.io.Json;
import io.nanolens.model.GptFiles;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.InputScale;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.store.ActivationHarvester;
import io.nanolens.sae.store.ActivationScaler;
import io.nanolens.sae.store.HarvestConfig;
import io.nanolens.sae.store.ShuffleBuffer;
import io.nanolens.sae.train.SaeRun;
import io.nanolens.sae.train.SaeTrainer;
import io.nanolens.sae.train.SaeTrainingConfig;
import io.nanolens.study.ScatterPlot;
import io.nanolens.text.Corpus;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./nanolens study activations}: seed 003's first question — on the same activations, how do ReLU, JumpReLU,
 * TopK, BatchTopK and Gated SAEs trade sparsity for reconstruction? Each architecture is swept over its sparsity
 * knob so the L0s overlap; all SAEs train together on one harvest (SaeTrainer's sweep), then each is evaluated on
 * held-out text (FVU, MSE, L0, dead, CE-loss recovered) and its best concept F1 per tinyworld concept is measured.
 * Writes {@code table.md}, {@code results.json} and {@code report.html} (the table and the L0-vs-FVU Pareto plot
 * as inline SVG).
 */
@Command(name = "activations", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Compare ReLU, JumpReLU, TopK, BatchTopK and Gated SAEs on the same activations.",
        footer = {"", "Example:", "  ./nanolens study activations --model runs/demo/model --out runs/study"})
final class StudyActivations implements Callable<Integer> {
    private static final int EXPANSION = 8;
    private static final int BATCH = 4096;
    private static final int CONTEXT = 128;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "runs/demo/model", paramLabel = "DIR",
            description = "A model directory (default: ${DEFAULT-VALUE}, made by ./nanolens demo).")
    Path model;

    @Option(names = "--hook", paramLabel = "NAME", description = "Hook point (default: the middle layer's "
            + "blocks.L.hook_resid_post).")
    String hook;

    @Option(names = "--corpus", defaultValue = "tinyworld", paramLabel = "SRC",
            description = "Training and evaluation text (default: ${DEFAULT-VALUE}).")
    String corpus;

    @Option(names = "--tokens", defaultValue = "300000", paramLabel = "N",
            description = "Training tokens shared by every SAE (default: ${DEFAULT-VALUE}).")
    long tokens;

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
        if (tokens < BATCH || evalTokens < 1) {
            throw new NanolensException("--tokens must be at least " + BATCH + " and --eval-tokens at least 1");
        }
        PrintWriter w = spec.commandLine().getOut();
        if (!Files.isDirectory(model)) {
            throw new NanolensException("no model in " + model + "; run ./nanolens demo first or pass --model DIR");
        }
        GptFiles.Loaded loaded = GptFiles.load(model);
        HookPoint point = HookPoint.parse(hook != null ? hook
                : "blocks." + loaded.gpt().config().nLayer() / 2 + ".hook_resid_post", loaded.gpt().config());
        int d = point.width(loaded.gpt().config());
        int context = Math.min(CONTEXT, loaded.gpt().config().sequenceLen());
        Corpus text = Corpus.open(corpus);
        List<SaeTrainer.Spec> specs = sweep(d);
        w.printf(Locale.ROOT, "study activations: %s at %s (d=%d), %d SAEs of %d latents on %,d shared tokens%n",
                model, point.name(), d, specs.size(), d * EXPANSION, tokens);
        w.flush();

        long t0 = System.nanoTime();
        HarvestConfig harvest = new HarvestConfig(point, context, HarvestConfig.DEFAULT_CONTEXTS_PER_PASS, false,
                tokens);
        double factor;
        HarvestConfig sample = new HarvestConfig(point, context, harvest.contextsPerPass(), false,
                Math.min(tokens, SaeTraining.SCALE_SAMPLE_ROWS));
        try (ActivationHarvester h = new ActivationHarvester(loaded.gpt(), loaded.tokenizer(), text.training(),
                sample)) {
            factor = ActivationScaler.estimate(h, sample.tokens());
        }
        SaeTrainingConfig training = SaeTrainingConfig.of(tokens).withBatchRows(BATCH).withIntervals(1_000_000, 0);
        Path runDir = out.resolve("run");
        SaeTrainer trainer = SaeTrainer.start(runDir, specs, training);
        try (ShuffleBuffer stream = new ShuffleBuffer(new ActivationHarvester(loaded.gpt(), loaded.tokenizer(),
                text.training(), harvest), 8 * BATCH, training.seed())) {
            trainer.train(stream.scaled((float) factor), (step, seen, metrics) -> {
                if (step % 10 == 0 || step == training.steps()) {
                    w.printf(Locale.ROOT, "  trained %d/%d steps (%,d tokens)%n", step, training.steps(), seen);
                    w.flush();
                }
            });
        }
        w.printf(Locale.ROOT, "  training took %.0f s; evaluating each SAE on %,d held-out tokens%n",
                (System.nanoTime() - t0) / 1e9, evalTokens);
        w.flush();

        List<Row> rows = new ArrayList<>();
        for (SaeRun run : trainer.runs()) {
            Sae sae = InputScale.fold(run.sae(), factor);
            EvalReport report = SaeEvaluation.run(loaded.gpt(), loaded.tokenizer(), sae, text,
                    EvalConfig.of(point, context, evalTokens), null);
            AnalysisSubject subject = new AnalysisSubject(model.toString(), loaded.gpt(), loaded.tokenizer(),
                    run.name(), sae, point, context);
            boolean concepts = text.source().startsWith("tinyworld");
            AnalysisResult analysis = FeatureAnalysis.run(subject, text.validation(),
                    AnalysisConfig.of(evalTokens, concepts), null, FeatureAnalysis.Listener.NONE);
            Map<String, Double> f1 = new java.util.LinkedHashMap<>();
            if (analysis.concepts() != null) {
                for (ConceptTable.Row r : analysis.concepts().rows()) {
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
        write(rows, point, d, factor);
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
        for (float l1 : List.of(1f, 3f, 8f)) {
            specs.add(new SaeTrainer.Spec("relu-l1-" + plain(l1),
                    SaeConfig.of(Architecture.RELU, d, m).withSparsityCoefficient(l1)));
            specs.add(new SaeTrainer.Spec("gated-l1-" + plain(l1),
                    SaeConfig.of(Architecture.GATED, d, m).withSparsityCoefficient(l1)));
        }
        for (float l0 : List.of(0.1f, 0.3f, 1f)) {
            specs.add(new SaeTrainer.Spec("jumprelu-l0-" + plain(l0), SaeConfig.of(Architecture.JUMP_RELU, d, m)
                    .withSparsityCoefficient(l0).withJumpRelu(SaeConfig.DEFAULT_BANDWIDTH, 0.1f)));
        }
        return specs;
    }

    private static String knob(SaeConfig c) {
        return c.architecture().usesK() ? "k=" + c.k() : (c.architecture() == Architecture.JUMP_RELU ? "l0=" : "l1=")
                + plain(c.sparsityCoefficient());
    }

    private static String plain(float v) {
        return new java.math.BigDecimal(Float.toString(v)).stripTrailingZeros().toPlainString();
    }

    private static String line(Row r) {
        return String.format(Locale.ROOT, "%-18s %-10s %-7s mse %8.4f  fvu %6.3f  L0 %6.1f  sparsity %5.2f%%  "
                        + "dead %5.1f%%  CE rec %6.3f  concept F1 %5.3f", r.name(), r.architecture(), r.knob(), r.mse(),
                r.fvu(), r.l0(), r.sparsity(), r.dead(), r.ceRecovered(), r.meanBestF1());
    }

    private void write(List<Row> rows, HookPoint point, int d, double factor) throws IOException {
        Files.createDirectories(out);
        StringBuilder md = new StringBuilder();
        md.append("| SAE | architecture | knob | MSE | FVU | L0 | sparsity % | dead % | CE-loss recovered | mean best concept F1 |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.4f | %.3f | %.1f | %.2f | %.1f | %.3f | %.3f |%n",
                    r.name(), r.architecture(), r.knob(), r.mse(), r.fvu(), r.l0(), r.sparsity(), r.dead(),
                    r.ceRecovered(), r.meanBestF1()));
        }
        AtomicFiles.writeString(out.resolve("table.md"), md.toString());
        AtomicFiles.writeString(out.resolve("results.json"), Json.toPrettyString(Map.of("model", model.toString(),
                "hook", point.name(), "d_in", d, "expansion", EXPANSION, "tokens", tokens, "eval_tokens", evalTokens,
                "norm_scaling_factor", factor, "saes", rows)));
        ScatterPlot fvu = new ScatterPlot("L0 vs FVU (lower right is better)", "L0", "FVU", true).joined();
        ScatterPlot ce = new ScatterPlot("L0 vs CE-loss recovered", "L0", "CE-loss recovered", true).joined();
        for (Row r : rows) {
            fvu.add(r.architecture(), r.l0(), r.fvu(), r.name() + ": L0 " + r.l0() + ", FVU " + r.fvu());
            ce.add(r.architecture(), r.l0(), r.ceRecovered(), r.name() + ": L0 " + r.l0() + ", CE rec " + r.ceRecovered());
        }
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>nanolens study: activations"
                + "</title><style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:"
                + "collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}td:first-child,"
                + "th:first-child{text-align:left}</style></head><body>");
        html.append("<h1>Which SAE architecture? ReLU, JumpReLU, TopK, BatchTopK, Gated on the same activations</h1>");
        html.append("<p>").append(ScatterPlot.escape(String.format(Locale.ROOT, "%s at %s (d_in %d), %d latents each, "
                + "%,d shared training tokens, evaluated on %,d held-out tokens.", model, point.name(), d,
                d * EXPANSION, tokens, evalTokens))).append("</p>");
        html.append(fvu.svg()).append(ce.svg());
        html.append("<table><tr><th>SAE</th><th>knob</th><th>MSE</th><th>FVU</th><th>L0</th><th>sparsity %</th>"
                + "<th>dead %</th><th>CE-loss recovered</th><th>mean best concept F1</th></tr>");
        for (Row r : rows) {
            html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%.4f</td><td>%.3f</td><td>%.1f</td>"
                            + "<td>%.2f</td><td>%.1f</td><td>%.3f</td><td>%.3f</td></tr>", ScatterPlot.escape(r.name()),
                    ScatterPlot.escape(r.knob()), r.mse(), r.fvu(), r.l0(), r.sparsity(), r.dead(), r.ceRecovered(),
                    r.meanBestF1()));
        }
        html.append("</table></body></html>\n");
        AtomicFiles.writeString(out.resolve("report.html"), html.toString());
    }
}
