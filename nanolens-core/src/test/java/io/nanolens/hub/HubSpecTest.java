package io.nanolens.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanolens.NanolensException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HubSpecTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "hf:openai-community/gpt2                        | openai-community/gpt2 | main   | ''",
            "hf:gpt2                                         | gpt2                  | main   | ''",
            "hf:openai-community/gpt2@v1.0                   | openai-community/gpt2 | v1.0   | ''",
            "hf:jbloom/GPT2-Small-SAEs-Reformatted/blocks.8.hook_resid_pre | jbloom/GPT2-Small-SAEs-Reformatted | main "
                    + "| blocks.8.hook_resid_pre",
            "hf:org/name@dev/a/b/                            | org/name              | dev    | a/b",
            "hf:gpt2@main                                    | gpt2                  | main   | ''",
            "hf:org/name@refs%2Fpr%2F3/sae                   | org/name              | refs/pr/3 | sae"})
    void specsSplitIntoRepositoryRevisionAndFolder(String text, String repo, String revision, String path) {
        HubSpec spec = HubSpec.parse(text);
        assertEquals(new HubSpec(repo, revision, path), spec);
        assertEquals(spec, HubSpec.parse(spec.toString()), "toString parses back to the same spec");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hf:", "hf:/", "hf:a--b/c", "hf:org/na..me", "hf:org/name/../x", "hf:org/name//x",
            "hf:org/name@", "hf:-org/name", "hf:org/name@a..b", "runs/demo/model"})
    void malformedSpecsAreRefusedWithTheFormInTheMessage(String text) {
        NanolensException e = assertThrows(NanolensException.class, () -> HubSpec.parse(text));
        assertTrue(e.getMessage().contains("hf:ORG/NAME[@REVISION][/PATH]"), e.getMessage());
    }

    @Test
    void onlyAFullCommitHashIsPinned() {
        assertTrue(HubSpec.parse("hf:a/b@0123456789abcdef0123456789abcdef01234567").pinned());
        assertFalse(HubSpec.parse("hf:a/b@0123456").pinned());
        assertFalse(HubSpec.parse("hf:a/b").pinned());
    }

    @Test
    void onlyTextStartingWithHfColonIsASpec() {
        assertTrue(HubSpec.isSpec("hf:a/b"));
        assertFalse(HubSpec.isSpec("runs/hf:a"));
        assertFalse(HubSpec.isSpec(null));
    }
}
