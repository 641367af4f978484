/**
 * The lnlb API: protocol modules (session trackers), the read-only views they are handed, node
 * addresses, and the link SPI that carries frames between a cluster and the network.
 *
 * <p>1.1.0 added {@link lnlb.core.api.Ethernet}, the one description of the Ethernet header, and
 * {@link lnlb.core.api.ModuleStatus}, which modules may implement to report their table sizes;
 * 1.2.0 {@link lnlb.core.api.Affinity} and {@code Datagram.affinity}, {@code classify} and
 * {@code networkKey} (port rules, issue 13).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package lnlb.core.api;
