package io.nanolens.analysis;

import io.nanolens.text.Corpus;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Two labelled text sets to contrast ({@code --contrast A.jsonl B.jsonl}): each a corpus in any {@link Corpus}
 * form (a {@code .jsonl} file with one {@code {"text": ...}} object per line is the usual one), named for the
 * report by its file name without extension.
 *
 * @param nameA the first set's name
 * @param a     the first set
 * @param nameB the second set's name
 * @param b     the second set
 */
public record ContrastSets(String nameA, Corpus a, String nameB, Corpus b) {
    public ContrastSets {
        Objects.requireNonNull(nameA, "nameA");
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(nameB, "nameB");
        Objects.requireNonNull(b, "b");
    }

    /**
     * Opens both files; two files of one name are told apart as {@code A:name} and {@code B:name}.
     *
     * @throws io.nanolens.NanolensException if a file is missing or holds no documents
     */
    public static ContrastSets open(Path a, Path b) {
        String nameA = stem(a);
        String nameB = stem(b);
        if (nameA.equals(nameB)) {
            nameA = "A:" + nameA;
            nameB = "B:" + nameB;
        }
        return new ContrastSets(nameA, Corpus.open(a.toString()), nameB, Corpus.open(b.toString()));
    }

    private static String stem(Path file) {
        Path name = file.getFileName();
        String s = name == null ? file.toString() : name.toString();
        int dot = s.lastIndexOf('.');
        return dot > 0 ? s.substring(0, dot) : s;
    }
}
