package io.nanolens.hub;

import io.nanolens.NanolensException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which files of a hub repository nanolens needs, chosen from the repository's file list (or a cached snapshot's):
 * <ul>
 * <li>an SAE in SAELens's layout: {@code cfg.json}, {@code sae_weights.safetensors}, and {@code sparsity.safetensors}
 * when there is one;</li>
 * <li>a Hugging Face or nanolens model: {@code config.json}, {@code model.safetensors}, and the tokenizer files
 * there are ({@code tokenizer.json}, {@code tokenizer_config.json}, {@code vocab.json}, {@code merges.txt},
 * {@code special_tokens_map.json});</li>
 * <li>a nanochat checkpoint: the highest step's {@code model_NNNNNN.pt} with its {@code meta_NNNNNN.json}, and the
 * nearest {@code tokenizer.pkl} (in the folder, its {@code tokenizer/} subfolder, or those of a parent folder).</li>
 * </ul>
 * Files are listed small first and the weights last, so a snapshot that holds its weights holds the rest too.
 */
public final class RepoFiles {
    /** What a spec is wanted as: {@code --model}, {@code --sae}, or either ({@code pull}). */
    public enum Kind { MODEL, SAE, ANY }

    /**
     * The files to fetch and what they make up.
     *
     * @param kind  {@link Kind#MODEL} or {@link Kind#SAE}
     * @param files repository paths, small files first
     */
    public record Selection(Kind kind, List<String> files) {
        public Selection {
            files = List.copyOf(files);
        }
    }

    static final String SAE_CONFIG = "cfg.json";
    static final String SAE_WEIGHTS = "sae_weights.safetensors";
    static final String SAE_SPARSITY = "sparsity.safetensors";
    static final String MODEL_CONFIG = "config.json";
    static final String MODEL_WEIGHTS = "model.safetensors";
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json", "vocab.json",
            "merges.txt", "special_tokens_map.json");
    static final String NANOCHAT_TOKENIZER = "tokenizer.pkl";
    private static final Pattern NANOCHAT_MODEL = Pattern.compile("model_(\\d{1,18})\\.pt");
    private static final int FILES_SHOWN = 6;

    private RepoFiles() {
    }

    /**
     * The files of {@code folder} ("" for the top) that make up what {@code kind} asks for.
     *
     * @param files every file of the repository, as paths with '/' separators
     * @param spec  the spec, named in error messages
     * @throws NanolensException if the folder holds nothing of that kind, saying what was expected and found
     */
    public static Selection select(Collection<String> files, String folder, Kind kind, HubSpec spec) {
        Set<String> all = new TreeSet<>(files);
        String prefix = folder.isEmpty() ? "" : folder + "/";
        Selection sae = sae(all, prefix);
        if (kind != Kind.MODEL && sae != null) {
            return sae;
        }
        Selection model = kind == Kind.SAE ? null : model(all, prefix);
        if (model != null) {
            return model;
        }
        throw missing(all, prefix, kind, spec);
    }

    private static Selection sae(Set<String> all, String prefix) {
        if (!all.contains(prefix + SAE_CONFIG) || !all.contains(prefix + SAE_WEIGHTS)) {
            return null;
        }
        List<String> files = new ArrayList<>(List.of(prefix + SAE_CONFIG));
        if (all.contains(prefix + SAE_SPARSITY)) {
            files.add(prefix + SAE_SPARSITY);
        }
        files.add(prefix + SAE_WEIGHTS);
        return new Selection(Kind.SAE, files);
    }

    private static Selection model(Set<String> all, String prefix) {
        if (all.contains(prefix + MODEL_CONFIG) && all.contains(prefix + MODEL_WEIGHTS)) {
            List<String> files = new ArrayList<>(List.of(prefix + MODEL_CONFIG));
            TOKENIZER_FILES.stream().map(f -> prefix + f).filter(all::contains).forEach(files::add);
            files.add(prefix + MODEL_WEIGHTS);
            return new Selection(Kind.MODEL, files);
        }
        long step = -1;
        String digits = null;
        for (String f : all) {
            Matcher m = NANOCHAT_MODEL.matcher(f.substring(f.lastIndexOf('/') + 1));
            if (f.startsWith(prefix) && f.indexOf('/', prefix.length()) < 0 && m.matches()
                    && all.contains(prefix + "meta_" + m.group(1) + ".json") && Long.parseLong(m.group(1)) > step) {
                step = Long.parseLong(m.group(1));
                digits = m.group(1);
            }
        }
        String tokenizer = nanochatTokenizer(all, prefix);
        if (digits == null || tokenizer == null) {
            return null;
        }
        return new Selection(Kind.MODEL, List.of(prefix + "meta_" + digits + ".json", tokenizer,
                prefix + "model_" + digits + ".pt"));
    }

    /** The {@code tokenizer.pkl} nearest to the folder: in it, in its {@code tokenizer/}, then up the tree. */
    private static String nanochatTokenizer(Set<String> all, String prefix) {
        String dir = prefix;
        while (true) {
            for (String candidate : List.of(dir + NANOCHAT_TOKENIZER, dir + "tokenizer/" + NANOCHAT_TOKENIZER)) {
                if (all.contains(candidate)) {
                    return candidate;
                }
            }
            if (dir.isEmpty()) {
                return null;
            }
            int up = dir.lastIndexOf('/', dir.length() - 2);
            dir = up < 0 ? "" : dir.substring(0, up + 1);
        }
    }

    private static NanolensException missing(Set<String> all, String prefix, Kind kind, HubSpec spec) {
        List<String> here = all.stream().filter(f -> f.startsWith(prefix)).map(f -> f.substring(prefix.length()))
                .toList();
        if (here.isEmpty()) {
            return new NanolensException(spec + ": the repository has no folder '" + spec.path() + "'"
                    + saeFolders(all, spec));
        }
        String expected = switch (kind) {
            case SAE -> "SAE in SAELens's layout (" + SAE_CONFIG + " and " + SAE_WEIGHTS + ")";
            case MODEL -> "model (" + MODEL_CONFIG + " and " + MODEL_WEIGHTS + ", or nanochat's model_N.pt, "
                    + "meta_N.json and " + NANOCHAT_TOKENIZER + ")";
            case ANY -> "model (" + MODEL_CONFIG + " and " + MODEL_WEIGHTS + ", or nanochat's model_N.pt, "
                    + "meta_N.json and " + NANOCHAT_TOKENIZER + ") or SAE (" + SAE_CONFIG + " and "
                    + SAE_WEIGHTS + ")";
        };
        String hint = here.contains("model.safetensors.index.json")
                ? "; its weights are sharded (model.safetensors.index.json), nanolens reads a single model.safetensors"
                : kind == Kind.MODEL ? "" : saeFolders(all, spec);
        return new NanolensException(spec + " has no " + expected + "; found " + shown(here) + hint);
    }

    /** A hint naming the folders of the repository that hold an SAE, or "" when none do. */
    private static String saeFolders(Set<String> all, HubSpec spec) {
        List<String> folders = all.stream().filter(f -> f.endsWith("/" + SAE_CONFIG))
                .map(f -> f.substring(0, f.length() - SAE_CONFIG.length() - 1))
                .filter(f -> all.contains(f + "/" + SAE_WEIGHTS)).toList();
        if (folders.isEmpty()) {
            return "";
        }
        HubSpec top = new HubSpec(spec.repo(), spec.revision(), "");
        return "; SAEs are in " + shown(folders.stream().map(f -> top + "/" + f).toList());
    }

    private static String shown(List<String> names) {
        String head = String.join(", ", names.subList(0, Math.min(FILES_SHOWN, names.size())));
        return names.size() > FILES_SHOWN ? head + " and " + (names.size() - FILES_SHOWN) + " more" : head;
    }
}
