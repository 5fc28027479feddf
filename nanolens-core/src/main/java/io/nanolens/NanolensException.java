package io.nanolens;

/**
 * A user mistake: a bad path, a malformed file, mismatched shapes, an unknown name. The message says what is
 * wrong (with the path or the numbers) and what to do; the command line prints it as one line and exits with 2.
 * Bugs are {@link IllegalStateException}s or assertions, never this.
 */
public class NanolensException extends RuntimeException {
    public NanolensException(String message) {
        super(message);
    }

    public NanolensException(String message, Throwable cause) {
        super(message, cause);
    }
}
