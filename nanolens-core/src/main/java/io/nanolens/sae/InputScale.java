package io.nanolens.sae;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Folds SAELens's activation normalisation back into an SAE's weights, the last step of the SAE stage before the
 * SAE is saved (FORMATS.md §2.1, SAELens {@code fold_activation_norm_scaling_factor}): an SAE trained on s·x
 * becomes one that takes the raw x. With W_enc' = s·W_enc, b_dec' = b_dec/s, W_dec' = W_dec/s and every other
 * parameter kept:
 * <ul>
 * <li>saeIn' = x − b_dec/s = (s·x − b_dec)/s, so pre' = saeIn'·W_enc' + b_enc = (s·x − b_dec)·W_enc + b_enc, the
 * trained SAE's pre-activation of s·x exactly (without b_dec on the input: x·s·W_enc + b_enc, the same);</li>
 * <li>the latents are therefore the same, so TopK's choice, ReLU, JumpReLU's thresholds θ, BatchTopK's learned
 * threshold and Gated's gate (p + b_gate) and magnitude (exp(r_mag)·p + b_mag, p = saeIn·W_enc) are unchanged;</li>
 * <li>x̂' = f·W_dec/s + b_dec/s = (f·W_dec + b_dec)/s, the trained reconstruction of s·x divided by s.</li>
 * </ul>
 * Decoder rows of a unit-norm SAE end at norm 1/s; SAELens folds the same way.
 */
public final class InputScale {
    private InputScale() {
    }

    /**
     * A new SAE that takes raw activations x and gives the latents {@code trained} gives for s·x and its
     * reconstruction divided by s; {@code trained} is left as it is.
     *
     * @throws NanolensException if the factor is not a positive finite number
     */
    public static Sae fold(Sae trained, double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new NanolensException("activation scaling factor " + factor + " must be a positive number");
        }
        Map<String, Tensor> folded = new LinkedHashMap<>();
        trained.parameters().forEach((name, t) -> {
            float[] values = t.data().clone();
            double scale = switch (name) {
                case Sae.W_ENC -> factor;
                case Sae.W_DEC, Sae.B_DEC -> 1 / factor;
                default -> 1;
            };
            if (scale != 1) {
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (values[i] * scale);
                }
            }
            folded.put(name, Tensor.of(values, t.shape()));
        });
        Sae sae = Sae.of(trained.config(), folded);
        if (!Double.isNaN(trained.batchThreshold())) {
            sae.setBatchThreshold(trained.batchThreshold());
        }
        return sae;
    }
}
