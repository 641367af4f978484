/**
 * Building blocks for protocol modules: {@link lnlb.core.api.table.SessionTable}, a bounded,
 * deterministic session table over primitive {@code long} keys.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package lnlb.core.api.table;
