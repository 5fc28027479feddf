package io.nanolens.cli;

import io.nanolens.study.CheckpointScores;
import io.nanolens.study.HeatMap;
import io.nanolens.study.ScatterPlot;
import io.nanolens.study.StudyPage;
import io.nanolens.study.StudyTable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code study emergence} writes from its {@link CheckpointScores}: a table of checkpoints (FVU, L0, features
 * alive, first firing, fallen silent, mean best concept F1), a table of when each concept's best F1 first reached
 * the threshold, the features that died; the F1 curves over training tokens and the log10 density histograms as a
 * heat map in {@code report.html}; everything in {@code results.json}; and the summary printed at the end.
 */
final class EmergenceReport {
    /** Died features listed in table.md and the report (results.json lists all). */
    private static final int LISTED_DEATHS = 50;

    private final StudySetup setup;
    private final String saeName;
    private final int heldOut;
    private final double threshold;
    private final boolean logSpaced;
    private final List<CheckpointScores.Checkpoint> checkpoints;
    private final List<CheckpointScores.Emergence> emergence;
    private final List<CheckpointScores.Death> died;

    /** The report of {@code scores}; {@code logSpaced} draws the F1 curves over a log axis of tokens. */
    EmergenceReport(StudySetup setup, String saeName, int heldOut, double threshold, boolean logSpaced,
                    CheckpointScores scores) {
        this.setup = setup;
        this.saeName = saeName;
        this.heldOut = heldOut;
        this.threshold = threshold;
        this.logSpaced = logSpaced;
        this.checkpoints = scores.checkpoints();
        this.emergence = scores.emergence(threshold);
        this.died = scores.died();
    }

    /** One checkpoint as a progress line. */
    static String line(CheckpointScores.Checkpoint c) {
        return String.format(Locale.ROOT, "checkpoint step %d (%,d tokens): FVU %.3f, L0 %.1f, %d features alive, "
                + "mean best concept F1 %.3f", c.step(), c.tokens(), c.fvu(), c.l0(), c.alive(), meanF1(c));
    }

    /** The concept table and the deaths as printed at the end. */
    String summary() {
        StringBuilder sb = new StringBuilder();
        for (CheckpointScores.Emergence e : emergence) {
            sb.append(String.format(Locale.ROOT, "  %-16s %s; final F1 %.3f (feature %d)%n", e.concept(),
                    e.step() < 0 ? "never reached F1 " + threshold : String.format(Locale.ROOT, "F1 ≥ %s at %,d "
                            + "tokens (feature %d, F1 %.3f)", threshold, e.tokens(), e.feature(), e.f1()),
                    e.finalF1(), e.finalFeature()));
        }
        return sb.append(String.format(Locale.ROOT, "  %d features died (fired on the held-out tokens at an earlier "
                + "checkpoint, not at the last)%n", died.size())).toString();
    }

    /** Writes table.md, results.json and report.html into {@code out}. */
    void write(Path out, long tokens, double factor) throws IOException {
        StudyTable steps = checkpointTable();
        StudyTable concepts = conceptTable();
        StudyTable deaths = deathTable();
        String deathLine = died.size() + " features died (fired on the held-out tokens at an earlier checkpoint, not "
                + "at the last)" + (died.size() > LISTED_DEATHS ? "; the first " + LISTED_DEATHS + " listed" : "")
                + ".";
        String markdown = "## Checkpoints\n\n" + steps.markdown() + "\n## Concepts (best F1 ≥ " + threshold
                + ")\n\n" + concepts.markdown() + "\n## Died\n\n" + deathLine + "\n\n"
                + (deaths.size() > 0 ? deaths.markdown() : "");
        StudyPage page = new StudyPage("nanolens study: emergence", "When do SAE features appear, and which die?")
                .paragraph(String.format(Locale.ROOT, "SAE %s on %s at %s (d_in %d), %,d training tokens, scored at "
                                + "%d checkpoints on %,d held-out tokens.", saeName, setup.modelDir(),
                        setup.hook().name(), setup.width(), tokens, checkpoints.size(), heldOut))
                .figure(f1Plot().svg()).figure(heatMap().svg())
                .heading("Checkpoints").table(steps)
                .heading("Concepts: first checkpoint with best F1 ≥ " + threshold).table(concepts)
                .heading("Died").paragraph(deathLine);
        if (deaths.size() > 0) {
            page.table(deaths);
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("model", setup.modelDir().toString());
        results.put("hook", setup.hook().name());
        results.put("d_in", setup.width());
        results.put("sae", saeName);
        results.put("tokens", tokens);
        results.put("eval_tokens", heldOut);
        results.put("threshold", threshold);
        results.put("norm_scaling_factor", factor);
        results.put("histogram_edges", CheckpointScores.histogramEdges());
        results.put("checkpoints", checkpoints);
        results.put("emergence", emergence);
        results.put("died", died);
        StudySetup.write(out, markdown, results, page);
    }

    private StudyTable checkpointTable() {
        StudyTable t = new StudyTable("step", "tokens", "FVU", "L0", "alive", "first firing", "fell silent",
                "mean best concept F1");
        for (CheckpointScores.Checkpoint c : checkpoints) {
            t.row(Integer.toString(c.step()), String.format(Locale.ROOT, "%,d", c.tokens()),
                    String.format(Locale.ROOT, "%.3f", c.fvu()), String.format(Locale.ROOT, "%.1f", c.l0()),
                    Integer.toString(c.alive()), Integer.toString(c.firstFiring()), Integer.toString(c.fellSilent()),
                    String.format(Locale.ROOT, "%.3f", meanF1(c)));
        }
        return t;
    }

    private StudyTable conceptTable() {
        StudyTable t = new StudyTable("concept", "first tokens", "step", "feature then", "F1 then", "final F1",
                "final feature");
        for (CheckpointScores.Emergence e : emergence) {
            boolean found = e.step() >= 0;
            t.row(e.concept(), found ? String.format(Locale.ROOT, "%,d", e.tokens()) : "never",
                    found ? Integer.toString(e.step()) : "-", found ? Integer.toString(e.feature()) : "-",
                    found ? String.format(Locale.ROOT, "%.3f", e.f1()) : "-",
                    String.format(Locale.ROOT, "%.3f", e.finalF1()),
                    e.finalFeature() < 0 ? "-" : Integer.toString(e.finalFeature()));
        }
        return t;
    }

    private StudyTable deathTable() {
        StudyTable t = new StudyTable("feature", "last fired at step", "peak density");
        for (CheckpointScores.Death d : died.subList(0, Math.min(LISTED_DEATHS, died.size()))) {
            t.row(Integer.toString(d.feature()), Integer.toString(d.lastStep()),
                    String.format(Locale.ROOT, "%.2e", d.peakDensity()));
        }
        return t;
    }

    private ScatterPlot f1Plot() {
        ScatterPlot plot = new ScatterPlot("Best concept F1 over training", "training tokens (millions)", "best F1",
                logSpaced).joined();
        for (CheckpointScores.Checkpoint c : checkpoints) {
            c.f1().forEach((concept, f1) -> plot.add(concept, c.tokens() / 1e6, f1, String.format(Locale.ROOT,
                    "%s at %,d tokens: F1 %.3f (feature %d)", concept, c.tokens(), f1, c.feature().get(concept))));
        }
        return plot;
    }

    private HeatMap heatMap() {
        HeatMap map = new HeatMap("Feature densities at each checkpoint", "log10 feature density on held-out tokens",
                CheckpointScores.histogramEdges());
        for (CheckpointScores.Checkpoint c : checkpoints) {
            map.row(String.format(Locale.ROOT, "%,d tokens", c.tokens()), c.densityHistogram());
        }
        return map;
    }

    private static double meanF1(CheckpointScores.Checkpoint c) {
        return c.f1().values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
