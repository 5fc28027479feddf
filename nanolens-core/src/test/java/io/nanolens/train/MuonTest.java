package io.nanolens.train;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MuonTest {

    /** nanochat/muon.py in float64: Nesterov momentum, quintic Newton–Schulz on the wide orientation, scaled step. */
    private static final class Reference {
        final double[] p;
        final double[] buf;
        final int rows;
        final int cols;

        Reference(float[] init, int rows, int cols) {
            this.rows = rows;
            this.cols = cols;
            p = new double[init.length];
            for (int i = 0; i < init.length; i++) {
                p[i] = init[i];
            }
            buf = new double[init.length];
        }

        void step(float[] g, double lr, double mu) {
            double[][] x = new double[rows][cols];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    int k = i * cols + j;
                    buf[k] = buf[k] + (1 - mu) * (g[k] - buf[k]);
                    x[i][j] = g[k] + mu * (buf[k] - g[k]);
                }
            }
            boolean tall = rows > cols;
            if (tall) {
                x = transpose(x);
            }
            double norm = 0;
            for (double[] row : x) {
                for (double v : row) {
                    norm += v * v;
                }
            }
            norm = Math.sqrt(norm) + 1e-7;
            for (double[] row : x) {
                for (int j = 0; j < row.length; j++) {
                    row[j] /= norm;
                }
            }
            for (int it = 0; it < 5; it++) {
                double[][] a = times(x, transpose(x));
                double[][] aa = times(a, a);
                double[][] b = new double[a.length][a.length];
                for (int i = 0; i < a.length; i++) {
                    for (int j = 0; j < a.length; j++) {
                        b[i][j] = -4.7750 * a[i][j] + 2.0315 * aa[i][j];
                    }
                }
                double[][] bx = times(b, x);
                for (int i = 0; i < x.length; i++) {
                    for (int j = 0; j < x[0].length; j++) {
                        x[i][j] = 3.4445 * x[i][j] + bx[i][j];
                    }
                }
            }
            if (tall) {
                x = transpose(x);
            }
            double scale = lr * Math.sqrt(Math.max(1, (double) rows / cols));
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    p[i * cols + j] -= scale * x[i][j];
                }
            }
        }

        static double[][] transpose(double[][] a) {
            double[][] t = new double[a[0].length][a.length];
            for (int i = 0; i < a.length; i++) {
                for (int j = 0; j < a[0].length; j++) {
                    t[j][i] = a[i][j];
                }
            }
            return t;
        }

        static double[][] times(double[][] a, double[][] b) {
            double[][] c = new double[a.length][b[0].length];
            for (int i = 0; i < a.length; i++) {
                for (int k = 0; k < b.length; k++) {
                    for (int j = 0; j < b[0].length; j++) {
                        c[i][j] += a[i][k] * b[k][j];
                    }
                }
            }
            return c;
        }
    }

    @ParameterizedTest
    @CsvSource({"6, 3", "3, 5", "4, 4", "40, 10"})
    void stepsMatchAFloat64ReferenceOfNanochatMuon(int rows, int cols) {
        Tensor p = Tensor.randn(11, 0.2f, rows, cols);
        Tensor g = Tensor.zeros(rows, cols);
        Reference reference = new Reference(p.data(), rows, cols);
        Muon muon = new Muon();
        muon.add("w", p, g, 0.02f);
        SplittableRandom random = new SplittableRandom(rows * 31L + cols);
        float[] momenta = {0.85f, 0.9f, 0.95f};
        for (float mu : momenta) {
            for (int i = 0; i < g.size(); i++) {
                g.data()[i] = (float) random.nextDouble(-1, 1);
            }
            muon.step(0.5f, mu);
            reference.step(g.data(), 0.02 * 0.5, mu);
        }
        for (int i = 0; i < p.size(); i++) {
            assertEquals(reference.p[i], p.data()[i], 2e-5, "element " + i);
        }
    }

    @Test
    void rejectsTensorsThatAreNotMatrices() {
        Muon muon = new Muon();
        assertThrows(NanolensException.class, () -> muon.add("b", Tensor.zeros(5), Tensor.zeros(5), 0.02f));
    }
}
