package io.nanolens.analysis;

import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Bpe;
import io.nanolens.text.TinyWorld;
import io.nanolens.text.Tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/** Tiny seeded fixtures for the analysis tests: a BPE tokenizer, a random GPT (d = 32) and random SAEs. */
final class AnalysisFixtures {
    static final TinyWorld WORLD = new TinyWorld(7, 40);
    static final Tokenizer TOKENIZER = Bpe.train(() -> WORLD.documents().limit(30).iterator(), 320);
    static final GptConfig CONFIG = new GptConfig(32, TOKENIZER.vocabSize(), 2, 2, 2, 32);
    static final Gpt GPT = model(CONFIG, 11);
    static final HookPoint RESID = new HookPoint(1, HookPoint.Kind.RESID_MID);
    static final int CONTEXT = 24;

    private AnalysisFixtures() {
    }

    /** A nanochat-initialised model whose zero-initialised matrices (lm_head, c_proj) get random values too. */
    static Gpt model(GptConfig config, long seed) {
        Gpt gpt = new Gpt(config, seed);
        SplittableRandom random = new SplittableRandom(seed + 1);
        gpt.parameters().forEach((name, t) -> {
            if (name.equals("lm_head.weight") || name.endsWith("c_proj.weight")) {
                float std = (float) (1 / Math.sqrt(t.dim(1)));
                System.arraycopy(Tensor.randn(random.nextLong(), std, t.shape()).data(), 0, t.data(), 0, t.size());
            }
        });
        return gpt;
    }

    /** An SAE of the architecture whose parameters are all random (weights N(0, 0.3²), biases N(0, 0.1²)). */
    static Sae sae(Architecture architecture, int dIn, int dSae, long seed) {
        return sae(SaeConfig.of(architecture, dIn, dSae).withK(Math.min(6, dSae)), seed, p -> {
        });
    }

    /** A random SAE whose parameters {@code edit} may change before it is built. */
    static Sae sae(SaeConfig config, long seed, Consumer<Map<String, Tensor>> edit) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> p = new LinkedHashMap<>();
        Sae.parameterShapes(config).forEach((name, shape) -> {
            Tensor t = Tensor.randn(random.nextLong(), name.startsWith("w") ? 0.3f : 0.1f, shape);
            if (name.equals(Sae.LOG_THRESHOLD)) {
                for (int i = 0; i < t.size(); i++) {
                    t.data()[i] = (float) Math.log(0.05 + 0.1 * random.nextDouble());
                }
            }
            p.put(name, t);
        });
        edit.accept(p);
        return Sae.of(config, p);
    }

    /** The default subject: the fixture model read at {@link #RESID} by {@code sae}, contexts of {@link #CONTEXT}. */
    static AnalysisSubject subject(Sae sae) {
        return subject(GPT, RESID, sae);
    }

    static AnalysisSubject subject(Gpt gpt, HookPoint hook, Sae sae) {
        return new AnalysisSubject("test-model", gpt, TOKENIZER, "test-sae", sae, hook, CONTEXT);
    }

    /** Small caps so a few hundred tokens fill every structure: one context per pass, as the naive run does. */
    static AnalysisConfig config(long tokens, boolean concepts) {
        return AnalysisConfig.of(tokens, concepts).withContextsPerPass(1).withContexts(5, 3, 4, 3)
                .withLists(16, 6, 4);
    }
}
