package io.nanolens.eval;

import io.nanolens.model.Gpt;
import io.nanolens.model.GptState;
import io.nanolens.model.HookPoint;
import io.nanolens.model.Hooks;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Corpus;
import io.nanolens.text.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A naive float64 evaluation written from the metric definitions (shared/docs/SAE.md §4) with plain loops and
 * per-token lists: one context per forward pass, a ReLU SAE applied in double precision from its raw weights, and
 * every metric computed from the full lists at the end (two-pass mean for the FVU). The control the streaming
 * {@link SaeEvaluation} is tested against.
 */
final class EvalReference {
    /** The metrics, named as in {@link EvalReport}. */
    record Result(double mse, double fvu, double cosine, double l0, double l1, double dead, double dense,
                  long[] histogram, double ceClean, double ceSae, double ceZero, double recovered, double kl,
                  long tokens) {
    }

    /** A ReLU SAE's weights in double: f = relu(wEnc·(x − bDec) + bEnc), x̂ = Σ_i f_i·wDec[i] + bDec. */
    record ReluWeights(double[][] wEnc, double[] bEnc, double[][] wDec, double[] bDec) {
        double[] latents(double[] x) {
            double[] f = new double[bEnc.length];
            for (int i = 0; i < f.length; i++) {
                double pre = bEnc[i];
                for (int c = 0; c < x.length; c++) {
                    pre += wEnc[i][c] * (x[c] - bDec[c]);
                }
                f[i] = Math.max(0, pre);
            }
            return f;
        }

        double[] decode(double[] f) {
            double[] out = bDec.clone();
            for (int i = 0; i < f.length; i++) {
                for (int c = 0; c < out.length; c++) {
                    out[c] += f[i] * wDec[i][c];
                }
            }
            return out;
        }
    }

    private EvalReference() {
    }

    /** The contexts: BOS, then the next T − 1 tokens of the BOS-separated stream, a leading document BOS skipped. */
    static List<int[]> contexts(Corpus heldOut, Tokenizer tokenizer, int t) {
        int bos = tokenizer.bosId();
        int[] stream;
        try (Stream<String> documents = heldOut.documents()) {
            stream = documents.flatMapToInt(d -> IntStream.concat(IntStream.of(bos),
                    Arrays.stream(tokenizer.encode(d)))).toArray();
        }
        List<int[]> contexts = new ArrayList<>();
        int p = 0;
        while (true) {
            if (p < stream.length && stream[p] == bos) {
                p++;
            }
            if (p + t - 1 > stream.length) {
                return contexts;
            }
            int[] context = new int[t];
            context[0] = bos;
            System.arraycopy(stream, p, context, 1, t - 1);
            contexts.add(context);
            p += t - 1;
        }
    }

    static Result evaluate(Gpt gpt, Tokenizer tokenizer, ReluWeights sae, HookPoint hook, List<int[]> contexts,
                           long budget, boolean keepBos) {
        int vocab = gpt.config().vocabSize();
        List<double[]> xs = new ArrayList<>();
        List<double[]> xHats = new ArrayList<>();
        List<double[]> fs = new ArrayList<>();
        List<double[]> ce = new ArrayList<>();   // {clean, sae, zero, kl} per scored position
        for (int[] context : contexts) {
            int t = context.length;
            GptState state = GptState.forInference(gpt.config(), 1, t);
            Hooks cacheHooks = new Hooks();
            Map<HookPoint, Tensor> cache = cacheHooks.cache(hook);
            gpt.forward(state, context, 1, t, null, cacheHooks);
            float[] clean = state.logits().clone();
            float[] act = cache.get(hook).data();
            int width = act.length / t;
            boolean[] evaluated = new boolean[t];
            float[] patch = new float[t * width];
            for (int pos = 0; pos < t; pos++) {
                evaluated[pos] = xs.size() < budget && (keepBos || context[pos] != tokenizer.bosId());
                if (evaluated[pos]) {
                    double[] x = new double[width];
                    for (int c = 0; c < width; c++) {
                        x[c] = act[pos * width + c];
                    }
                    double[] f = sae.latents(x);
                    double[] xHat = sae.decode(f);
                    xs.add(x);
                    fs.add(f);
                    xHats.add(xHat);
                    for (int c = 0; c < width; c++) {
                        patch[pos * width + c] = (float) xHat[c];
                    }
                }
            }
            float[] spliced = patched(gpt, state, context, hook, evaluated, patch, width);
            float[] zero = patched(gpt, state, context, hook, evaluated, new float[t * width], width);
            for (int pos = 0; pos + 1 < t; pos++) {
                if (evaluated[pos]) {
                    int target = context[pos + 1];
                    double[] lc = logSoftmax(clean, pos, vocab);
                    double[] ls = logSoftmax(spliced, pos, vocab);
                    double[] lz = logSoftmax(zero, pos, vocab);
                    double kl = 0;
                    for (int v = 0; v < vocab; v++) {
                        kl += Math.exp(lc[v]) * (lc[v] - ls[v]);
                    }
                    ce.add(new double[] {-lc[target], -ls[target], -lz[target], kl});
                }
            }
        }
        return metrics(xs, xHats, fs, ce);
    }

    private static float[] patched(Gpt gpt, GptState state, int[] context, HookPoint hook, boolean[] evaluated,
                                   float[] patch, int width) {
        Hooks hooks = new Hooks().add(hook, (p, act, rows, w, start) -> {
            for (int pos = 0; pos < rows; pos++) {
                if (evaluated[pos]) {
                    System.arraycopy(patch, pos * width, act, pos * width, width);
                }
            }
        });
        gpt.forward(state, context, 1, context.length, null, hooks);
        return state.logits().clone();
    }

    private static double[] logSoftmax(float[] logits, int row, int vocab) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[row * vocab + v]);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(logits[row * vocab + v] - max);
        }
        double[] out = new double[vocab];
        for (int v = 0; v < vocab; v++) {
            out[v] = logits[row * vocab + v] - max - Math.log(sum);
        }
        return out;
    }

    private static Result metrics(List<double[]> xs, List<double[]> xHats, List<double[]> fs, List<double[]> ce) {
        int n = xs.size();
        int d = xs.getFirst().length;
        int m = fs.getFirst().length;
        double[] mean = new double[d];
        for (double[] x : xs) {
            for (int c = 0; c < d; c++) {
                mean[c] += x[c] / n;
            }
        }
        double error = 0;
        double variance = 0;
        double cosine = 0;
        double l0 = 0;
        double l1 = 0;
        long[] fires = new long[m];
        for (int t = 0; t < n; t++) {
            double[] x = xs.get(t);
            double[] y = xHats.get(t);
            double dot = 0;
            double xx = 0;
            double yy = 0;
            for (int c = 0; c < d; c++) {
                error += (y[c] - x[c]) * (y[c] - x[c]);
                variance += (x[c] - mean[c]) * (x[c] - mean[c]);
                dot += x[c] * y[c];
                xx += x[c] * x[c];
                yy += y[c] * y[c];
            }
            cosine += dot / Math.max(Math.sqrt(xx * yy), 1e-8);
            for (int i = 0; i < m; i++) {
                if (fs.get(t)[i] > 0) {
                    l0++;
                    l1 += fs.get(t)[i];
                    fires[i]++;
                }
            }
        }
        long dead = Arrays.stream(fires).filter(c -> c == 0).count();
        long dense = Arrays.stream(fires).filter(c -> c > 0.1 * n).count();
        long[] histogram = new long[20];
        for (long c : fires) {
            double v = Math.log10((double) c / n + 1e-10);
            int bin = 0;
            while (bin < 19 && v >= -10 + 0.5 * (bin + 1)) {
                bin++;
            }
            histogram[bin]++;
        }
        double[] sums = new double[4];
        for (double[] row : ce) {
            for (int k = 0; k < 4; k++) {
                sums[k] += row[k] / ce.size();
            }
        }
        return new Result(error / n, error / variance, cosine / n, l0 / n, l1 / n, (double) dead / m,
                (double) dense / m, histogram, sums[0], sums[1], sums[2], (sums[2] - sums[1]) / (sums[2] - sums[0]),
                sums[3], n);
    }
}
