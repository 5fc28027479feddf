package io.nanolens.sae;

import io.nanolens.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Naive float64 versions of every SAE architecture's training loss, written from the formulas in the class Javadocs
 * (and SAELens / the papers) with plain loops, independent of the code under test. Parameters use the same names
 * and row layouts as {@link Sae} (wEnc [m, d]). Terms the implementation holds fixed (AuxK's residual, the Gated
 * auxiliary decoder) are computed from {@code frozen}, a copy of the parameters at the point where gradients are
 * compared, so that finite differences of {@link #loss} measure exactly what backward should return.
 */
final class SaeReference {
    private final SaeConfig c;
    private final int d;
    private final int m;

    SaeReference(SaeConfig config) {
        this.c = config;
        this.d = config.dIn();
        this.m = config.dSae();
    }

    /** The loss split as {mse, sparsity, auxiliary, prefixMse}. */
    double[] parts(Map<String, double[]> p, Map<String, double[]> frozen, double[] x, int rows, double coefficient,
                   boolean[] dead) {
        double[] saeIn = center(p, x, rows);
        return switch (c.architecture()) {
            case RELU -> relu(p, saeIn, x, rows, coefficient);
            case JUMP_RELU -> jumpRelu(p, saeIn, x, rows, coefficient);
            case GATED -> gated(p, frozen, saeIn, x, rows, coefficient);
            case TOP_K, BATCH_TOP_K, MATRYOSHKA -> topKFamily(p, frozen, saeIn, x, rows, dead);
        };
    }

    double loss(Map<String, double[]> p, Map<String, double[]> frozen, double[] x, int rows, double coefficient,
                boolean[] dead) {
        return Arrays.stream(parts(p, frozen, x, rows, coefficient, dead)).sum();
    }

    /**
     * Inference latents [rows, m]: ReLU, per-row top-k, JumpReLU, the gated product, or for BatchTopK and
     * Matryoshka pre where pre > {@code threshold}.
     */
    double[] encode(Map<String, double[]> p, double[] x, int rows, double threshold) {
        double[] saeIn = center(p, x, rows);
        if (c.architecture() == Architecture.GATED) {
            double[] shared = pre(p, saeIn, rows, null);
            double[] f = new double[rows * m];
            for (int q = 0; q < f.length; q++) {
                int i = q % m;
                double piMag = Math.exp(p.get("rMag")[i]) * shared[q] + p.get("bMag")[i];
                f[q] = shared[q] + p.get("bGate")[i] > 0 ? Math.max(piMag, 0) : 0;
            }
            return f;
        }
        double[] pre = pre(p, saeIn, rows, p.get("bEnc"));
        return switch (c.architecture()) {
            case RELU -> Arrays.stream(pre).map(v -> Math.max(v, 0)).toArray();
            case TOP_K -> keep(pre, rows);
            case JUMP_RELU -> jump(p, pre, rows);
            default -> Arrays.stream(pre).map(v -> v > threshold ? v : 0).toArray();
        };
    }

    static Map<String, double[]> toDouble(Map<String, Tensor> parameters) {
        Map<String, double[]> out = new LinkedHashMap<>();
        parameters.forEach((name, t) -> out.put(name, toDouble(t.data())));
        return out;
    }

    static double[] toDouble(float[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i];
        }
        return y;
    }

    double[] center(Map<String, double[]> p, double[] x, int rows) {
        double[] saeIn = Arrays.copyOf(x, rows * d);
        if (c.applyBDecToInput()) {
            double[] bDec = p.get("bDec");
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < d; j++) {
                    saeIn[r * d + j] -= bDec[j];
                }
            }
        }
        return saeIn;
    }

    /** saeIn·wEncᵀ (+ bias unless null), [rows, m]. */
    double[] pre(Map<String, double[]> p, double[] saeIn, int rows, double[] bias) {
        double[] w = p.get("wEnc");
        double[] pre = new double[rows * m];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < m; i++) {
                double s = bias == null ? 0 : bias[i];
                for (int j = 0; j < d; j++) {
                    s += saeIn[r * d + j] * w[i * d + j];
                }
                pre[r * m + i] = s;
            }
        }
        return pre;
    }

    /** f·wDec + bDec, [rows, d]. */
    double[] decode(double[] f, double[] wDec, double[] bDec, int rows) {
        double[] out = new double[rows * d];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < d; j++) {
                double s = bDec[j];
                for (int i = 0; i < m; i++) {
                    s += f[r * m + i] * wDec[i * d + j];
                }
                out[r * d + j] = s;
            }
        }
        return out;
    }

    double mse(double[] a, double[] b, int rows) {
        double s = 0;
        for (int i = 0; i < rows * d; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s / rows;
    }

    double[] norms(double[] wDec) {
        double[] n = new double[m];
        for (int i = 0; i < m; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += wDec[i * d + j] * wDec[i * d + j];
            }
            n[i] = Math.sqrt(s);
        }
        return n;
    }

    /** λ·mean_r Σ_i f_ri·‖wDec_i‖. */
    double weightedL1(double[] f, double[] wDec, int rows, double coefficient) {
        double[] n = norms(wDec);
        double s = 0;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < m; i++) {
                s += f[r * m + i] * n[i];
            }
        }
        return coefficient * s / rows;
    }

    private double[] relu(Map<String, double[]> p, double[] saeIn, double[] x, int rows, double coefficient) {
        double[] f = pre(p, saeIn, rows, p.get("bEnc"));
        for (int i = 0; i < f.length; i++) {
            f[i] = Math.max(f[i], 0);
        }
        double[] xHat = decode(f, p.get("wDec"), p.get("bDec"), rows);
        return new double[] {mse(xHat, x, rows), weightedL1(f, p.get("wDec"), rows, coefficient), 0, 0};
    }

    /** JumpReLU activations pre·H(pre − exp(logθ)). */
    double[] jump(Map<String, double[]> p, double[] pre, int rows) {
        double[] f = new double[pre.length];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < m; i++) {
                double theta = Math.exp(p.get("logThreshold")[i]);
                f[r * m + i] = pre[r * m + i] > theta ? pre[r * m + i] : 0;
            }
        }
        return f;
    }

    private double[] jumpRelu(Map<String, double[]> p, double[] saeIn, double[] x, int rows, double coefficient) {
        double[] pre = pre(p, saeIn, rows, p.get("bEnc"));
        double[] f = jump(p, pre, rows);
        double[] xHat = decode(f, p.get("wDec"), p.get("bDec"), rows);
        long active = Arrays.stream(f).filter(v -> v != 0).count();
        return new double[] {mse(xHat, x, rows), coefficient * active / rows, 0, 0};
    }

    private double[] gated(Map<String, double[]> p, Map<String, double[]> frozen, double[] saeIn, double[] x,
                           int rows, double coefficient) {
        double[] shared = pre(p, saeIn, rows, null);
        double[] f = new double[rows * m];
        double[] gate = new double[rows * m];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < m; i++) {
                double piGate = shared[r * m + i] + p.get("bGate")[i];
                double piMag = Math.exp(p.get("rMag")[i]) * shared[r * m + i] + p.get("bMag")[i];
                f[r * m + i] = piGate > 0 ? Math.max(piMag, 0) : 0;
                gate[r * m + i] = Math.max(piGate, 0);
            }
        }
        double[] xHat = decode(f, p.get("wDec"), p.get("bDec"), rows);
        double[] viaGate = decode(gate, frozen.get("wDec"), frozen.get("bDec"), rows);
        return new double[] {mse(xHat, x, rows), weightedL1(gate, p.get("wDec"), rows, coefficient),
                c.auxCoefficient() * mse(viaGate, x, rows), 0};
    }

    /** Kept activations of the TopK family, [rows, m] dense, zeros for latents not kept. */
    double[] keep(double[] pre, int rows) {
        double[] f = new double[rows * m];
        if (c.architecture() == Architecture.TOP_K) {
            for (int r = 0; r < rows; r++) {
                int row = r;
                List<Integer> order = sortedDescending(m, i -> pre[row * m + i]);
                for (int j = 0; j < c.k(); j++) {
                    int i = order.get(j);
                    f[r * m + i] = Math.max(pre[r * m + i], 0);
                }
            }
        } else {
            List<Integer> order = sortedDescending(rows * m, q -> pre[q]);
            for (int j = 0; j < rows * c.k(); j++) {
                f[order.get(j)] = Math.max(pre[order.get(j)], 0);
            }
        }
        return f;
    }

    private double[] topKFamily(Map<String, double[]> p, Map<String, double[]> frozen, double[] saeIn, double[] x,
                                int rows, boolean[] dead) {
        double[] pre = pre(p, saeIn, rows, p.get("bEnc"));
        double[] f = keep(pre, rows);
        double mse;
        double inner = 0;
        if (c.architecture() == Architecture.MATRYOSHKA) {
            List<Integer> widths = c.prefixes();
            mse = 0;
            for (int l = 0; l < widths.size(); l++) {
                double[] prefix = f.clone();
                for (int r = 0; r < rows; r++) {
                    Arrays.fill(prefix, r * m + widths.get(l), r * m + m, 0);
                }
                double level = mse(decode(prefix, p.get("wDec"), p.get("bDec"), rows), x, rows);
                if (l < widths.size() - 1) {
                    inner += level;
                } else {
                    mse = level;
                }
            }
        } else {
            mse = mse(decode(f, p.get("wDec"), p.get("bDec"), rows), x, rows);
        }
        return new double[] {mse, 0, auxK(p, frozen, pre, x, rows, dead), inner};
    }

    /** AuxK with the residual taken from the frozen parameters' reconstruction. */
    private double auxK(Map<String, double[]> p, Map<String, double[]> frozen, double[] pre, double[] x, int rows,
                        boolean[] dead) {
        List<Integer> deadLatents = new ArrayList<>();
        for (int i = 0; dead != null && i < m; i++) {
            if (dead[i]) {
                deadLatents.add(i);
            }
        }
        if (deadLatents.isEmpty() || c.auxCoefficient() == 0) {
            return 0;
        }
        double[] frozenPre = pre(frozen, center(frozen, x, rows), rows, frozen.get("bEnc"));
        double[] residualBase = decode(keep(frozenPre, rows), frozen.get("wDec"), frozen.get("bDec"), rows);
        int k = Math.min(c.kAux(), deadLatents.size());
        double scale = Math.min((double) deadLatents.size() / c.kAux(), 1);
        double[] a = new double[rows * m];
        for (int r = 0; r < rows; r++) {
            int row = r;
            List<Integer> order = new ArrayList<>(deadLatents);
            order.sort(Comparator.<Integer>comparingDouble(i -> -pre[row * m + i]).thenComparingInt(i -> i));
            for (int j = 0; j < k; j++) {
                a[r * m + order.get(j)] = pre[r * m + order.get(j)];
            }
        }
        double[] aux = decode(a, p.get("wDec"), new double[d], rows);
        double s = 0;
        for (int q = 0; q < rows * d; q++) {
            double e = aux[q] - (x[q] - residualBase[q]);
            s += e * e;
        }
        return c.auxCoefficient() * scale * s / rows;
    }

    private static List<Integer> sortedDescending(int n, java.util.function.IntToDoubleFunction value) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        order.sort(Comparator.<Integer>comparingDouble(i -> -value.applyAsDouble(i)).thenComparingInt(i -> i));
        return order;
    }
}
