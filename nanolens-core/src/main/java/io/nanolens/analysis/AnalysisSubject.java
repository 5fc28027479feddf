package io.nanolens.analysis;

import io.nanolens.NanolensException;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.text.Tokenizer;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a feature analysis looks at: a model with its tokenizer, an SAE and the hook point where the SAE reads the
 * model (tokens → GPT → activations at the hook → SAE). {@link #load} reads both directories and checks that they
 * fit each other, so a command, the demo and the live server get the same one-line errors.
 *
 * @param modelName   the model's name for reports (its directory)
 * @param gpt         the model
 * @param tokenizer   its tokenizer
 * @param saeName     the SAE's name for reports (its directory)
 * @param sae         the SAE
 * @param hook        where the SAE reads the model; its width equals the SAE's d_in
 * @param contextSize tokens per context the SAE was trained on (its metadata), or the default, at most the model's
 */
public record AnalysisSubject(String modelName, Gpt gpt, Tokenizer tokenizer, String saeName, Sae sae,
                              HookPoint hook, int contextSize) {

    public AnalysisSubject {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(saeName, "saeName");
        GptConfig c = gpt.config();
        if (hook.layer() >= c.nLayer()) {
            throw new NanolensException("hook point " + hook + " is past the model's last layer " + (c.nLayer() - 1)
                    + "; choose a layer in 0.." + (c.nLayer() - 1));
        }
        if (hook.width(c) != sae.dIn()) {
            throw new NanolensException("the SAE " + saeName + " reads " + sae.dIn() + " values per token but "
                    + hook + " of model " + modelName + " has " + hook.width(c) + "; use the SAE trained on this "
                    + "model and hook point");
        }
        if (tokenizer.vocabSize() > c.vocabSize()) {
            throw new NanolensException("tokenizer " + tokenizer.name() + " has " + tokenizer.vocabSize()
                    + " ids but the model's vocabulary is " + c.vocabSize() + "; use the model's own tokenizer");
        }
        if (contextSize < 1 || contextSize > c.sequenceLen()) {
            throw new NanolensException("context size " + contextSize + " does not fit model " + modelName
                    + " (1.." + c.sequenceLen() + " tokens)");
        }
    }

    /**
     * Loads the model in {@code modelDir} and the SAE in {@code saeDir} (SAELens layout).
     *
     * @param hookName the hook point, or null for the one in the SAE's {@code cfg.json} metadata
     * @throws NanolensException if a directory is missing or malformed, no hook point is known, or the SAE's width
     *                           differs from the hook's
     */
    public static AnalysisSubject load(Path modelDir, Path saeDir, String hookName) {
        GptFiles.Loaded model = GptFiles.load(modelDir);
        SaeDirectory saeFiles = SaeLensFormat.read(saeDir);
        String name = hookName != null ? hookName : saeFiles.metadata().hookName();
        if (name == null) {
            throw new NanolensException("the SAE in " + saeDir + " does not record its hook point (metadata.hook_name"
                    + " in " + SaeLensFormat.CONFIG_FILE + "); pass --hook, e.g. --hook blocks.1.hook_resid_post");
        }
        GptConfig c = model.gpt().config();
        HookPoint hook = HookPoint.parse(name, c);
        Integer trained = saeFiles.metadata().contextSize();
        int context = Math.min(trained != null && trained > 0 ? trained : AnalysisConfig.DEFAULT_CONTEXT_SIZE,
                c.sequenceLen());
        return new AnalysisSubject(modelDir.toString(), model.gpt(), model.tokenizer(), saeDir.toString(),
                saeFiles.sae(), hook, context);
    }
}
