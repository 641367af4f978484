package lnlb.core.internal.component;

import java.util.Locale;
import java.util.Map;

/** The dotted, lowercase counter names {@code stats} prints ({@code frames.in}, {@code wire.bad.tag}). */
final class CounterNames {
    private CounterNames() {
    }

    /** {@code badTag} → {@code bad.tag}, {@code reassemblyTimeouts} → {@code reassembly.timeouts}. */
    static String dotted(String name) {
        StringBuilder out = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && name.charAt(i - 1) != '.') {
                    out.append('.');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    /**
     * Adds every counter of {@code group} to {@code into} as {@code prefix.name}, whatever its
     * names: a counter its owner adds later appears in {@code stats} without more work.
     */
    static void addGroup(Map<String, Long> into, String prefix, Map<String, Long> group) {
        group.forEach((name, value) -> into.put(prefix + "." + dotted(name), value));
    }
}
