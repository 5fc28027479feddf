package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.sae.train.SaeTrainer;
import io.nanolens.sae.train.SaeTrainingConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything that fixes a {@code train-sae} run, written to {@code OUT/train_sae.json} when it starts so that
 * {@code --resume} rebuilds the same activation stream (same rows in the same order, the same scaling factor) and the
 * same sweep, and so that {@code demo} can tell a finished run of its own from another one.
 *
 * @param model             the model directory, as given
 * @param hookName          the hook point, e.g. {@code blocks.2.hook_resid_post}
 * @param activations       a directory of collected activations, or null to harvest on the fly
 * @param corpus            the corpus the activations come from
 * @param contextSize       tokens per context of the harvest
 * @param keepBos           whether rows at BOS positions were kept
 * @param saes              the sweep, each SAE with its name and config
 * @param training          how the sweep is trained (its seed also seeds the shuffle)
 * @param normScalingFactor SAELens's factor s: the SAEs train on s·x, the saved ones take x
 */
record SaeRunSettings(String model, String hookName, String activations, String corpus, int contextSize,
                      boolean keepBos, List<SaeTrainer.Spec> saes, SaeTrainingConfig training,
                      double normScalingFactor) {

    static final String FILE_NAME = "train_sae.json";

    SaeRunSettings {
        saes = List.copyOf(saes);
    }

    static boolean exists(Path out) {
        return Files.isRegularFile(out.resolve(FILE_NAME));
    }

    static SaeRunSettings read(Path out) {
        return Json.read(out.resolve(FILE_NAME), SaeRunSettings.class);
    }

    void write(Path out) {
        Json.write(out.resolve(FILE_NAME), this);
    }

    SaeRunSettings withNormScalingFactor(double factor) {
        return new SaeRunSettings(model, hookName, activations, corpus, contextSize, keepBos, saes, training, factor);
    }

    /** Whether {@code other} describes the same run, whatever its scaling factor (measured once the run starts). */
    boolean sameRun(SaeRunSettings other) {
        return difference(other) == null;
    }

    /**
     * Checks that the options of a resumed run are those it was started with.
     *
     * @throws NanolensException naming the first setting that differs
     */
    void checkResumedWith(SaeRunSettings given, Path out) {
        String difference = difference(given);
        if (difference != null) {
            throw new NanolensException("the run in " + out + " was started with other settings (" + difference
                    + "); resume with the same options, or with only --out " + out + " --resume");
        }
    }

    /** The first setting that differs from {@code other}, as "name: this vs other", or null. */
    private String difference(SaeRunSettings o) {
        Object[][] pairs = {{"model", model, o.model}, {"hook", hookName, o.hookName},
                {"activations", activations, o.activations}, {"corpus", corpus, o.corpus},
                {"context size", contextSize, o.contextSize}, {"keep BOS", keepBos, o.keepBos},
                {"SAEs", names(saes), names(o.saes)}, {"SAE configs", saes, o.saes},
                {"training", training, o.training}};
        for (Object[] p : pairs) {
            if (!Objects.equals(p[1], p[2])) {
                return p[0] + ": " + p[1] + " saved, " + p[2] + " given";
            }
        }
        return null;
    }

    private static List<String> names(List<SaeTrainer.Spec> specs) {
        return specs.stream().map(SaeTrainer.Spec::name).toList();
    }
}
