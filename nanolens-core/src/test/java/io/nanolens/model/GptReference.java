package io.nanolens.model;

import io.nanolens.tensor.Tensor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An independent, naive float64 forward pass of the nanochat v1 GPT written from the architecture description
 * (FORMATS.md 2.4) with plain loops, one sequence at a time: the control the float32 model is tested against.
 * Its parameters are double copies that tests may perturb for finite differences.
 */
final class GptReference {
    private static final double EPS = 1.1920929e-7;
    private static final double CAP = 15;

    final GptConfig c;
    final Map<String, double[]> p = new LinkedHashMap<>();

    /** What one forward pass produced: logits [rows][V], hook activations by name [rows][width], mean loss. */
    record Result(double[][] logits, Map<String, double[][]> activations, double loss) {
    }

    GptReference(GptConfig c, Map<String, Tensor> parameters) {
        this.c = c;
        parameters.forEach((name, t) -> {
            double[] d = new double[t.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = t.data()[i];
            }
            p.put(name, d);
        });
    }

    /** Forward on [b, t] tokens (row-major); targets may be null (loss NaN), negative targets are ignored. */
    Result forward(int[] tokens, int b, int t, int[] targets) {
        int n = b * t;
        double[][] logits = new double[n][];
        Map<String, double[][]> acts = new HashMap<>();
        for (int s = 0; s < b; s++) {
            int[] seq = new int[t];
            System.arraycopy(tokens, s * t, seq, 0, t);
            double[][] out = sequence(seq, acts, s * t, n);
            System.arraycopy(out, 0, logits, s * t, t);
        }
        double sum = 0;
        int count = 0;
        for (int r = 0; targets != null && r < n; r++) {
            if (targets[r] >= 0) {
                double max = Double.NEGATIVE_INFINITY;
                for (double z : logits[r]) {
                    max = Math.max(max, z);
                }
                double e = 0;
                for (double z : logits[r]) {
                    e += Math.exp(z - max);
                }
                sum += max + Math.log(e) - logits[r][targets[r]];
                count++;
            }
        }
        return new Result(logits, acts, count == 0 ? Double.NaN : sum / count);
    }

    private double[][] sequence(int[] seq, Map<String, double[][]> acts, int row0, int rows) {
        int t = seq.length;
        int d = c.nEmbd();
        double[][] x = new double[t][];
        for (int i = 0; i < t; i++) {
            x[i] = norm(slice(p.get("transformer.wte.weight"), seq[i] * d, d));
        }
        for (int l = 0; l < c.nLayer(); l++) {
            String w = "transformer.h." + l + ".";
            String hook = "blocks." + l + ".";
            record(acts, hook + "hook_resid_pre", x, row0, rows);
            double[][] attn = attention(x, w);
            record(acts, hook + "hook_attn_out", attn, row0, rows);
            x = add(x, attn);
            record(acts, hook + "hook_resid_mid", x, row0, rows);
            double[][] hidden = new double[t][];
            for (int i = 0; i < t; i++) {
                hidden[i] = linear(norm(x[i]), p.get(w + "mlp.c_fc.weight"), c.mlpDim());
                for (int j = 0; j < hidden[i].length; j++) {
                    double r = Math.max(0, hidden[i][j]);
                    hidden[i][j] = r * r;
                }
            }
            record(acts, hook + "mlp.hook_post", hidden, row0, rows);
            double[][] mlp = new double[t][];
            for (int i = 0; i < t; i++) {
                mlp[i] = linear(hidden[i], p.get(w + "mlp.c_proj.weight"), d);
            }
            record(acts, hook + "hook_mlp_out", mlp, row0, rows);
            x = add(x, mlp);
            record(acts, hook + "hook_resid_post", x, row0, rows);
        }
        double[][] logits = new double[t][];
        for (int i = 0; i < t; i++) {
            logits[i] = linear(norm(x[i]), p.get("lm_head.weight"), c.vocabSize());
            for (int j = 0; j < logits[i].length; j++) {
                logits[i][j] = CAP * Math.tanh(logits[i][j] / CAP);
            }
        }
        return logits;
    }

    private double[][] attention(double[][] x, String w) {
        int t = x.length;
        int hd = c.headDim();
        double[][] q = new double[t][];
        double[][] k = new double[t][];
        double[][] v = new double[t][];
        for (int i = 0; i < t; i++) {
            double[] h = norm(x[i]);
            q[i] = headNorm(rotate(linear(h, p.get(w + "attn.c_q.weight"), c.nEmbd()), i), c.nHead());
            k[i] = headNorm(rotate(linear(h, p.get(w + "attn.c_k.weight"), c.kvDim()), i), c.nKvHead());
            v[i] = linear(h, p.get(w + "attn.c_v.weight"), c.kvDim());
        }
        double[][] y = new double[t][c.nEmbd()];
        for (int head = 0; head < c.nHead(); head++) {
            int kvHead = head / (c.nHead() / c.nKvHead());
            for (int i = 0; i < t; i++) {
                double[] a = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    for (int e = 0; e < hd; e++) {
                        a[j] += q[i][head * hd + e] * k[j][kvHead * hd + e];
                    }
                    a[j] /= Math.sqrt(hd);
                    max = Math.max(max, a[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    a[j] = Math.exp(a[j] - max);
                    sum += a[j];
                }
                for (int j = 0; j <= i; j++) {
                    for (int e = 0; e < hd; e++) {
                        y[i][head * hd + e] += a[j] / sum * v[j][kvHead * hd + e];
                    }
                }
            }
        }
        double[][] out = new double[t][];
        for (int i = 0; i < t; i++) {
            out[i] = linear(y[i], p.get(w + "attn.c_proj.weight"), c.nEmbd());
        }
        return out;
    }

    /** Rotary at position pos on every head: pair (e, e + hd/2) turns by pos · 10000^(−2e/hd). */
    private double[] rotate(double[] x, int pos) {
        int hd = c.headDim();
        double[] y = x.clone();
        for (int h = 0; h < x.length / hd; h++) {
            for (int e = 0; e < hd / 2; e++) {
                double angle = pos * Math.pow(10000, -2.0 * e / hd);
                double x1 = x[h * hd + e];
                double x2 = x[h * hd + hd / 2 + e];
                y[h * hd + e] = x1 * Math.cos(angle) + x2 * Math.sin(angle);
                y[h * hd + hd / 2 + e] = -x1 * Math.sin(angle) + x2 * Math.cos(angle);
            }
        }
        return y;
    }

    private double[] headNorm(double[] x, int heads) {
        int hd = c.headDim();
        double[] y = new double[x.length];
        for (int h = 0; h < heads; h++) {
            double[] one = norm(slice(x, h * hd, hd));
            System.arraycopy(one, 0, y, h * hd, hd);
        }
        return y;
    }

    static double[] norm(double[] x) {
        double ms = 0;
        for (double v : x) {
            ms += v * v;
        }
        double s = 1 / Math.sqrt(ms / x.length + EPS);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * s;
        }
        return y;
    }

    /** x·Wᵀ with W stored [out, in]. */
    private static double[] linear(double[] x, double[] w, int out) {
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < x.length; i++) {
                y[o] += x[i] * w[o * x.length + i];
            }
        }
        return y;
    }

    private static double[] slice(double[] a, int from, int n) {
        double[] s = new double[n];
        System.arraycopy(a, from, s, 0, n);
        return s;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                y[i][j] = a[i][j] + b[i][j];
            }
        }
        return y;
    }

    private static void record(Map<String, double[][]> acts, String name, double[][] x, int row0, int rows) {
        double[][] all = acts.computeIfAbsent(name, k -> new double[rows][]);
        for (int i = 0; i < x.length; i++) {
            all[row0 + i] = x[i].clone();
        }
    }
}
