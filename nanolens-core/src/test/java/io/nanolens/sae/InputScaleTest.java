package io.nanolens.sae;

import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InputScaleTest {
    private static final int ROWS = 40;
    private static final double FACTOR = 0.37;

    @TempDir
    Path dir;

    private static Sae trained(Architecture a, boolean applyBDec) {
        Sae sae = TestSaes.random(TestSaes.small(a, applyBDec), 3);
        if (!Double.isNaN(sae.batchThreshold())) {
            sae.setBatchThreshold(0.15);
        }
        return sae;
    }

    private static float[] times(float[] v, double s) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] * s);
        }
        return out;
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * (1 + Math.abs(expected[i])), what + " at " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void foldedSaeOnRawInputGivesTheTrainedLatentsAndReconstructionOfScaledInputOverTheFactor(Architecture a) {
        for (boolean applyBDec : new boolean[] {true, false}) {
            Sae trained = trained(a, applyBDec);
            float[] x = times(TestSaes.gaussian(11, ROWS * trained.dIn()), 1 / FACTOR);
            float[] scaled = times(x, FACTOR);
            Sae folded = InputScale.fold(trained, FACTOR);
            String what = a.id() + (applyBDec ? "" : " without b_dec on the input");
            assertClose(trained.encode(scaled, ROWS), folded.encode(x, ROWS), what + " latents");
            assertClose(times(trained.forward(scaled, ROWS), 1 / FACTOR), folded.forward(x, ROWS),
                    what + " reconstruction");
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void foldedSaeSurvivesTheSaeLensDirectory(Architecture a) {
        Sae folded = InputScale.fold(trained(a, true), FACTOR);
        SaeLensFormat.write(dir, new SaeDirectory(folded, SaeMetadata.unknown(), null));
        Sae loaded = SaeLensFormat.read(dir).sae();
        float[] x = TestSaes.gaussian(5, ROWS * folded.dIn());
        assertArrayEquals(folded.forward(x, ROWS), loaded.forward(x, ROWS), 1e-6f);
    }

    @Test
    void foldingLeavesTheTrainedSaeAsItWas() {
        Sae trained = trained(Architecture.GATED, true);
        float[] before = trained.parameters().get(Sae.W_ENC).data().clone();
        InputScale.fold(trained, FACTOR);
        assertArrayEquals(before, trained.parameters().get(Sae.W_ENC).data());
    }

    @Test
    void factorMustBePositiveAndFinite() {
        Sae sae = trained(Architecture.TOP_K, true);
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(NanolensException.class, () -> InputScale.fold(sae, bad));
        }
    }
}
