package io.nanolens.study;

import io.nanolens.analysis.ConceptProbe;
import io.nanolens.analysis.ConceptTable;
import io.nanolens.eval.DensityHistogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One SAE's held-out scores at its training checkpoints, as {@code study emergence} records them (a
 * {@link ConceptProbe.Score} per checkpoint: best F1 per concept, feature densities, FVU, L0), and what the series
 * says: when each concept's best F1 first reaches a threshold, how many features fire for the first time or fall
 * silent at each checkpoint, and which features died. "Fires" means fires at least once on the probe's held-out
 * tokens; a feature died if it fired at some earlier checkpoint and not at the last one.
 */
public final class CheckpointScores {
    private final List<Integer> steps = new ArrayList<>();
    private final List<Long> tokens = new ArrayList<>();
    private final List<ConceptProbe.Score> scores = new ArrayList<>();

    /**
     * One checkpoint's row.
     *
     * @param step             training steps done
     * @param tokens           training tokens seen
     * @param fvu              held-out fraction of variance unexplained
     * @param l0               held-out mean features firing per token
     * @param alive            features that fired on the held-out tokens
     * @param firstFiring      features that fired here and at no earlier checkpoint
     * @param fellSilent       features that fired at the previous checkpoint and not here
     * @param f1               per concept, the best feature's F1 (empty without concepts)
     * @param feature          per concept, that feature (-1 when none fired on the concept)
     * @param densityHistogram the features' log10 densities binned as {@link DensityHistogram#of} bins them
     */
    public record Checkpoint(int step, long tokens, double fvu, double l0, int alive, int firstFiring, int fellSilent,
                             Map<String, Double> f1, Map<String, Integer> feature, long[] densityHistogram) {
    }

    /**
     * When a concept first got a good feature.
     *
     * @param concept  the concept
     * @param step     the first checkpoint's step where the best F1 reached the threshold, -1 if none did
     * @param tokens   training tokens at that checkpoint, -1 if none
     * @param feature  the best feature there, -1 if none
     * @param f1       its F1 there (0 if none)
     * @param finalF1  the best F1 at the last checkpoint
     * @param finalFeature the best feature at the last checkpoint, -1 if none
     */
    public record Emergence(String concept, int step, long tokens, int feature, double f1, double finalF1,
                            int finalFeature) {
    }

    /**
     * A feature that died.
     *
     * @param feature     its index
     * @param lastStep    the step of the last checkpoint where it fired
     * @param peakDensity its highest held-out density over the checkpoints
     */
    public record Death(int feature, int lastStep, double peakDensity) {
    }

    /**
     * Records the scores of the checkpoint after {@code step} steps and {@code tokenCount} tokens.
     *
     * @throws IllegalArgumentException if the step does not follow the last one or the width changed
     */
    public void add(int step, long tokenCount, ConceptProbe.Score score) {
        if (!steps.isEmpty() && step <= steps.getLast()) {
            throw new IllegalArgumentException("checkpoint at step " + step + " after step " + steps.getLast());
        }
        if (!scores.isEmpty() && score.density().length != scores.getFirst().density().length) {
            throw new IllegalArgumentException("a checkpoint of " + score.density().length + " features after ones of "
                    + scores.getFirst().density().length);
        }
        steps.add(step);
        tokens.add(tokenCount);
        scores.add(score);
    }

    /** Checkpoints recorded. */
    public int size() {
        return scores.size();
    }

    /** One row per checkpoint, in order. */
    public List<Checkpoint> checkpoints() {
        List<Checkpoint> out = new ArrayList<>();
        for (int i = 0; i < scores.size(); i++) {
            double[] density = scores.get(i).density();
            int alive = 0;
            int first = 0;
            int silent = 0;
            for (int j = 0; j < density.length; j++) {
                alive += density[j] > 0 ? 1 : 0;
                first += density[j] > 0 && firstFiring(j) == i ? 1 : 0;
                silent += i > 0 && density[j] == 0 && scores.get(i - 1).density()[j] > 0 ? 1 : 0;
            }
            Map<String, Double> f1 = new LinkedHashMap<>();
            Map<String, Integer> feature = new LinkedHashMap<>();
            ConceptTable table = scores.get(i).concepts();
            if (table != null) {
                for (ConceptTable.Row r : table.rows()) {
                    f1.put(r.concept(), r.f1());
                    feature.put(r.concept(), r.feature());
                }
            }
            out.add(new Checkpoint(steps.get(i), tokens.get(i), scores.get(i).fvu(), scores.get(i).l0(), alive, first,
                    silent, f1, feature, DensityHistogram.of(density).counts()));
        }
        return out;
    }

    /** Per concept, the first checkpoint whose best F1 is at least {@code threshold} (empty without concepts). */
    public List<Emergence> emergence(double threshold) {
        List<Emergence> out = new ArrayList<>();
        if (scores.isEmpty() || scores.getLast().concepts() == null) {
            return out;
        }
        List<ConceptTable.Row> last = scores.getLast().concepts().rows();
        for (int c = 0; c < last.size(); c++) {
            Emergence e = new Emergence(last.get(c).concept(), -1, -1, -1, 0, last.get(c).f1(), last.get(c).feature());
            for (int i = 0; i < scores.size(); i++) {
                ConceptTable.Row r = scores.get(i).concepts().rows().get(c);
                if (r.f1() >= threshold) {
                    e = new Emergence(r.concept(), steps.get(i), tokens.get(i), r.feature(), r.f1(), e.finalF1(),
                            e.finalFeature());
                    break;
                }
            }
            out.add(e);
        }
        return out;
    }

    /** The features that fired at an earlier checkpoint and not at the last, by index. */
    public List<Death> died() {
        List<Death> out = new ArrayList<>();
        if (scores.isEmpty()) {
            return out;
        }
        double[] last = scores.getLast().density();
        for (int j = 0; j < last.length; j++) {
            if (last[j] > 0) {
                continue;
            }
            int lastFired = -1;
            double peak = 0;
            for (int i = 0; i < scores.size() - 1; i++) {
                double p = scores.get(i).density()[j];
                if (p > 0) {
                    lastFired = i;
                    peak = Math.max(peak, p);
                }
            }
            if (lastFired >= 0) {
                out.add(new Death(j, steps.get(lastFired), peak));
            }
        }
        return out;
    }

    /**
     * The steps of {@code count} checkpoints over a run of {@code total} steps, the last at {@code total}: evenly
     * spaced, or with {@code log} each at twice the steps of the one before (total·2^(i − count), i = 1..count), which
     * watches the first steps closely; steps that round to the same number are kept once, and none is below 1.
     */
    public static SortedSet<Integer> schedule(int total, int count, boolean log) {
        if (total < 1 || count < 1) {
            throw new IllegalArgumentException("need at least 1 step and 1 checkpoint, got " + total + " and " + count);
        }
        SortedSet<Integer> steps = new TreeSet<>();
        for (int i = 1; i <= count; i++) {
            double at = log ? total * Math.pow(2, i - count) : (double) i * total / count;
            steps.add((int) Math.max(1, Math.round(at)));
        }
        return steps;
    }

    /** The bin edges of every checkpoint's density histogram. */
    public static double[] histogramEdges() {
        return DensityHistogram.of(new double[0]).edges();
    }

    /** The first checkpoint where feature {@code j} fired, -1 if none. */
    private int firstFiring(int j) {
        for (int i = 0; i < scores.size(); i++) {
            if (scores.get(i).density()[j] > 0) {
                return i;
            }
        }
        return -1;
    }
}
