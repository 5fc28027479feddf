package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.model.GptFiles;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.steer.InterpretableModel;

import java.nio.file.Path;

/**
 * A model directory and an SAE directory loaded together, with the hook the SAE names in its metadata checked
 * against the model; what {@code serve}, {@code steer} and {@code trace} start from.
 */
record ModelWithSae(GptFiles.Loaded model, SaeDirectory sae, HookPoint hook) {
    /** The name the SAE is attached under in {@link #interpretable()}. */
    static final String SAE_NAME = "sae";

    static ModelWithSae load(Path modelDir, Path saeDir) {
        GptFiles.Loaded model = GptFiles.load(modelDir);
        SaeDirectory sae = SaeLensFormat.read(saeDir);
        String hookName = sae.metadata().hookName();
        if (hookName == null) {
            throw new NanolensException(saeDir + " does not say which hook it reads (metadata.hook_name in cfg.json)");
        }
        HookPoint hook = HookPoint.parse(hookName, model.gpt().config());
        int width = hook.width(model.gpt().config());
        if (sae.sae().dIn() != width) {
            throw new NanolensException("the SAE in " + saeDir + " reads " + sae.sae().dIn() + " values but " + hookName
                    + " of the model in " + modelDir + " is " + width + " wide; was it trained on another model?");
        }
        return new ModelWithSae(model, sae, hook);
    }

    /** The model with the SAE attached as {@link #SAE_NAME}. */
    InterpretableModel interpretable() {
        return new InterpretableModel(model.gpt(), model.tokenizer()).attach(SAE_NAME, sae.sae(), hook);
    }
}
