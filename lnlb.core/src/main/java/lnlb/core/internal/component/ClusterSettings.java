package lnlb.core.internal.component;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The configuration that needs a restart to change: every property but the weight settings and
 * the port rules (applied live), {@code link.target} (SCR re-activates the component for it) and the
 * framework's own ({@code service.*}, {@code component.*}, FileInstall's file name). A key
 * added to {@link ClusterMetatype} later is covered without a change here.
 */
record ClusterSettings(Map<String, String> values) {
    /** Never in service properties or log lines. */
    static final Set<String> SECRETS = Set.of("key", "previous.key");
    private static final Set<String> LIVE = Set.of("weight.mode", "weight", "weight.source", "link.target", "felix.fileinstall.filename",
            "affinity", "port.rules");

    static ClusterSettings of(Map<String, Object> properties) {
        Map<String, String> values = new TreeMap<>();
        if (properties != null) {
            properties.forEach((key, value) -> {
                if (!LIVE.contains(key) && !key.startsWith("service.") && !key.startsWith("component.")
                        && !key.startsWith(".") && value != null) {
                    values.put(key, Arrays.deepToString(new Object[] {value}));
                }
            });
        }
        return new ClusterSettings(values);
    }

    /** What changed from {@code before}, for the log: {@code tolerance 3 -> 4}. */
    String changedFrom(ClusterSettings before) {
        Set<String> keys = new TreeSet<>(values.keySet());
        keys.addAll(before.values.keySet());
        StringBuilder changes = new StringBuilder();
        for (String key : keys) {
            String was = before.values.get(key);
            String now = values.get(key);
            if (SECRETS.contains(key) && !Objects.equals(was, now)) {
                changes.append(changes.length() == 0 ? "" : ", ").append(key).append(" changed");
            } else if (!Objects.equals(was, now)) {
                changes.append(changes.length() == 0 ? "" : ", ").append(key).append(' ').append(strip(was)).append(" -> ")
                        .append(strip(now));
            }
        }
        return changes.toString();
    }

    private static String strip(String value) {
        return value == null ? "(none)" : value.substring(1, value.length() - 1);
    }
}
