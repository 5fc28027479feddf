package io.nanolens.hub;

import io.nanolens.NanolensException;

import java.util.regex.Pattern;

/**
 * A place on the Hugging Face hub as nanolens's command line names it: {@code hf:ORG/NAME[@REVISION][/PATH]}, a model
 * repository, a revision (branch, tag or 40-hex commit; {@code main} by default) and a folder inside it (an SAE in
 * SAELens's layout, say). A repository without an owner ({@code hf:gpt2}) is a legacy name the hub still serves.
 * A revision holding a slash ({@code refs/pr/1}) is written with {@code %2F}.
 *
 * @param repo     the repository id, {@code ORG/NAME} or {@code NAME}
 * @param revision the branch, tag or commit
 * @param path     the folder inside the repository, "" for its top
 */
public record HubSpec(String repo, String revision, String path) {
    public static final String PREFIX = "hf:";
    public static final String DEFAULT_REVISION = "main";

    /** The hub's rule for repository names: letters, digits, '-', '_' and '.', at most 96 of them. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final String FORM = "write hf:ORG/NAME[@REVISION][/PATH], e.g. hf:openai-community/gpt2";

    public HubSpec {
        String shown = PREFIX + repo + (DEFAULT_REVISION.equals(revision) ? "" : "@" + revision)
                + (path.isEmpty() ? "" : "/" + path);
        String[] names = repo.split("/", -1);
        if (names.length > 2) {
            throw bad(shown, "a repository is ORG/NAME");
        }
        for (String name : names) {
            if (!NAME.matcher(name).matches() || name.contains("--") || name.contains("..") || name.endsWith(".")) {
                throw bad(shown, "'" + name + "' is not a repository name (letters, digits, '-', '_', '.'; no '--' "
                        + "or '..')");
            }
        }
        if (revision.isEmpty() || revision.chars().anyMatch(c -> c < ' ') || revision.contains("..")) {
            throw bad(shown, "'" + revision + "' is not a revision");
        }
        if (!path.isEmpty()) {
            for (String part : path.split("/", -1)) {
                if (part.isEmpty() || part.equals(".") || part.equals("..") || part.contains("\\")) {
                    throw bad(shown, "'" + path + "' is not a folder inside the repository");
                }
            }
        }
    }

    /** Whether {@code text} is meant as a hub spec (starts with {@code hf:}) rather than a local path. */
    public static boolean isSpec(String text) {
        return text != null && text.startsWith(PREFIX);
    }

    /**
     * Parses {@code hf:ORG/NAME[@REVISION][/PATH]}.
     *
     * @throws NanolensException if the text is not of that form, naming the part that is wrong
     */
    public static HubSpec parse(String text) {
        if (!isSpec(text)) {
            throw bad(text, "it does not start with " + PREFIX);
        }
        String rest = text.substring(PREFIX.length());
        while (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        if (rest.isEmpty()) {
            throw bad(text, "no repository is named");
        }
        int at = rest.indexOf('@');
        if (at >= 0) {
            String repo = rest.substring(0, at);
            String after = rest.substring(at + 1);
            int slash = after.indexOf('/');
            String revision = slash < 0 ? after : after.substring(0, slash);
            return new HubSpec(repo, revision.replace("%2F", "/").replace("%2f", "/"),
                    slash < 0 ? "" : after.substring(slash + 1));
        }
        String[] parts = rest.split("/", 3);
        String repo = parts.length == 1 ? parts[0] : parts[0] + "/" + parts[1];
        return new HubSpec(repo, DEFAULT_REVISION, parts.length == 3 ? parts[2] : "");
    }

    /** Whether the revision is a full commit hash, which never moves (the cache answers without the network). */
    public boolean pinned() {
        return COMMIT.matcher(revision).matches();
    }

    /** Whether {@code text} is a full 40-hex commit hash. */
    static boolean isCommit(String text) {
        return text != null && COMMIT.matcher(text).matches();
    }

    @Override
    public String toString() {
        String rev = revision.equals(DEFAULT_REVISION) ? "" : "@" + revision.replace("/", "%2F");
        return PREFIX + repo + rev + (path.isEmpty() ? "" : "/" + path);
    }

    private static NanolensException bad(String text, String why) {
        return new NanolensException("'" + text + "' is not a hub spec: " + why + "; " + FORM);
    }
}
