package io.nanolens.hub;

import io.nanolens.NanolensException;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where the Hugging Face cache lives and how the hub is reached, read from the environment the way huggingface_hub
 * reads it (its {@code constants.py}), so that nanolens and a Python user share one cache: {@code HF_HUB_CACHE},
 * else {@code HUGGINGFACE_HUB_CACHE}, else {@code $HF_HOME/hub}, where {@code HF_HOME} defaults to
 * {@code $XDG_CACHE_HOME/huggingface} and that to {@code ~/.cache/huggingface}; {@code HF_ENDPOINT} (default
 * https://huggingface.co); {@code HF_HUB_OFFLINE} (or {@code TRANSFORMERS_OFFLINE}) true for 1, ON, YES or TRUE;
 * the token from {@code HF_TOKEN}, {@code HUGGING_FACE_HUB_TOKEN} or the file {@code HF_TOKEN_PATH} (default
 * {@code $HF_HOME/token}, where {@code hf auth login} saves it). Tests build one from a map instead of mutating
 * the process environment.
 *
 * @param cache    the hub cache directory (holds {@code models--ORG--NAME} folders)
 * @param endpoint the hub's base address, without a trailing slash
 * @param token    the access token sent as {@code Authorization: Bearer}, or null for none
 * @param offline  whether only the cache may be used (no network at all)
 */
public record HubSettings(Path cache, URI endpoint, String token, boolean offline) {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    /** The values huggingface_hub's {@code _is_true} accepts, compared upper-cased. */
    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");

    public HubSettings {
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(endpoint, "endpoint");
        String scheme = endpoint.getScheme();
        if (!"https".equals(scheme) && !"http".equals(scheme) || endpoint.getHost() == null) {
            throw new NanolensException("HF_ENDPOINT " + endpoint + " is not an http(s) address; unset it or give "
                    + "one such as " + DEFAULT_ENDPOINT);
        }
        if (token != null && token.isBlank()) {
            token = null;
        }
    }

    /** The settings of this process's environment and user home. */
    public static HubSettings fromEnvironment() {
        return of(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * The settings an environment {@code env} gives for a user whose home is {@code home}.
     *
     * @throws NanolensException if HF_ENDPOINT is not an http(s) address
     */
    public static HubSettings of(Map<String, String> env, Path home) {
        Path hfHome = path(env, "HF_HOME", home);
        if (hfHome == null) {
            Path xdg = path(env, "XDG_CACHE_HOME", home);
            hfHome = (xdg != null ? xdg : home.resolve(".cache")).resolve("huggingface");
        }
        Path cache = path(env, "HF_HUB_CACHE", home);
        if (cache == null) {
            cache = path(env, "HUGGINGFACE_HUB_CACHE", home);
        }
        if (cache == null) {
            cache = hfHome.resolve("hub");
        }
        String endpoint = value(env, "HF_ENDPOINT");
        endpoint = endpoint == null ? DEFAULT_ENDPOINT : endpoint.replaceAll("/+$", "");
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new NanolensException("HF_ENDPOINT '" + endpoint + "' is not an address; unset it or give one such "
                    + "as " + DEFAULT_ENDPOINT);
        }
        // huggingface_hub reads HF_HUB_OFFLINE when it is set at all, and TRANSFORMERS_OFFLINE only otherwise.
        String offline = value(env, "HF_HUB_OFFLINE");
        if (offline == null) {
            offline = value(env, "TRANSFORMERS_OFFLINE");
        }
        return new HubSettings(cache, uri, token(env, hfHome, home), isTrue(offline));
    }

    /** These settings with offline mode switched on when {@code offline} is true (a flag adds to the environment). */
    public HubSettings withOffline(boolean offline) {
        return offline && !this.offline ? new HubSettings(cache, endpoint, token, true) : this;
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "HubSettings[cache=" + cache + ", endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set")
                + ", offline=" + offline + "]";
    }

    private static boolean isTrue(String value) {
        return value != null && TRUE_VALUES.contains(value.toUpperCase(Locale.ROOT));
    }

    private static String token(Map<String, String> env, Path hfHome, Path home) {
        String token = value(env, "HF_TOKEN");
        if (token == null) {
            token = value(env, "HUGGING_FACE_HUB_TOKEN");
        }
        if (token != null) {
            return token.strip();
        }
        Path file = path(env, "HF_TOKEN_PATH", home);
        if (file == null) {
            file = hfHome.resolve("token");
        }
        try {
            return Files.isRegularFile(file) ? Files.readString(file).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    /** A path variable with a leading {@code ~} expanded as Python's {@code os.path.expanduser} does. */
    private static Path path(Map<String, String> env, String name, Path home) {
        String v = value(env, name);
        if (v == null) {
            return null;
        }
        if (v.equals("~")) {
            return home;
        }
        return v.startsWith("~/") ? home.resolve(v.substring(2)) : Path.of(v);
    }
}
