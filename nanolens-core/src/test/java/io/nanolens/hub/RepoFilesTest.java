package io.nanolens.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanolens.NanolensException;
import io.nanolens.hub.RepoFiles.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepoFilesTest {
    static final HubSpec SPEC = HubSpec.parse("hf:org/repo");

    /** The files of openai-community/gpt2 as the hub lists them. */
    static final List<String> GPT2 = List.of(".gitattributes", "64-8bits.tflite", "README.md", "config.json",
            "flax_model.msgpack", "generation_config.json", "merges.txt", "model.safetensors",
            "onnx/decoder_model.onnx", "pytorch_model.bin", "rust_model.ot", "tf_model.h5", "tokenizer.json",
            "tokenizer_config.json", "vocab.json");

    @Test
    void huggingfaceModelIsConfigTokenizerFilesAndWeightsLast() {
        RepoFiles.Selection s = RepoFiles.select(GPT2, "", Kind.MODEL, SPEC);
        assertEquals(Kind.MODEL, s.kind());
        assertEquals(List.of("config.json", "tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt",
                "model.safetensors"), s.files());
    }

    @Test
    void nanochatCheckpointTakesTheHighestStepWithItsMetaAndTheNearestTokenizer() {
        List<String> files = List.of("README.md", "tokenizer/tokenizer.pkl", "tokenizer/token_bytes.pt",
                "base/d20/model_000500.pt", "base/d20/meta_000500.json", "base/d20/model_021400.pt",
                "base/d20/meta_021400.json", "base/d20/model_099999.pt", "base/d20/optim_021400.pt");
        RepoFiles.Selection s = RepoFiles.select(files, "base/d20", Kind.MODEL, SPEC);
        assertEquals(List.of("base/d20/meta_021400.json", "tokenizer/tokenizer.pkl", "base/d20/model_021400.pt"),
                s.files(), "step 99999 has no meta file, so 21400 is the highest complete one");
        RepoFiles.Selection beside = RepoFiles.select(List.of("model_000650.pt", "meta_000650.json", "tokenizer.pkl",
                "sub/tokenizer.pkl"), "", Kind.MODEL, SPEC);
        assertEquals(List.of("meta_000650.json", "tokenizer.pkl", "model_000650.pt"), beside.files());
    }

    @Test
    void saeIsConfigSparsityWhenPresentAndWeights() {
        List<String> files = List.of("blocks.8.hook_resid_pre/cfg.json",
                "blocks.8.hook_resid_pre/sae_weights.safetensors", "blocks.8.hook_resid_pre/sparsity.safetensors",
                "blocks.9.hook_resid_pre/cfg.json", "blocks.9.hook_resid_pre/sae_weights.safetensors");
        assertEquals(List.of("blocks.8.hook_resid_pre/cfg.json", "blocks.8.hook_resid_pre/sparsity.safetensors",
                "blocks.8.hook_resid_pre/sae_weights.safetensors"),
                RepoFiles.select(files, "blocks.8.hook_resid_pre", Kind.SAE, SPEC).files());
        assertEquals(List.of("blocks.9.hook_resid_pre/cfg.json", "blocks.9.hook_resid_pre/sae_weights.safetensors"),
                RepoFiles.select(files, "blocks.9.hook_resid_pre", Kind.ANY, SPEC).files());
    }

    @Test
    void anyPrefersAnSaeAndFallsBackToAModel() {
        List<String> both = List.of("cfg.json", "sae_weights.safetensors", "config.json", "model.safetensors");
        assertEquals(Kind.SAE, RepoFiles.select(both, "", Kind.ANY, SPEC).kind());
        assertEquals(Kind.MODEL, RepoFiles.select(both, "", Kind.MODEL, SPEC).kind());
        assertEquals(Kind.MODEL, RepoFiles.select(GPT2, "", Kind.ANY, SPEC).kind());
    }

    @Test
    void saeAskedAtTheTopOfASaeReleaseNamesItsFolders() {
        List<String> files = List.of("README.md", "blocks.0.hook_resid_pre/cfg.json",
                "blocks.0.hook_resid_pre/sae_weights.safetensors");
        NanolensException e = assertThrows(NanolensException.class,
                () -> RepoFiles.select(files, "", Kind.SAE, SPEC));
        assertTrue(e.getMessage().contains("found README.md")
                && e.getMessage().contains("SAEs are in hf:org/repo/blocks.0.hook_resid_pre"), e.getMessage());
        NanolensException gone = assertThrows(NanolensException.class,
                () -> RepoFiles.select(files, "blocks.1.hook_resid_pre", Kind.SAE,
                        HubSpec.parse("hf:org/repo/blocks.1.hook_resid_pre")));
        assertTrue(gone.getMessage().contains("no folder"), gone.getMessage());
    }

    @Test
    void modelsNanolensCannotReadAreNamedWithWhatWasFound() {
        NanolensException bin = assertThrows(NanolensException.class,
                () -> RepoFiles.select(List.of("config.json", "pytorch_model.bin"), "", Kind.MODEL, SPEC));
        assertTrue(bin.getMessage().contains("found config.json, pytorch_model.bin"), bin.getMessage());
        NanolensException sharded = assertThrows(NanolensException.class, () -> RepoFiles.select(List.of(
                "config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors"), "", Kind.MODEL,
                SPEC));
        assertTrue(sharded.getMessage().contains("sharded"), sharded.getMessage());
        NanolensException noTokenizer = assertThrows(NanolensException.class,
                () -> RepoFiles.select(List.of("model_000010.pt", "meta_000010.json"), "", Kind.MODEL, SPEC));
        assertTrue(noTokenizer.getMessage().contains("tokenizer.pkl"), noTokenizer.getMessage());
    }
}
