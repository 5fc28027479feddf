package io.nanolens.web;

/** A request the server refuses with 400 and this message (never a stack trace). */
final class BadRequest extends RuntimeException {
    BadRequest(String message) {
        super(message, null, false, false);
    }
}
