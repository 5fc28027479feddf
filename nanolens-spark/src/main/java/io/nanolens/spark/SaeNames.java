package io.nanolens.spark;

import io.nanolens.NanolensException;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.train.SaeTrainer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SAEs of a Spark sweep, each given by the name {@code train-sae} gives a sweep member, which says what it is
 * and becomes its directory: {@code ARCH-xE} with an optional {@code -kK} (topk, batchtopk, matryoshka),
 * {@code -l1-C} (relu, gated) or {@code -l0-C} (jumprelu), e.g. {@code topk-x8-k32}, {@code relu-x16-l1-5},
 * {@code jumprelu-x8-l0-0.001}; left out, k and the coefficient take SaeConfig's defaults.
 */
final class SaeNames {
    private static final Pattern NAME = Pattern.compile(
            "([a-z_]+)-x(\\d{1,4})(?:-k(\\d{1,6})|-(l1|l0)-(\\d+(?:\\.\\d+)?(?:[eE]-?\\d+)?))?");
    private static final String FORM = "write ARCH-xE with -kK (topk, batchtopk, matryoshka), -l1-C (relu, gated) or "
            + "-l0-C (jumprelu), e.g. topk-x8-k32 or relu-x8-l1-5";

    private SaeNames() {
    }

    /**
     * The sweep member {@code name} for activations {@code dIn} wide.
     *
     * @throws NanolensException for a malformed name, an unknown architecture, a term the architecture does not
     *                           take, or a size out of range
     */
    static SaeTrainer.Spec spec(String name, int dIn) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            throw new NanolensException("SAE name '" + name + "' is not a sweep member's name: " + FORM);
        }
        Architecture architecture = Architecture.of(m.group(1));
        int expansion = Integer.parseInt(m.group(2));
        if (expansion < 1 || (long) dIn * expansion > Integer.MAX_VALUE / dIn) {
            throw new NanolensException("SAE " + name + ": expansion " + expansion + " for d_in " + dIn
                    + " is out of range; use a factor from 1 to " + Math.max(1, Integer.MAX_VALUE / dIn / dIn));
        }
        SaeConfig config = SaeConfig.of(architecture, dIn, dIn * expansion);
        if (m.group(3) != null) {
            if (!architecture.usesK()) {
                throw new NanolensException("SAE " + name + ": -k is for topk, batchtopk and matryoshka; " + FORM);
            }
            config = config.withK(Integer.parseInt(m.group(3)));
        } else if (m.group(4) != null) {
            String term = architecture == Architecture.JUMP_RELU ? "l0" : "l1";
            if (architecture.usesK() || !term.equals(m.group(4))) {
                throw new NanolensException("SAE " + name + ": -" + m.group(4) + " does not fit " + architecture.id()
                        + "; " + FORM);
            }
            config = config.withSparsityCoefficient(Float.parseFloat(m.group(5)));
        }
        return new SaeTrainer.Spec(name, config);
    }
}
