package io.nanolens.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The encoder of a TopK SAE in one pass, the Vector API twin of {@link Kernels#encodeTopK} (callers go through
 * {@link Ops}): pre = x·W_encᵀ + b_enc [rows, n] is produced tile by tile with {@link Gemm}'s micro-kernel, and
 * each tile is scanned for its rows' k largest values while it sits in L1, so the [rows, n] matrix (400 MB for a
 * 4096-row batch at n = 24576) is never written, re-read for the bias, nor re-read for the selection. See
 * PERFORMANCE.md, "Where an SAE training step spends its time".
 * <p>
 * Tiling: A (x) is packed once as in {@link Gemm}, and so is all of B (W_enc), in blocks of NC columns over the
 * whole K range. A task owns a chunk of rows and walks every column block in order, computing it MC rows at a time
 * into a [MC, NC] tile; the B block stays in L2 across the chunk's rows. Each row thus belongs to one thread and
 * sees its columns in increasing order, so one min-heap per row (stored in the output, root = the value to beat;
 * a vector compare against it skips whole vectors) gives exactly {@link Matmul#abT} + bias + {@link TopK#topK},
 * bit for bit, for any thread count. Streaming all of B once per chunk costs 16 × 75 MB of reads for a 4096-row
 * batch at K = 768, n = 24576: under 2 GB/s at the product's speed.
 */
public final class EncoderTopK {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    private static final int TILE_ROWS = Gemm.roundUp(Gemm.MC, Gemm.MR);
    private static final int TILE_COLS = Gemm.roundUp(Gemm.NC, Gemm.NR);
    // Row chunks: enough that every thread gets several (the last one to finish bounds the call), at most this many
    // rows so that the chunk's heaps stay in L2, and never fewer than one MC block.
    private static final int MAX_CHUNK_ROWS = 256;
    // Below this many flops a second thread costs more than it saves (as in Gemm).
    private static final long PARALLEL_FLOPS = 2_000_000;

    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[TILE_ROWS * TILE_COLS]);
    // The caller's packed copy of all of B, reused across calls (for an SAE: W_enc's size, allocated once).
    private static final ThreadLocal<float[]> PACKED_B = ThreadLocal.withInitial(() -> new float[0]);

    /** One call: the packed operands, the output heaps and the columns to gather. */
    private record Pass(Gemm.Operands o, float[] packedB, float[] bias, int k, int[] idx, float[] val, int[] gather,
                        int gatherCount, float[] gathered) {
    }

    private EncoderTopK() {
    }

    /**
     * The k largest of each row of pre = a·bᵀ + bias (a [rows, K], b [n, K], bias [n] or null) into indices and
     * values [rows, k], sorted descending, equal values with the lower column first; when gatherCount &gt; 0 also
     * gathered[r·gatherCount + j] = pre[r, gather[j]] for the ascending columns gather[0, gatherCount). NaN
     * pre-activations never rank; a row with fewer than k others gets NaN at its lowest unchosen columns.
     *
     * @throws IllegalArgumentException if k is not in [0, n], an array is too small or gather is not ascending in
     *                                  [0, n)
     */
    public static void encodeTopK(float[] a, float[] b, float[] bias, int rows, int kDim, int n, int k,
                                  int[] indices, float[] values, int[] gather, int gatherCount, float[] gathered) {
        checkArguments(a, b, bias, rows, kDim, n, k, indices, values, gather, gatherCount, gathered);
        if (rows == 0 || (k == 0 && gatherCount == 0)) {
            return;
        }
        if (rows < Matmul.SMALL_M || kDim == 0) {
            materialized(a, b, bias, rows, kDim, n, k, indices, values, gather, gatherCount, gathered);
            return;
        }
        boolean parallel = 2L * rows * n * kDim >= PARALLEL_FLOPS;
        Gemm.Operands o = new Gemm.Operands(a, 0, b, 0, null, 0, rows, kDim, n, false, true,
                Gemm.packedA(Gemm.roundUp(rows, Gemm.MR) * kDim));
        Gemm.packA(o, parallel);
        Pass pass = new Pass(o, packB(o, parallel), bias, k, indices, values, gather, gatherCount, gathered);
        int chunk = Gemm.roundUp(Math.clamp((rows + 4L * Parallel.threads() - 1) / (4L * Parallel.threads()),
                Gemm.MC, MAX_CHUNK_ROWS), Gemm.MR);
        int tasks = (rows + chunk - 1) / chunk;
        Parallel.Task task = (t, w) -> rowChunk(pass, t * chunk, Math.min(rows, t * chunk + chunk));
        if (parallel) {
            Parallel.forEach(tasks, task);
        } else {
            for (int t = 0; t < tasks; t++) {
                task.run(t, 0);
            }
        }
    }

    /** All of op(B) in column blocks of NC, block j at j·K·TILE_COLS, each packed as {@link #multiply} reads it. */
    private static float[] packB(Gemm.Operands o, boolean parallel) {
        int colBlocks = (o.n() + Gemm.NC - 1) / Gemm.NC;
        int blockSize = o.k() * TILE_COLS;
        float[] packed = PACKED_B.get();
        int size = Math.multiplyExact(colBlocks, blockSize);
        if (packed.length < size) {
            packed = new float[size];
            PACKED_B.set(packed);
        }
        float[] dst = packed;
        Parallel.RangeTask pack = (from, to) -> {
            for (int jb = from; jb < to; jb++) {
                int j0 = jb * Gemm.NC;
                int nc = Math.min(Gemm.NC, o.n() - j0);
                for (int pc = 0; pc < o.k(); pc += Gemm.KC) {
                    int kc = Math.min(Gemm.KC, o.k() - pc);
                    for (int js = 0; js < nc; js += Gemm.NR) {
                        Gemm.packStripTransposed(o, pc, kc, j0 + js, Math.min(Gemm.NR, nc - js), dst,
                                jb * blockSize + pc * TILE_COLS + js * kc);
                    }
                }
            }
        };
        if (parallel) {
            Parallel.forRange(colBlocks, 4, pack);
        } else {
            pack.run(0, colBlocks);
        }
        return packed;
    }

    /** Rows [i0, i1) against every column block in order: their heaps filled, then sorted best first. */
    private static void rowChunk(Pass p, int i0, int i1) {
        Gemm.Operands o = p.o;
        int k = p.k;
        Arrays.fill(p.idx, i0 * k, i1 * k, Integer.MAX_VALUE);
        Arrays.fill(p.val, i0 * k, i1 * k, Float.NEGATIVE_INFINITY);
        float[] tile = TILE.get();
        for (int j0 = 0; j0 < o.n(); j0 += Gemm.NC) {
            int nc = Math.min(Gemm.NC, o.n() - j0);
            int gFrom = lowerBound(p.gather, p.gatherCount, j0);
            int gTo = lowerBound(p.gather, p.gatherCount, j0 + nc);
            for (int ic = i0; ic < i1; ic += Gemm.MC) {
                int mc = Math.min(Gemm.MC, i1 - ic);
                multiply(o, p.packedB, j0 / Gemm.NC * o.k() * TILE_COLS, ic, mc, nc, tile);
                for (int r = 0; r < mc; r++) {
                    int row = ic + r;
                    addBias(tile, r * TILE_COLS, p.bias, j0, nc);
                    if (k > 0) {
                        scanRow(tile, r * TILE_COLS, j0, nc, k, p.idx, p.val, row * k);
                    }
                    for (int g = gFrom; g < gTo; g++) {
                        p.gathered[row * p.gatherCount + g] = tile[r * TILE_COLS + p.gather[g] - j0];
                    }
                }
            }
        }
        for (int row = i0; row < i1 && k > 0; row++) {
            sort(p.idx, p.val, row * k, k);
        }
    }

    /**
     * tile[0, mc) × [0, nc) = rows [ic, ic+mc) of A times the column block packed at {@code block}, through 6×16
     * kernel calls over K in {@link Gemm#KC} steps exactly as {@link Gemm} sums them. Rows and columns past the
     * edges are computed from the packings' zero padding and never read.
     */
    private static void multiply(Gemm.Operands o, float[] packed, int block, int ic, int mc, int nc, float[] tile) {
        for (int js = 0; js < nc; js += Gemm.NR) {
            for (int ir = 0; ir < mc; ir += Gemm.MR) {
                for (int pc = 0; pc < o.k(); pc += Gemm.KC) {
                    int kc = Math.min(Gemm.KC, o.k() - pc);
                    Gemm.kernel(o.packedA(), (ic + ir) * o.k() + pc * Gemm.MR, packed,
                            block + pc * TILE_COLS + js * kc, kc, tile, ir * TILE_COLS + js, TILE_COLS, pc > 0);
                }
            }
        }
    }

    /** tile[t, t+nc) += bias[j0, j0+nc), as the separate bias pass would add it. */
    private static void addBias(float[] tile, int t, float[] bias, int j0, int nc) {
        if (bias == null) {
            return;
        }
        int c = 0;
        for (int end = F.loopBound(nc); c < end; c += L) {
            FloatVector.fromArray(F, tile, t + c).add(FloatVector.fromArray(F, bias, j0 + c)).intoArray(tile, t + c);
        }
        for (; c < nc; c++) {
            tile[t + c] += bias[j0 + c];
        }
    }

    /**
     * Offers one tile row (columns j0…) to the row's heap idx/val[base, base+k). Values equal to the root pass the
     * vector filter: a tie wins when its column is lower (which, columns arriving in order, only the initial
     * sentinels lose).
     */
    private static void scanRow(float[] tile, int t, int j0, int nc, int k, int[] idx, float[] val, int base) {
        float root = val[base];
        int c = 0;
        for (int end = F.loopBound(nc); c < end; c += L) {
            long lanes = FloatVector.fromArray(F, tile, t + c).compare(VectorOperators.GE, root).toLong();
            for (long bits = lanes; bits != 0; bits &= bits - 1) {
                int col = c + Long.numberOfTrailingZeros(bits);
                root = offer(tile[t + col], j0 + col, k, idx, val, base);
            }
        }
        for (; c < nc; c++) {
            if (tile[t + c] >= root) {
                root = offer(tile[t + c], j0 + c, k, idx, val, base);
            }
        }
    }

    /** Replaces the heap's root when (v, col) ranks above it; returns the root's value afterwards. */
    private static float offer(float v, int col, int k, int[] idx, float[] val, int base) {
        if (v > val[base] || (v == val[base] && col < idx[base])) {
            val[base] = v;
            idx[base] = col;
            TopK.siftDown(idx, val, base, 0, k);
        }
        return val[base];
    }

    /** Sorts the heap idx/val[base, base+k) best first; sentinels left by NaN rows become NaN at valid columns. */
    private static void sort(int[] idx, float[] val, int base, int k) {
        for (int size = k - 1; size > 0; size--) {
            TopK.swap(idx, val, base, base + size);
            TopK.siftDown(idx, val, base, 0, size);
        }
        if (idx[base + k - 1] == Integer.MAX_VALUE) {
            fillWithNaN(idx, val, base, k);
        }
    }

    /**
     * A row with fewer than k pre-activations that are not NaN (a NaN never ranks) still ends in sentinels: they
     * become NaN at the lowest columns not chosen, so the indices stay valid and a non-finite input surfaces as a
     * non-finite loss.
     */
    private static void fillWithNaN(int[] idx, float[] val, int base, int k) {
        int col = 0;
        for (int j = base; j < base + k; j++) {
            if (idx[j] != Integer.MAX_VALUE) {
                continue;
            }
            while (contains(idx, base, k, col)) {
                col++;
            }
            idx[j] = col;
            val[j] = Float.NaN;
        }
    }

    private static boolean contains(int[] idx, int base, int k, int col) {
        for (int j = base; j < base + k; j++) {
            if (idx[j] == col) {
                return true;
            }
        }
        return false;
    }

    /** The plain path for a handful of rows, where packing would cost more than it saves. */
    private static void materialized(float[] a, float[] b, float[] bias, int rows, int kDim, int n, int k,
                                     int[] indices, float[] values, int[] gather, int gatherCount, float[] gathered) {
        float[] pre = new float[rows * n];
        Matmul.abT(a, b, pre, rows, kDim, n, false);
        Kernels.addRowBiasAndGather(pre, rows, n, bias, gather, gatherCount, gathered);
        TopK.topK(pre, rows, n, k, indices, values);
    }

    /** The first position in sorted[0, count) holding a value ≥ key (count if none). */
    private static int lowerBound(int[] sorted, int count, int key) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    static void checkArguments(float[] a, float[] b, float[] bias, int rows, int kDim, int n, int k, int[] indices,
                               float[] values, int[] gather, int gatherCount, float[] gathered) {
        TopK.checkK(n, k);
        if (rows < 0 || kDim < 0 || (long) rows * kDim > a.length || (long) n * kDim > b.length
                || (bias != null && bias.length < n) || (long) rows * k > indices.length
                || (long) rows * k > values.length) {
            throw new IllegalArgumentException("encodeTopK operands too small for rows = " + rows + ", K = " + kDim
                    + ", n = " + n + ", k = " + k);
        }
        if (gatherCount < 0 || (gatherCount > 0 && (gather.length < gatherCount
                || (long) rows * gatherCount > gathered.length))) {
            throw new IllegalArgumentException("encodeTopK gathers " + gatherCount + " columns of " + rows
                    + " rows into too small arrays");
        }
        for (int j = 0; j < gatherCount; j++) {
            if (gather[j] < 0 || gather[j] >= n || (j > 0 && gather[j] <= gather[j - 1])) {
                throw new IllegalArgumentException("gathered column " + gather[j] + " at " + j
                        + " is not ascending in [0, " + n + ")");
            }
        }
    }
}
