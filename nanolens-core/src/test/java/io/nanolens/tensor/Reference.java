package io.nanolens.tensor;

/**
 * Naive float64 versions of the kernels under test, written from the formulas and independent of the code they
 * check. Matrices are row-major [rows, d]; a null weight means 1 and a null bias 0.
 */
final class Reference {
    private Reference() {
    }

    static double[] rmsNorm(double[] x, double[] w, int rows, int d, double eps) {
        double[] out = new double[rows * d];
        for (int r = 0; r < rows; r++) {
            double rs = rmsRstd(x, r, d, eps);
            for (int i = 0; i < d; i++) {
                out[r * d + i] = x[r * d + i] * rs * weight(w, i);
            }
        }
        return out;
    }

    static double rmsRstd(double[] x, int r, int d, double eps) {
        double ss = 0;
        for (int i = 0; i < d; i++) {
            ss += x[r * d + i] * x[r * d + i];
        }
        return 1 / Math.sqrt(ss / d + eps);
    }

    /** {dx, dweight} of loss Σ dout·rmsNorm(x), from the closed form. */
    static double[][] rmsNormBackward(double[] dout, double[] x, double[] w, int rows, int d, double eps) {
        double[] dx = new double[rows * d];
        double[] dw = new double[d];
        for (int r = 0; r < rows; r++) {
            double rs = rmsRstd(x, r, d, eps);
            double gx = 0;
            for (int i = 0; i < d; i++) {
                gx += dout[r * d + i] * weight(w, i) * x[r * d + i];
            }
            for (int i = 0; i < d; i++) {
                int j = r * d + i;
                dx[j] = rs * dout[j] * weight(w, i) - rs * rs * rs * x[j] * gx / d;
                dw[i] += dout[j] * x[j] * rs;
            }
        }
        return new double[][] {dx, dw};
    }

    static double[] layerNorm(double[] x, double[] w, double[] b, int rows, int d, double eps) {
        double[] out = new double[rows * d];
        for (int r = 0; r < rows; r++) {
            double mu = mean(x, r, d);
            double rs = lnRstd(x, r, d, mu, eps);
            for (int i = 0; i < d; i++) {
                out[r * d + i] = (x[r * d + i] - mu) * rs * weight(w, i) + (b == null ? 0 : b[i]);
            }
        }
        return out;
    }

    static double mean(double[] x, int r, int d) {
        double s = 0;
        for (int i = 0; i < d; i++) {
            s += x[r * d + i];
        }
        return s / d;
    }

    static double lnRstd(double[] x, int r, int d, double mu, double eps) {
        double v = 0;
        for (int i = 0; i < d; i++) {
            v += (x[r * d + i] - mu) * (x[r * d + i] - mu);
        }
        return 1 / Math.sqrt(v / d + eps);
    }

    /** {dx, dweight, dbias} of loss Σ dout·layerNorm(x), from the closed form. */
    static double[][] layerNormBackward(double[] dout, double[] x, double[] w, int rows, int d, double eps) {
        double[] dx = new double[rows * d];
        double[] dw = new double[d];
        double[] db = new double[d];
        for (int r = 0; r < rows; r++) {
            double mu = mean(x, r, d);
            double rs = lnRstd(x, r, d, mu, eps);
            double sg = 0;
            double sgx = 0;
            for (int i = 0; i < d; i++) {
                double g = dout[r * d + i] * weight(w, i);
                sg += g;
                sgx += g * (x[r * d + i] - mu) * rs;
            }
            for (int i = 0; i < d; i++) {
                int j = r * d + i;
                double xhat = (x[j] - mu) * rs;
                dx[j] = rs * (dout[j] * weight(w, i) - sg / d - xhat * sgx / d);
                dw[i] += dout[j] * xhat;
                db[i] += dout[j];
            }
        }
        return new double[][] {dx, dw, db};
    }

    static double[] softmax(double[] x, int rows, int n) {
        double[] y = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, x[r * n + i]);
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
                y[r * n + i] = Math.exp(x[r * n + i] - max);
                sum += y[r * n + i];
            }
            for (int i = 0; i < n; i++) {
                y[r * n + i] /= sum;
            }
        }
        return y;
    }

    /** dx of loss Σ dy·softmax(x), via the Jacobian y_i(δ_ij − y_j). */
    static double[] softmaxBackward(double[] dy, double[] x, int rows, int n) {
        double[] y = softmax(x, rows, n);
        double[] dx = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    double jac = y[r * n + i] * ((i == j ? 1 : 0) - y[r * n + j]);
                    s += dy[r * n + j] * jac;
                }
                dx[r * n + i] = s;
            }
        }
        return dx;
    }

    static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    static double reluSquared(double x) {
        return x > 0 ? x * x : 0;
    }

    static double softcap(double x, double cap) {
        return cap * Math.tanh(x / cap);
    }

    /** Σ a·b over the elements of two arrays of equal length. */
    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double weight(double[] w, int i) {
        return w == null ? 1 : w[i];
    }
}
