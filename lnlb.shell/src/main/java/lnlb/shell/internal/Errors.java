package lnlb.shell.internal;

import java.util.function.Supplier;

/** Turns what the admin service throws into the one-line answer a command returns. */
final class Errors {
    private Errors() {
    }

    /** {@code command}'s answer, or {@code "command: reason"} when the request was refused or failed. */
    static String answer(String command, Supplier<String> request) {
        try {
            return request.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            return command + ": " + e.getMessage();
        }
    }

    /** Parses a decimal number or throws IllegalArgumentException naming {@code what}. */
    static long number(String what, String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number: " + text);
        }
    }

    static int intNumber(String what, String text) {
        long n = number(what, text);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " is out of range: " + text);
        }
        return (int) n;
    }
}
