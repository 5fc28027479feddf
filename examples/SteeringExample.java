import io.nanolens.model.GptFiles;
import io.nanolens.model.HookPoint;
import io.nanolens.model.Sampler;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.steer.FeatureEdit;
import io.nanolens.steer.InterpretableModel;
import io.nanolens.steer.Steering;
import io.nanolens.steer.TrackedToken;
import io.nanolens.steer.Tracking;

import java.nio.file.Path;

/**
 * Watching and steering a model from a Java program with nanolens's library.
 *
 * <pre>
 * ./nanolens demo        # trains runs/demo/model and runs/demo/sae
 * java --add-modules jdk.incubator.vector -cp nanolens-cli/target/nanolens.jar examples/SteeringExample.java \
 *     runs/demo/model runs/demo/sae 12
 * </pre>
 */
public class SteeringExample {
    public static void main(String[] args) {
        Path modelDir = Path.of(args.length > 0 ? args[0] : "runs/demo/model");
        Path saeDir = Path.of(args.length > 1 ? args[1] : "runs/demo/sae");
        int feature = args.length > 2 ? Integer.parseInt(args[2]) : 0;

        GptFiles.Loaded model = GptFiles.load(modelDir);
        SaeDirectory sae = SaeLensFormat.read(saeDir);
        HookPoint hook = HookPoint.parse(sae.metadata().hookName(), model.gpt().config());
        InterpretableModel im = new InterpretableModel(model.gpt(), model.tokenizer()).attach("sae", sae.sae(), hook);

        // 1. Which features fire on each token of a prompt?
        try (Tracking tracking = im.track(3)) {
            im.forward(im.withBos("Mia had a red ball"));
            for (TrackedToken token : tracking.tokens()) {
                System.out.println("position " + token.position() + ": " + token.features().get("sae"));
            }
        }

        // 2. The same story without and with one feature clamped high (same seed both times).
        String plain = im.complete("Once upon a time", 30, new Sampler(0.8f, 50, 7));
        String steered;
        try (Steering steering = im.steer(FeatureEdit.of("sae", feature, FeatureEdit.Mode.CLAMP, 10f))) {
            steered = im.complete("Once upon a time", 30, new Sampler(0.8f, 50, 7));
        }
        System.out.println("plain  : " + plain);
        System.out.println("steered: " + steered);
    }
}
