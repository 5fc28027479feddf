package io.nanolens.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fast matmul behind {@link Matmul}: C[M,N] (+)= op(A)·op(B) on row-major arrays, after Goto and van de Geijn
 * ("Anatomy of high-performance matrix multiplication", 2008). Blocks of B (KC×NC) and A (MC×KC) are packed into
 * contiguous panels so that a 6×16 register tile — 12 ymm accumulators, 2 B vectors and 1 broadcast, 15 of the 16
 * AVX2 registers — streams through them with unit stride. Packing absorbs the transposes, so the three layouts share
 * one micro-kernel. Work is split into column blocks (and row chunks when there are few) handed out dynamically.
 */
final class Gemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int MR = 6;
    static final int NR = 16;
    // Tuned on Zen 3 (32 KiB L1d, 512 KiB L2) at K = 768: a KC covering the whole K up to 1024 keeps the
    // accumulators over all of K so C is written once; the B block (KC·NC·4 ≤ 256 KiB) and an A block
    // (MC·KC·4 ≤ 192 KiB) share L2. Larger MC or NC measured slower; nanolens.gemm.* override them for tuning.
    static final int KC = Integer.getInteger("nanolens.gemm.kc", 1024);
    static final int MC = Integer.getInteger("nanolens.gemm.mc", 48);
    static final int NC = Integer.getInteger("nanolens.gemm.nc", 64);

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);
    // The caller's packed copy of all of A, reused across calls; grows to the largest A seen on that thread.
    private static final ThreadLocal<float[]> PACKED_A = ThreadLocal.withInitial(() -> new float[0]);
    // Larger packed copies (64 MiB and up) are allocated per call rather than kept alive by the thread.
    private static final int KEEP_PACKED_A = 16 << 20;

    private static final class Buffers {
        final float[] b = new float[KC * NC];
        final float[] tile = new float[MR * NR];
    }

    private Gemm() {
    }

    /** C[M,N] (+)= op(A)·op(B): A stored [M,K] (or [K,M] if transA), B stored [K,N] (or [N,K] if transB). */
    static void multiply(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                         int m, int k, int n, boolean accumulate, boolean transA, boolean transB) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * n, cOff + i * n + n, 0f);
                }
            }
            return;
        }
        int colBlocks = (n + NC - 1) / NC;
        int rowChunks = rowChunks(m, colBlocks);
        int rowsPerChunk = roundUp((m + rowChunks - 1) / rowChunks, MR);
        long flops = 2L * m * n * k;
        float[] packed = packedA(roundUp(m, MR) * k);
        Operands ops = new Operands(a, aOff, b, bOff, c, cOff, m, k, n, transA, transB, packed);
        packA(ops, flops >= 2_000_000);
        Parallel.Task task = (t, w) -> {
            int jc = (t % colBlocks) * NC;
            int i0 = (t / colBlocks) * rowsPerChunk;
            block(ops, i0, Math.min(m, i0 + rowsPerChunk), jc, Math.min(n, jc + NC), accumulate);
        };
        int tasks = colBlocks * ((m + rowsPerChunk - 1) / rowsPerChunk);
        if (flops < 2_000_000) {
            for (int t = 0; t < tasks; t++) {
                task.run(t, 0);
            }
        } else {
            Parallel.forEach(tasks, task);
        }
    }

    /** The operands of one call; {@code packedA} holds A as panels of MR rows over the whole K range. */
    record Operands(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                    int m, int k, int n, boolean transA, boolean transB, float[] packedA) {
    }

    static float[] packedA(int size) {
        float[] packed = PACKED_A.get();
        if (packed.length >= size) {
            return packed;
        }
        packed = new float[size];
        if (size <= KEEP_PACKED_A) {
            PACKED_A.set(packed);
        }
        return packed;
    }

    /** Enough row chunks that every thread gets several tasks, but none thinner than one MC block. */
    private static int rowChunks(int m, int colBlocks) {
        int wanted = (4 * Parallel.threads() + colBlocks - 1) / colBlocks;
        return Math.max(1, Math.min(wanted, m / MC));
    }

    static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    /** Computes rows [i0, i1) × columns [j0, j1) of C over the whole K range. */
    private static void block(Operands o, int i0, int i1, int j0, int j1, boolean accumulate) {
        Buffers buf = BUFFERS.get();
        int nc = j1 - j0;
        for (int pc = 0; pc < o.k; pc += KC) {
            int kc = Math.min(KC, o.k - pc);
            boolean add = accumulate || pc > 0;
            packB(o, pc, kc, j0, nc, buf.b);
            for (int ic = i0; ic < i1; ic += MC) {
                int mc = Math.min(MC, i1 - ic);
                for (int js = 0; js < nc; js += NR) {
                    int cols = Math.min(NR, nc - js);
                    int bStrip = js * kc;
                    for (int ir = 0; ir < mc; ir += MR) {
                        int rows = Math.min(MR, mc - ir);
                        int cAt = o.cOff + (ic + ir) * o.n + j0 + js;
                        int aAt = (ic + ir) * o.k + pc * MR;
                        if (rows == MR && cols == NR) {
                            kernel(o.packedA, aAt, buf.b, bStrip, kc, o.c, cAt, o.n, add);
                        } else {
                            edgeTile(o.packedA, aAt, buf, bStrip, kc, o.c, cAt, o.n, rows, cols, add);
                        }
                    }
                }
            }
        }
    }

    /**
     * All of op(A) into panels of MR rows, each k-major over the whole K range: panel p at p·MR·K, (r, kk) at
     * p·MR·K + kk·MR + r, rows past M zero. Packed once per call, so column blocks never repack it.
     */
    static void packA(Operands o, boolean parallel) {
        int panels = (o.m + MR - 1) / MR;
        Parallel.RangeTask pack = (from, to) -> {
            for (int p = from; p < to; p++) {
                packPanel(o, p * MR);
            }
        };
        if (parallel) {
            Parallel.forRange(panels, 16, pack);
        } else {
            pack.run(0, panels);
        }
    }

    private static void packPanel(Operands o, int i0) {
        float[] dst = o.packedA;
        int base = i0 * o.k;
        int rows = Math.min(MR, o.m - i0);
        for (int r = 0; r < MR; r++) {
            if (r >= rows) {
                for (int kk = 0; kk < o.k; kk++) {
                    dst[base + kk * MR + r] = 0f;
                }
            } else if (o.transA) {
                int src = o.aOff + i0 + r;
                for (int kk = 0; kk < o.k; kk++) {
                    dst[base + kk * MR + r] = o.a[src + kk * o.m];
                }
            } else {
                int src = o.aOff + (i0 + r) * o.k;
                for (int kk = 0; kk < o.k; kk++) {
                    dst[base + kk * MR + r] = o.a[src + kk];
                }
            }
        }
    }

    /** B[pc:pc+kc, j0:j0+nc] into strips of NR columns: strip s at s·NR·kc, (kk, c) at kk·NR+c, zero-padded. */
    private static void packB(Operands o, int pc, int kc, int j0, int nc, float[] dst) {
        for (int js = 0; js < nc; js += NR) {
            int cols = Math.min(NR, nc - js);
            int base = js * kc;
            if (o.transB) {
                packStripTransposed(o, pc, kc, j0 + js, cols, dst, base);
            } else {
                for (int kk = 0; kk < kc; kk++) {
                    int src = o.bOff + (pc + kk) * o.n + j0 + js;
                    int at = base + kk * NR;
                    if (cols == NR) {
                        System.arraycopy(o.b, src, dst, at, NR);
                    } else {
                        System.arraycopy(o.b, src, dst, at, cols);
                        java.util.Arrays.fill(dst, at + cols, at + NR, 0f);
                    }
                }
            }
        }
    }

    static void packStripTransposed(Operands o, int pc, int kc, int j, int cols, float[] dst, int base) {
        for (int c = 0; c < NR; c++) {
            if (c >= cols) {
                for (int kk = 0; kk < kc; kk++) {
                    dst[base + kk * NR + c] = 0f;
                }
            } else {
                int src = o.bOff + (j + c) * o.k + pc;
                for (int kk = 0; kk < kc; kk++) {
                    dst[base + kk * NR + c] = o.b[src + kk];
                }
            }
        }
    }

    /** A partial tile: run the full kernel into a scratch tile, then copy the valid rows × cols. */
    private static void edgeTile(float[] a, int aAt, Buffers buf, int bAt, int kc, float[] c, int cAt, int ldc,
                                 int rows, int cols, boolean add) {
        kernel(a, aAt, buf.b, bAt, kc, buf.tile, 0, NR, false);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                float v = buf.tile[r * NR + j];
                int at = cAt + r * ldc + j;
                c[at] = add ? c[at] + v : v;
            }
        }
    }

    /**
     * The 6×16 micro-kernel: C[6,16] (+)= Apanel[6,kc]·Bstrip[kc,16]. Per k step: two B vector loads, six
     * broadcasts, twelve FMAs. Kept as its own small method so C2 compiles it early and well.
     */
    static void kernel(float[] a, int aAt, float[] b, int bAt, int kc, float[] c, int cAt, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int bEnd = bAt + kc * NR;
        // One explicit check up front lets C2 drop the per-load range checks; with them the loop ran at 2/3 speed.
        if (aAt < 0 || bAt < 0 || bEnd > b.length || aAt + kc * MR > a.length) {
            throw new IndexOutOfBoundsException("packed panel out of range");
        }
        for (int bp = bAt, ap = aAt; bp < bEnd; bp += NR, ap += MR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + 8);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ap + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ap + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        // Written out rather than through a helper: a vector passed to a call that is not inlined gets boxed.
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, cAt));
            c01 = c01.add(FloatVector.fromArray(S, c, cAt + 8));
            c10 = c10.add(FloatVector.fromArray(S, c, cAt + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, cAt + ldc + 8));
            c20 = c20.add(FloatVector.fromArray(S, c, cAt + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, cAt + 2 * ldc + 8));
            c30 = c30.add(FloatVector.fromArray(S, c, cAt + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, cAt + 3 * ldc + 8));
            c40 = c40.add(FloatVector.fromArray(S, c, cAt + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, cAt + 4 * ldc + 8));
            c50 = c50.add(FloatVector.fromArray(S, c, cAt + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, cAt + 5 * ldc + 8));
        }
        c00.intoArray(c, cAt);
        c01.intoArray(c, cAt + 8);
        c10.intoArray(c, cAt + ldc);
        c11.intoArray(c, cAt + ldc + 8);
        c20.intoArray(c, cAt + 2 * ldc);
        c21.intoArray(c, cAt + 2 * ldc + 8);
        c30.intoArray(c, cAt + 3 * ldc);
        c31.intoArray(c, cAt + 3 * ldc + 8);
        c40.intoArray(c, cAt + 4 * ldc);
        c41.intoArray(c, cAt + 4 * ldc + 8);
        c50.intoArray(c, cAt + 5 * ldc);
        c51.intoArray(c, cAt + 5 * ldc + 8);
    }
}
