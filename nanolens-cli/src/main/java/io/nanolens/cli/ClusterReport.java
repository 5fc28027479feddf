package io.nanolens.cli;

import io.nanolens.analysis.AnalysisSubject;
import io.nanolens.study.FeatureMap;
import io.nanolens.study.ScatterPlot;
import io.nanolens.study.StudyPage;
import io.nanolens.study.StudyTable;
import io.nanolens.text.TinyWorld;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code study clusters} writes from a {@link FeatureMap}: the 2-D map twice in {@code report.html}, coloured
 * by best concept (or, off tinyworld, by the most common labels) and by cluster, every point's hover title naming
 * the feature, its label, concept and cluster; the cluster table (size, cohesion, concept, labels, members) in
 * {@code table.md} and the report; every point and cluster in {@code results.json}; the summary printed at the end.
 */
final class ClusterReport {
    /** Members listed per cluster in the tables (results.json lists all). */
    private static final int LISTED_MEMBERS = 12;
    /** Labels that get a colour of their own on a map coloured by label. */
    private static final int COLOURED_LABELS = 9;
    /** Clusters printed at the end. */
    private static final int PRINTED = 10;
    private static final String GREY = "#c7c7c7";

    private final AnalysisSubject subject;
    private final long tokens;
    private final boolean concepts;
    private final double minF1;
    private final FeatureMap map;

    ClusterReport(AnalysisSubject subject, long tokens, boolean concepts, double minF1, FeatureMap map) {
        this.subject = subject;
        this.tokens = tokens;
        this.concepts = concepts;
        this.minF1 = minF1;
        this.map = map;
    }

    /** The largest clusters as printed at the end. */
    String summary() {
        StringBuilder sb = new StringBuilder();
        for (FeatureMap.Cluster c : map.clusters().subList(0, Math.min(PRINTED, map.clusters().size()))) {
            sb.append(String.format(Locale.ROOT, "  cluster %-3d %4d features, cohesion %.2f, %s: %s%n", c.id(),
                    c.size(), c.cohesion(), concept(c), String.join(", ", c.labels())));
        }
        return sb.toString();
    }

    /** Writes table.md, results.json and report.html into {@code out}. */
    void write(Path out, long seed) throws IOException {
        StudyTable table = new StudyTable("cluster", "size", "cohesion", "concept", "labels", "members");
        for (FeatureMap.Cluster c : map.clusters()) {
            List<Integer> shown = c.members().subList(0, Math.min(LISTED_MEMBERS, c.size()));
            String members = shown.stream().map(String::valueOf).collect(Collectors.joining(" "))
                    + (c.size() > shown.size() ? " … (+" + (c.size() - shown.size()) + ")" : "");
            table.row(Integer.toString(c.id()), Integer.toString(c.size()),
                    String.format(Locale.ROOT, "%.3f", c.cohesion()), concept(c), String.join(", ", c.labels()),
                    members);
        }
        String what = String.format(Locale.ROOT, "SAE %s (%s, %,d features) at %s of %s; labels and concepts from "
                        + "%,d corpus tokens. %,d features fired and are mapped (%,d never fired). Axes: the first "
                        + "two principal components of the unit decoder rows (%.1f%% and %.1f%% of their variance); "
                        + "clusters: k-means on cosine, seed %d, mean cosine to the centroid %.3f (%.3f for as many "
                        + "random directions). A concept marks a feature whose best F1 is at least %s. Hover over a "
                        + "point for its feature.",
                subject.saeName(), subject.sae().architecture().id(), subject.sae().dSae(), subject.hook().name(),
                subject.modelName(), tokens, map.points().size(), map.silent(), 100 * map.explained()[0],
                100 * (map.explained().length > 1 ? map.explained()[1] : 0), seed, map.cohesion(), map.baseline(),
                minF1);
        StudyPage page = new StudyPage("nanolens study: clusters", "Feature families: SAE features grouped by "
                + "decoder cosine").paragraph(what)
                .figure(concepts ? byConcept().svg() : byLabel().svg()).figure(byCluster().svg())
                .heading("Clusters (largest first)").table(table);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("model", subject.modelName());
        results.put("sae", subject.saeName());
        results.put("hook", subject.hook().name());
        results.put("d_sae", subject.sae().dSae());
        results.put("tokens", tokens);
        results.put("seed", seed);
        results.put("min_f1", minF1);
        results.put("explained", map.explained());
        results.put("silent", map.silent());
        results.put("cohesion", map.cohesion());
        results.put("baseline_cohesion", map.baseline());
        results.put("clusters", map.clusters());
        results.put("features", map.points());
        StudySetup.write(out, table.markdown(), results, page);
    }

    private String concept(FeatureMap.Cluster c) {
        return c.concept() == null ? "-" : String.format(Locale.ROOT, "%s (%d of %d)", c.concept(),
                c.conceptMembers(), c.size());
    }

    private ScatterPlot plot(String title) {
        return new ScatterPlot(title, "principal component 1", "principal component 2", false).radius(2.5);
    }

    private static String title(FeatureMap.Point p) {
        return String.format(Locale.ROOT, "#%d %s · cluster %d · %s · density %.2e", p.feature(),
                p.label().isEmpty() ? "(no label)" : p.label(), p.cluster(), p.concept() == null ? "no concept"
                        : String.format(Locale.ROOT, "%s F1 %.2f", p.concept(), p.f1()), p.density());
    }

    private ScatterPlot byConcept() {
        ScatterPlot plot = plot("Features by best concept");
        String none = String.format(Locale.ROOT, "no concept (F1 < %s)", minF1);
        plot.colour(none, GREY);
        for (String concept : TinyWorld.concepts()) {
            for (FeatureMap.Point p : map.points()) {
                if (concept.equals(p.concept())) {
                    plot.add(concept, p.x(), p.y(), title(p));
                }
            }
        }
        map.points().stream().filter(p -> p.concept() == null).forEach(p -> plot.add(none, p.x(), p.y(), title(p)));
        return plot;
    }

    private ScatterPlot byLabel() {
        ScatterPlot plot = plot("Features by label");
        List<String> common = map.points().stream().filter(p -> !p.label().isEmpty())
                .collect(Collectors.groupingBy(FeatureMap.Point::label, LinkedHashMap::new, Collectors.counting()))
                .entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(COLOURED_LABELS).map(Map.Entry::getKey).toList();
        plot.colour("other labels", GREY);
        for (FeatureMap.Point p : map.points()) {
            plot.add(common.contains(p.label()) ? p.label() : "other labels", p.x(), p.y(), title(p));
        }
        return plot;
    }

    private ScatterPlot byCluster() {
        ScatterPlot plot = plot("Features by cluster");
        for (FeatureMap.Cluster c : map.clusters()) {
            String name = String.format(Locale.ROOT, "cluster %d (%d)", c.id(), c.size());
            map.points().stream().filter(p -> p.cluster() == c.id()).forEach(p -> plot.add(name, p.x(), p.y(),
                    title(p)));
        }
        return plot;
    }
}
