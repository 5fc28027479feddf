package io.nanolens.text;

import java.nio.file.Path;

/**
 * Text to token ids and back: what the model trains on and what the explorer shows. Every tokenizer here is
 * byte-level, so {@code decode(encode(s))} equals {@code s} for every well-formed Java string; an unpaired surrogate
 * cannot be written in UTF-8 and comes back as U+FFFD. {@link #encode} never adds the BOS token; callers put
 * {@link #bosId()} in front of each document (nanochat's dataloader does the same). Implementations are
 * thread-safe. Saved as {@code tokenizer.json} in a directory, read back by {@link Tokenizers#load(Path)}.
 */
public interface Tokenizer {

    /** The token ids of {@code text}, without a BOS token; special-token text such as "<|bos|>" is ordinary text. */
    int[] encode(String text);

    /** The text of {@code ids}: their bytes concatenated and decoded as UTF-8 (broken sequences become U+FFFD). */
    default String decode(int[] ids) {
        return decode(ids, 0, ids.length);
    }

    /**
     * The text of {@code ids[from, to)}.
     *
     * @throws io.nanolens.NanolensException if an id is outside [0, vocabSize())
     */
    String decode(int[] ids, int from, int to);

    /** Number of token ids, special tokens included: ids run from 0 to vocabSize() - 1. */
    int vocabSize();

    /** The id of the token that starts every document ({@code <|bos|>}, or GPT-2's {@code <|endoftext|>}). */
    int bosId();

    /**
     * The bytes of one token (a special token gives its text in UTF-8); a fresh copy.
     *
     * @throws io.nanolens.NanolensException if {@code id} is outside [0, vocabSize())
     */
    byte[] tokenBytes(int id);

    /**
     * One token for display: its bytes decoded as UTF-8 where they form whole characters, any other byte written
     * as {@code \xE2}. Backslashes are not escaped, so this is for showing, not for parsing back.
     */
    default String tokenString(int id) {
        return Utf8.printable(tokenBytes(id));
    }

    /** A short name for reports and file metadata, such as "bpe-4096" or "gpt2". */
    String name();

    /** Writes {@code tokenizer.json} into {@code dir} (created if missing), atomically. */
    void save(Path dir);
}
