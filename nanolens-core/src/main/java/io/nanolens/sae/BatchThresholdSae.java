package io.nanolens.sae;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Tensor;

import java.util.Map;

/**
 * What BatchTopK and Matryoshka share: trained with a selection over the whole batch ({@link BatchSelection}), used
 * at inference with one learned threshold θ (keep pre where pre > θ). θ is a float64 moving average of the smallest
 * kept activation, as in SAELens; the first step that keeps a value sets it outright (dictionary_learning's rule),
 * because averaging up from 0 at rate 0.01 leaves a short run's SAE firing several times k.
 */
abstract sealed class BatchThresholdSae extends Sae permits BatchTopKSae, MatryoshkaSae {
    private double threshold;       // θ
    private boolean thresholdSet;   // θ has been learned from a batch or set; false until the first step

    BatchThresholdSae(SaeConfig config, Map<String, Tensor> parameters) {
        super(config, parameters);
    }

    @Override
    public double batchThreshold() {
        return threshold;
    }

    @Override
    public void setBatchThreshold(double theta) {
        if (!(theta >= 0) || Double.isInfinite(theta)) {
            throw new NanolensException(config.architecture().id() + " threshold " + theta
                    + " must be a finite number ≥ 0");
        }
        threshold = theta;
        thresholdSet = theta > 0;
    }

    @Override
    void encodeInto(float[] x, int rows, float[] f) {
        float[] saeIn = new float[rows * d];
        center(x, rows, saeIn);
        preActivations(saeIn, rows, f, bEnc);
        BatchSelection.threshold(f, f, rows * m, (float) threshold);
    }

    /** The buffers both train with: pre-activations, the batch selection and its codes, AuxK. */
    @Override
    void allocate(SaeState s) {
        s.pre = s.rowsByLatents();
        s.codes = BatchSelection.codes(s.maxRows, config.k(), d);
        s.selection = new BatchSelection(s.maxRows, config.k());
        s.auxK = new AuxK(s.maxRows, config.kAux(), d, m);
    }

    /** Moves θ towards the smallest activation this step's selection kept (sets it on the first such step). */
    void learnThreshold(SaeState s) {
        threshold = s.selection.updateThreshold(threshold, config.thresholdRate(), !thresholdSet);
        thresholdSet |= threshold > 0;
    }
}
