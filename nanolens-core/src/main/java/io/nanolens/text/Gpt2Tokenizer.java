package io.nanolens.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import io.nanolens.NanolensException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * GPT-2's tokenizer (tiktoken's {@code r50k_base}: 50,256 byte-level BPE tokens plus {@code <|endoftext|>} = 50256,
 * used here as BOS) behind the {@link Tokenizer} interface, so models and SAEs can be studied with GPT-2's
 * vocabulary. The merges ship inside jtokkit (github.com/knuddelsgmbh/jtokkit); the saved {@code tokenizer.json}
 * only names the type: {@code {"type": "gpt2", "version": 1}}. Unpaired surrogates are replaced by U+FFFD before
 * encoding, as {@link Bpe} does.
 */
public final class Gpt2Tokenizer implements Tokenizer {
    static final String TYPE = "gpt2";
    static final int VERSION = 1;
    private static final int VOCAB_SIZE = 50257;
    private static final int END_OF_TEXT = 50256;

    /** Loads the merges once, on first use (about 0.2 s). */
    private static final class Holder {
        static final Encoding R50K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
    }

    @Override
    public int[] encode(String text) {
        return Holder.R50K.encodeOrdinary(Utf8.replaceLoneSurrogates(text)).toArray();
    }

    @Override
    public String decode(int[] ids, int from, int to) {
        Objects.checkFromToIndex(from, to, ids.length);
        IntArrayList list = new IntArrayList(to - from);
        for (int i = from; i < to; i++) {
            list.add(checked(ids[i]));
        }
        return new String(Holder.R50K.decodeBytes(list), StandardCharsets.UTF_8);
    }

    @Override
    public byte[] tokenBytes(int id) {
        IntArrayList list = new IntArrayList(1);
        list.add(checked(id));
        return Holder.R50K.decodeBytes(list);
    }

    private int checked(int id) {
        if (id < 0 || id >= VOCAB_SIZE) {
            throw new NanolensException("token id " + id + " is outside GPT-2's vocabulary [0, " + VOCAB_SIZE
                    + "); the ids come from another tokenizer");
        }
        return id;
    }

    @Override
    public int vocabSize() {
        return VOCAB_SIZE;
    }

    @Override
    public int bosId() {
        return END_OF_TEXT;
    }

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public void save(Path dir) {
        Tokenizers.writeAtomically(dir, "{\"type\": \"" + TYPE + "\", \"version\": " + VERSION + "}\n");
    }

    /** The GPT-2 tokenizer a parsed {@code tokenizer.json} names, after checking its version. */
    static Gpt2Tokenizer fromJson(JsonNode root, Path file) {
        Tokenizers.checkHeader(root, file, TYPE, VERSION);
        return new Gpt2Tokenizer();
    }
}
