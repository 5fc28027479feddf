package io.nanolens.sae;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random SAE weights in SAELens's names and layouts (W_enc [d_in, d_sae], W_dec [d_sae, d_in], ...) with SAELens's
 * inference semantics in float64 (saes/standard_sae.py, topk_sae.py, jumprelu_sae.py, gated_sae.py), written from
 * FORMATS.md §2.1 independently of nanolens's own layout.
 */
final class SaeLensLayout {
    final String architecture;
    final int d;
    final int m;
    final Map<String, float[]> tensors = new LinkedHashMap<>();
    final Map<String, int[]> shapes = new LinkedHashMap<>();

    private SaeLensLayout(String architecture, int d, int m) {
        this.architecture = architecture;
        this.d = d;
        this.m = m;
    }

    /** Weights N(0, 0.4²), biases N(0, 0.2²), JumpReLU thresholds U(0.1, 0.6), in safetensors's name order. */
    static SaeLensLayout random(String architecture, int d, int m, long seed) {
        SaeLensLayout w = new SaeLensLayout(architecture, d, m);
        SplittableRandom random = new SplittableRandom(seed);
        w.put("W_dec", TestSaes.gaussian(random.nextLong(), m * d), 0.4f, m, d);
        w.put("W_enc", TestSaes.gaussian(random.nextLong(), d * m), 0.4f, d, m);
        w.put("b_dec", TestSaes.gaussian(random.nextLong(), d), 0.2f, d);
        if (architecture.equals("gated")) {
            w.put("b_gate", TestSaes.gaussian(random.nextLong(), m), 0.2f, m);
            w.put("b_mag", TestSaes.gaussian(random.nextLong(), m), 0.2f, m);
            w.put("r_mag", TestSaes.gaussian(random.nextLong(), m), 0.2f, m);
        } else {
            w.put("b_enc", TestSaes.gaussian(random.nextLong(), m), 0.2f, m);
        }
        if (architecture.equals("jumprelu")) {
            float[] theta = new float[m];
            for (int i = 0; i < m; i++) {
                theta[i] = (float) (0.1 + 0.5 * random.nextDouble());
            }
            w.put("threshold", theta, 1f, m);
        }
        return w;
    }

    private void put(String name, float[] values, float scale, int... shape) {
        for (int i = 0; i < values.length; i++) {
            values[i] *= scale;
        }
        tensors.put(name, values);
        shapes.put(name, shape);
    }

    HandWrittenSafeTensors safeTensors() {
        HandWrittenSafeTensors file = new HandWrittenSafeTensors();
        tensors.forEach((name, v) -> file.put(name, v, shapes.get(name)));
        return file;
    }

    /** SAELens latents of x [rows, d]; TopK keeps k per row (ranking pre·‖W_dec_i‖ when rescaling). */
    double[] encode(double[] x, int rows, boolean applyBDec, int k, boolean rescale) {
        double[] f = new double[rows * m];
        float[] wEnc = tensors.get("W_enc");
        for (int r = 0; r < rows; r++) {
            double[] pre = new double[m];
            double[] mag = new double[m];
            for (int i = 0; i < m; i++) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    double in = x[r * d + j] - (applyBDec ? tensors.get("b_dec")[j] : 0);
                    dot += in * wEnc[j * m + i];
                }
                if (architecture.equals("gated")) {
                    pre[i] = dot + tensors.get("b_gate")[i];
                    mag[i] = dot * Math.exp(tensors.get("r_mag")[i]) + tensors.get("b_mag")[i];
                } else {
                    pre[i] = dot + tensors.get("b_enc")[i];
                }
            }
            for (int i = 0; i < m; i++) {
                f[r * m + i] = switch (architecture) {
                    case "standard" -> Math.max(pre[i], 0);
                    case "jumprelu" -> pre[i] > tensors.get("threshold")[i] ? Math.max(pre[i], 0) : 0;
                    case "gated" -> pre[i] > 0 ? Math.max(mag[i], 0) : 0;
                    default -> 0;
                };
            }
            if (architecture.equals("topk")) {
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < m; i++) {
                    order.add(i);
                    pre[i] *= rescale ? norm(i) : 1;
                }
                double[] ranked = pre;
                order.sort(Comparator.<Integer>comparingDouble(i -> -ranked[i]).thenComparingInt(i -> i));
                for (int j = 0; j < k; j++) {
                    f[r * m + order.get(j)] = Math.max(pre[order.get(j)], 0);
                }
            }
        }
        return f;
    }

    /** SAELens reconstruction of latents f: (f, divided by ‖W_dec_i‖ when rescaling)·W_dec + b_dec. */
    double[] decode(double[] f, int rows, boolean rescale) {
        double[] out = new double[rows * d];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < d; j++) {
                double s = tensors.get("b_dec")[j];
                for (int i = 0; i < m; i++) {
                    s += f[r * m + i] / (rescale ? norm(i) : 1) * tensors.get("W_dec")[i * d + j];
                }
                out[r * d + j] = s;
            }
        }
        return out;
    }

    private double norm(int i) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            double v = tensors.get("W_dec")[i * d + j];
            s += v * v;
        }
        return Math.sqrt(s);
    }
}
