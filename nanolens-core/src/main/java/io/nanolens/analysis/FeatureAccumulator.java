package io.nanolens.analysis;

import io.nanolens.explorer.ActivatingContext;
import io.nanolens.explorer.Histogram;
import io.nanolens.explorer.QuantileGroup;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Everything one pass keeps about one feature, in structures whose size is fixed by the {@link AnalysisConfig}:
 * counters, a histogram, the strongest contexts and samples from activation bands. Fed every token the feature
 * fires on (activation > 0), in stream order; one thread owns a feature at a time.
 *
 * <p><b>Histogram</b>: B bins of equal width over [0, R), R = 2^e the smallest power of two ≥ every activation seen
 * (at least 2^{@value #MIN_RANGE_EXPONENT}); a value v goes to bin ⌊v·B/R⌋, the last bin also taking v = R. When
 * an activation exceeds R, R doubles and bins merge pairwise, so the counts stay exact: with B and R powers of two
 * the bin of v after any number of doublings is what it would have been with the final R from the start (v·B/R
 * only shifts an exponent). The bin edges i·R/B are exact floats.
 *
 * <p><b>Top contexts</b>: a min-heap of the N strongest activations; ties keep the earlier token (the stream is
 * read in order, so a later equal value never displaces a kept one).
 *
 * <p><b>Band samples</b>: the histogram's range split into Q equal bands (Q divides B, so bands are unions of bins
 * and their counts exact); each band keeps the S tokens with the smallest pseudo-random keys (a hash of position,
 * feature and seed), which is a uniform sample without replacement of the band's tokens (bottom-k sampling, the
 * merge-able form of reservoir sampling). When R doubles, bands merge pairwise like the bins: the S smallest keys of
 * a union are among the S smallest of each part, so the sample stays exact.
 *
 * <p>Every kept token stores its display window (token ids and this feature's values) in a pool of N + Q·S slots.
 *
 * <p><b>Merge</b>: two accumulators of disjoint parts of the stream combine exactly ({@link #merge}): the smaller
 * range doubles until both agree, counts add, and the other's kept tokens are offered as if streamed, a tie going
 * to the earlier position, so the result is the top N and bottom-k samples of the union whatever the order.
 * (Over 400 lines: the merge needs the heap and band internals it shares with {@link #offer}.)
 */
final class FeatureAccumulator implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    /** Smallest histogram range 2^-24: activations below 6e-8 all fall in the first bin. */
    static final int MIN_RANGE_EXPONENT = -24;

    private final int topN;
    private final int bands;
    private final int perBand;
    private final int bins;
    private final int log2Bins;
    private final int width;            // W, window length 2·radius + 1
    long fires;
    float max;
    private int rangeExponent = Integer.MIN_VALUE; // e with R = 2^e; unset before the first firing
    private final long[] counts;        // [B]
    private final int[] windowIds;      // [slots, W] token ids of each kept window
    private final float[] windowValues; // [slots, W] this feature's activation on each
    private final byte[] windowLength;  // [slots]
    private final byte[] windowPeak;    // [slots] index of the kept token inside its window
    private final int[] freeSlots;      // stack of unused slots
    private int freeCount;
    private final float[] topValue;     // [N] min-heap by (value, then later position = weaker)
    private final long[] topPosition;   // [N]
    private final int[] topSlot;        // [N]
    private int topSize;
    private long[] bandKey;             // [Q, S]
    private float[] bandValue;          // [Q, S]
    private long[] bandPosition;        // [Q, S]
    private int[] bandSlot;             // [Q, S]
    private int[] bandSize;             // [Q]

    FeatureAccumulator(AnalysisConfig config) {
        topN = config.topContexts();
        bands = config.bands();
        perBand = config.samplesPerBand();
        bins = config.histogramBins();
        log2Bins = Integer.numberOfTrailingZeros(bins);
        width = config.windowLength();
        counts = new long[bins];
        int slots = config.windowsPerFeature();
        windowIds = new int[slots * width];
        windowValues = new float[slots * width];
        windowLength = new byte[slots];
        windowPeak = new byte[slots];
        freeSlots = new int[slots];
        for (int s = 0; s < slots; s++) {
            freeSlots[s] = slots - 1 - s;
        }
        freeCount = slots;
        topValue = new float[topN];
        topPosition = new long[topN];
        topSlot = new int[topN];
        bandKey = new long[bands * perBand];
        bandValue = new float[bands * perBand];
        bandPosition = new long[bands * perBand];
        bandSlot = new int[bands * perBand];
        bandSize = new int[bands];
    }

    /** Records that the feature fired with activation {@code v} > 0 on row {@code row} of the pass. */
    void offer(Pass pass, int row, int feature, float v, long key) {
        fires++;
        max = Math.max(max, v);
        fitRange(v);
        int bin = Math.min(bins - 1, (int) (v * Math.scalb(1f, log2Bins - rangeExponent)));
        counts[bin]++;
        long position = pass.firstPosition + row;
        int top = placeTop(v, position);
        if (top >= 0) {
            write(top, pass, row, feature);
        }
        int band = placeBand(bin / (bins / bands), key, v, position);
        if (band >= 0) {
            write(band, pass, row, feature);
        }
    }

    /**
     * Adds everything {@code other}, fed another part of the stream, has kept: exactly what this accumulator would
     * hold had it been offered those firings too. {@code other} must not be used afterwards.
     */
    void merge(FeatureAccumulator other) {
        assert other.topN == topN && other.bands == bands && other.perBand == perBand && other.bins == bins
                && other.width == width : "accumulators of different settings";
        if (other.fires == 0) {
            return;
        }
        if (rangeExponent == Integer.MIN_VALUE) {
            rangeExponent = other.rangeExponent;
        }
        while (rangeExponent < other.rangeExponent) {
            doubleRange();
        }
        while (other.rangeExponent < rangeExponent) {
            other.doubleRange();
        }
        fires += other.fires;
        max = Math.max(max, other.max);
        for (int b = 0; b < bins; b++) {
            counts[b] += other.counts[b];
        }
        for (int i = 0; i < other.topSize; i++) {
            int slot = placeTop(other.topValue[i], other.topPosition[i]);
            if (slot >= 0) {
                copy(slot, other, other.topSlot[i]);
            }
        }
        for (int q = 0; q < bands; q++) {
            for (int i = q * perBand; i < q * perBand + other.bandSize[q]; i++) {
                int slot = placeBand(q, other.bandKey[i], other.bandValue[i], other.bandPosition[i]);
                if (slot >= 0) {
                    copy(slot, other, other.bandSlot[i]);
                }
            }
        }
    }

    /** Windows currently kept (at most the pool's size, {@link AnalysisConfig#windowsPerFeature}). */
    int keptWindows() {
        return windowLength.length - freeCount;
    }

    /** Slots in the window pool: fixed at construction. */
    int windowSlots() {
        return windowLength.length;
    }

    /** The strongest contexts, strongest first (equal activations: earlier token first). */
    List<ActivatingContext> topContexts(String[] vocab) {
        Integer[] order = new Integer[topSize];
        for (int i = 0; i < topSize; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -topValue[i])
                .thenComparingLong(i -> topPosition[i]));
        List<ActivatingContext> out = new ArrayList<>(topSize);
        for (int i : order) {
            out.add(context(topSlot[i], vocab));
        }
        return out;
    }

    /** The sampled bands that hold any activation, lowest first; each band's samples strongest first. */
    List<QuantileGroup> quantileGroups(String[] vocab) {
        List<QuantileGroup> groups = new ArrayList<>();
        int binsPerBand = bins / bands;
        for (int q = 0; q < bands && fires > 0; q++) {
            long inBand = 0;
            for (int b = q * binsPerBand; b < (q + 1) * binsPerBand; b++) {
                inBand += counts[b];
            }
            if (inBand == 0) {
                continue;
            }
            float low = edge(q * binsPerBand);
            float high = Math.min(edge((q + 1) * binsPerBand), max);
            Integer[] order = new Integer[bandSize[q]];
            for (int i = 0; i < order.length; i++) {
                order[i] = q * perBand + i;
            }
            Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -bandValue[i])
                    .thenComparingLong(i -> bandPosition[i]));
            List<ActivatingContext> contexts = new ArrayList<>(order.length);
            for (int i : order) {
                contexts.add(context(bandSlot[i], vocab));
            }
            groups.add(new QuantileGroup(low, high, (double) inBand / fires, contexts));
        }
        return groups;
    }

    /** The histogram up to its last non-empty bin; {@link Histogram#EMPTY} if the feature never fired. */
    Histogram histogram() {
        int used = bins;
        while (used > 0 && counts[used - 1] == 0) {
            used--;
        }
        if (used == 0) {
            return Histogram.EMPTY;
        }
        float[] edges = new float[used + 1];
        for (int i = 0; i <= used; i++) {
            edges[i] = edge(i);
        }
        return new Histogram(edges, Arrays.copyOf(counts, used));
    }

    /** Lower edge of bin i, i·R/B (exact). */
    private float edge(int i) {
        return i * Math.scalb(1f, rangeExponent - log2Bins);
    }

    /** Grows R = 2^e until it holds v, merging bins and bands pairwise at each doubling. */
    private void fitRange(float v) {
        if (rangeExponent == Integer.MIN_VALUE) {
            int e = Math.getExponent(v);
            rangeExponent = Math.max(MIN_RANGE_EXPONENT, v > Math.scalb(1f, e) ? e + 1 : e);
            return;
        }
        while (v > Math.scalb(1f, rangeExponent)) {
            doubleRange();
        }
    }

    /** R doubles: bins and bands merge pairwise. */
    private void doubleRange() {
        for (int i = 0; i < bins / 2; i++) {
            counts[i] = counts[2 * i] + counts[2 * i + 1];
        }
        Arrays.fill(counts, bins / 2, bins, 0);
        mergeBands();
        rangeExponent++;
    }

    /** New band q = old bands 2q and 2q+1, keeping the S smallest keys; the upper half starts empty. */
    private void mergeBands() {
        long[] key = new long[bands * perBand];
        float[] value = new float[bands * perBand];
        long[] position = new long[bands * perBand];
        int[] slot = new int[bands * perBand];
        int[] size = new int[bands];
        for (int q = 0; q < bands / 2; q++) {
            for (int half = 2 * q; half <= 2 * q + 1; half++) {
                for (int i = half * perBand; i < half * perBand + bandSize[half]; i++) {
                    int at = q * perBand;
                    if (size[q] < perBand) {
                        at += size[q]++;
                    } else {
                        at = largestKey(key, at, perBand);
                        if (bandKey[i] >= key[at]) {
                            free(bandSlot[i]);
                            continue;
                        }
                        free(slot[at]);
                    }
                    key[at] = bandKey[i];
                    value[at] = bandValue[i];
                    position[at] = bandPosition[i];
                    slot[at] = bandSlot[i];
                }
            }
        }
        bandKey = key;
        bandValue = value;
        bandPosition = position;
        bandSlot = slot;
        bandSize = size;
    }

    /**
     * Keeps (v, position) among the top N if it is stronger than the weakest kept (a tie goes to the earlier
     * position; streamed in order, a later equal value never enters); returns the slot its window goes to, or -1.
     */
    private int placeTop(float v, long position) {
        if (topSize < topN) {
            int i = topSize++;
            topValue[i] = v;
            topPosition[i] = position;
            topSlot[i] = allocate();
            int slot = topSlot[i];
            siftUp(i);
            return slot;
        }
        if (v > topValue[0] || (v == topValue[0] && position < topPosition[0])) {
            int slot = topSlot[0];
            topValue[0] = v;
            topPosition[0] = position;
            siftDown(0);
            return slot;
        }
        return -1;
    }

    /** Keeps the token in band q if its key is among the S smallest; returns the slot its window goes to, or -1. */
    private int placeBand(int q, long key, float v, long position) {
        int at;
        if (bandSize[q] < perBand) {
            at = q * perBand + bandSize[q]++;
            bandSlot[at] = allocate();
        } else {
            at = largestKey(bandKey, q * perBand, perBand);
            if (key >= bandKey[at]) {
                return -1;
            }
        }
        bandKey[at] = key;
        bandValue[at] = v;
        bandPosition[at] = position;
        return bandSlot[at];
    }

    private static int largestKey(long[] key, int from, int count) {
        int best = from;
        for (int i = from + 1; i < from + count; i++) {
            if (key[i] > key[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Heap order: a is weaker than b (smaller value, or equal value at a later position). */
    private boolean weaker(int a, int b) {
        return topValue[a] < topValue[b] || (topValue[a] == topValue[b] && topPosition[a] > topPosition[b]);
    }

    private void siftUp(int i) {
        while (i > 0 && weaker(i, (i - 1) / 2)) {
            swapTop(i, (i - 1) / 2);
            i = (i - 1) / 2;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= topSize) {
                return;
            }
            if (child + 1 < topSize && weaker(child + 1, child)) {
                child++;
            }
            if (!weaker(child, i)) {
                return;
            }
            swapTop(i, child);
            i = child;
        }
    }

    private void swapTop(int a, int b) {
        float v = topValue[a];
        topValue[a] = topValue[b];
        topValue[b] = v;
        long p = topPosition[a];
        topPosition[a] = topPosition[b];
        topPosition[b] = p;
        int s = topSlot[a];
        topSlot[a] = topSlot[b];
        topSlot[b] = s;
    }

    private int allocate() {
        if (freeCount == 0) {
            throw new IllegalStateException("window pool of " + windowLength.length + " slots is exhausted");
        }
        return freeSlots[--freeCount];
    }

    private void free(int slot) {
        freeSlots[freeCount++] = slot;
    }

    /** Copies the window of {@code row} (its tokens and this feature's values) into {@code slot}. */
    private void write(int slot, Pass pass, int row, int feature) {
        int from = pass.windowStart[row];
        int n = pass.windowEnd[row] - from;
        int base = slot * width;
        float[] latents = pass.latents;
        for (int i = 0; i < n; i++) {
            windowIds[base + i] = pass.ids[from + i];
            windowValues[base + i] = latents[(from + i) * pass.m + feature];
        }
        windowLength[slot] = (byte) n;
        windowPeak[slot] = (byte) (row - from);
    }

    /** Copies the window kept in {@code other}'s slot {@code from} into this accumulator's {@code slot}. */
    private void copy(int slot, FeatureAccumulator other, int from) {
        System.arraycopy(other.windowIds, from * width, windowIds, slot * width, width);
        System.arraycopy(other.windowValues, from * width, windowValues, slot * width, width);
        windowLength[slot] = other.windowLength[from];
        windowPeak[slot] = other.windowPeak[from];
    }

    private ActivatingContext context(int slot, String[] vocab) {
        int n = windowLength[slot];
        int base = slot * width;
        List<String> tokens = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tokens.add(vocab[windowIds[base + i]]);
        }
        return new ActivatingContext(tokens, Arrays.copyOfRange(windowValues, base, base + n), windowPeak[slot]);
    }
}
