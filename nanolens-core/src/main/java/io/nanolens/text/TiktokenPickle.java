package io.nanolens.text;

import io.nanolens.NanolensException;
import io.nanolens.io.pickle.PickleBytes;
import io.nanolens.io.pickle.PickledObject;
import io.nanolens.io.pickle.Unpickler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a pickled tiktoken Encoding, the {@code tokenizer.pkl} nanochat's tokenizer stage saves with
 * {@code pickle.dump(enc)}. tiktoken's {@code Encoding.__getstate__} pickles either the name of an encoding tiktoken
 * ships (then only "gpt2" / "r50k_base" are known here, as {@link Gpt2Tokenizer}) or the dict {@code {"name",
 * "pat_str", "mergeable_ranks": {bytes: rank}, "special_tokens": {str: id}}}, which becomes a
 * {@link TiktokenTokenizer}. The pickle goes through the safe {@link Unpickler}: only the Encoding's class name is
 * accepted, and nothing of it is run.
 */
public final class TiktokenPickle {
    /** A 200k-token encoding pickles to a few MB. */
    private static final long MAX_BYTES = 256L << 20;

    private TiktokenPickle() {
    }

    /**
     * The tokenizer pickled in {@code file}.
     *
     * @throws NanolensException if the file is missing, too large, not a safe pickle of a tiktoken Encoding, or its
     *                           state is not the dict tiktoken writes
     */
    public static Tokenizer read(Path file) {
        Object value = Unpickler.load(bytes(file), file.toString(), null);
        if (!(value instanceof PickledObject encoding) || !encoding.type().qualifiedName().equals(
                "tiktoken.core.Encoding")) {
            throw new NanolensException(file + " does not hold a pickled tiktoken Encoding; nanochat writes one to "
                    + "tokenizer.pkl in its tokenizer directory");
        }
        Object state = encoding.state();
        if (state instanceof String registered) {
            if (registered.equals("gpt2") || registered.equals("r50k_base")) {
                return new Gpt2Tokenizer();
            }
            throw new NanolensException(file + " names tiktoken's built-in encoding '" + registered + "'; nanolens "
                    + "knows only gpt2 (r50k_base) among them");
        }
        if (!(state instanceof Map<?, ?> dict)) {
            throw new NanolensException(file + ": the Encoding's state is not tiktoken's {name, pat_str, "
                    + "mergeable_ranks, special_tokens} dict; the file is damaged or from an unknown tiktoken");
        }
        return new TiktokenTokenizer(text(dict, "name", file), text(dict, "pat_str", file), ranks(dict, file),
                specials(dict, file), file.toString());
    }

    private static byte[] bytes(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new NanolensException(file + " is " + size + " bytes, more than the " + MAX_BYTES + " a "
                        + "pickled tokenizer can be");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NanolensException("no tokenizer at " + file + "; nanochat keeps it in tokenizer/tokenizer.pkl "
                    + "under its base directory", e);
        } catch (IOException e) {
            throw new NanolensException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String text(Map<?, ?> dict, String key, Path file) {
        if (!(dict.get(key) instanceof String s)) {
            throw missing(key, "a string", file);
        }
        return s;
    }

    private static Map<byte[], Integer> ranks(Map<?, ?> dict, Path file) {
        if (!(dict.get("mergeable_ranks") instanceof Map<?, ?> raw)) {
            throw missing("mergeable_ranks", "a dict", file);
        }
        Map<byte[], Integer> ranks = new HashMap<>(2 * raw.size());
        for (Map.Entry<?, ?> e : raw.entrySet()) {
            if (!(e.getKey() instanceof PickleBytes b)) {
                throw missing("mergeable_ranks", "a dict from bytes to ranks", file);
            }
            ranks.put(b.value(), id(e.getValue(), file));
        }
        return ranks;
    }

    private static Map<String, Integer> specials(Map<?, ?> dict, Path file) {
        if (!(dict.get("special_tokens") instanceof Map<?, ?> raw)) {
            throw missing("special_tokens", "a dict", file);
        }
        Map<String, Integer> specials = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : raw.entrySet()) {
            if (!(e.getKey() instanceof String s)) {
                throw missing("special_tokens", "a dict from strings to ids", file);
            }
            specials.put(s, id(e.getValue(), file));
        }
        return specials;
    }

    private static int id(Object value, Path file) {
        if (!(value instanceof Long v) || v < 0 || v >= TiktokenTokenizer.MAX_VOCAB) {
            throw new NanolensException(file + ": token id " + value + " is not an integer in 0.."
                    + (TiktokenTokenizer.MAX_VOCAB - 1) + "; the encoding is damaged");
        }
        return (int) (long) v;
    }

    private static NanolensException missing(String key, String what, Path file) {
        return new NanolensException(file + ": the Encoding's state has no '" + key + "' that is " + what
                + "; the file is damaged or from an unknown tiktoken");
    }
}
