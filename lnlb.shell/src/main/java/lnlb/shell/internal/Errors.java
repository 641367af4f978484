package lnlb.shell.internal;

import java.util.function.Supplier;

/** Turns what the admin service throws into the one-line answer a command returns. */
final class Errors {
    private Errors() {
    }

    /**
     * {@code command}'s answer, or a {@link Refusal} {@code "command: reason"} when the request was
     * refused or failed.
     */
    static CharSequence answer(String command, Supplier<? extends CharSequence> request) {
        try {
            return request.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            return new Refusal(command + ": " + e.getMessage());
        }
    }

    /**
     * A refused or failed request's one-line answer. Gogo prints it like any text; the control
     * socket tells it from a result by its type, so that {@code lnlbctl} exits non-zero with it on
     * stderr.
     */
    record Refusal(String text) implements CharSequence {
        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
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
