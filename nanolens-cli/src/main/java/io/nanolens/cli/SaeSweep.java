package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.train.SaeTrainer;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The SAEs one {@code train-sae} run trains side by side on one activation stream: every architecture of
 * {@code --arch} at every expansion factor of {@code --expansion}, and for each the values of {@code --k} (TopK,
 * BatchTopK, Matryoshka) or of {@code --l1} (the sparsity coefficient of ReLU, Gated and JumpReLU). Each gets a
 * name that says what it is, such as {@code topk-x8-k32} or {@code relu-x16-l1-5}, used as its directory name.
 *
 * @param architectures short architecture names, in order
 * @param expansions    d_sae / d_in factors
 * @param ks            k values; empty for SaeConfig's default
 * @param coefficients  sparsity coefficients; empty for SaeConfig's default
 */
record SaeSweep(List<String> architectures, List<Integer> expansions, List<Integer> ks, List<Float> coefficients) {

    /** Latents per input dimension when {@code --expansion} is not given. */
    static final int DEFAULT_EXPANSION = 8;

    SaeSweep {
        architectures = List.copyOf(architectures);
        expansions = List.copyOf(expansions);
        ks = List.copyOf(ks);
        coefficients = List.copyOf(coefficients);
    }

    /**
     * The sweep's SAEs for activations {@code dIn} wide, in the order architecture, expansion, k or coefficient.
     *
     * @throws NanolensException for an unknown architecture, a bad size, or k / l1 values no SAE of the sweep uses
     */
    List<SaeTrainer.Spec> specs(int dIn) {
        Set<Architecture> archs = new LinkedHashSet<>();
        architectures.forEach(name -> archs.add(Architecture.of(name.strip())));
        if (archs.isEmpty()) {
            throw new NanolensException("no SAE architecture given; use --arch with one or more of "
                    + List.of(Architecture.values()).stream().map(Architecture::id).toList());
        }
        if (!ks.isEmpty() && archs.stream().noneMatch(Architecture::usesK)) {
            throw new NanolensException("--k is for topk, batchtopk and matryoshka SAEs; --arch " + ids(archs)
                    + " takes --l1");
        }
        if (!coefficients.isEmpty() && archs.stream().allMatch(Architecture::usesK)) {
            throw new NanolensException("--l1 is for relu, gated and jumprelu SAEs; --arch " + ids(archs)
                    + " takes --k");
        }
        List<SaeTrainer.Spec> specs = new ArrayList<>();
        for (Architecture a : archs) {
            for (int expansion : expansions.isEmpty() ? List.of(DEFAULT_EXPANSION) : expansions) {
                SaeConfig base = SaeConfig.of(a, dIn, dSae(dIn, expansion));
                String prefix = a.id() + "-x" + expansion;
                if (a.usesK()) {
                    for (int k : ks.isEmpty() ? List.of(base.k()) : ks) {
                        specs.add(new SaeTrainer.Spec(prefix + "-k" + k, base.withK(k)));
                    }
                } else {
                    String term = a == Architecture.JUMP_RELU ? "-l0-" : "-l1-";
                    for (float c : coefficients.isEmpty() ? List.of(base.sparsityCoefficient()) : coefficients) {
                        specs.add(new SaeTrainer.Spec(prefix + term + plain(c), base.withSparsityCoefficient(c)));
                    }
                }
            }
        }
        return specs;
    }

    private static int dSae(int dIn, int expansion) {
        if (expansion < 1 || (long) dIn * expansion > Integer.MAX_VALUE / dIn) {
            throw new NanolensException("--expansion " + expansion + " for d_in " + dIn + ": use a factor from 1 to "
                    + Math.max(1, Integer.MAX_VALUE / dIn / dIn));
        }
        return dIn * expansion;
    }

    /** 5 for 5.0, 0.0001 for 1e-4: a coefficient as a file name can carry it. */
    private static String plain(float c) {
        return new BigDecimal(Float.toString(c)).stripTrailingZeros().toPlainString();
    }

    private static String ids(Set<Architecture> archs) {
        return String.join(",", archs.stream().map(Architecture::id).toList());
    }
}
