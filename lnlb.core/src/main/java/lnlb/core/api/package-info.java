/**
 * The lnlb API: protocol modules (session trackers), the read-only views they are handed, node
 * addresses, and the link SPI that carries frames between a cluster and the network.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package lnlb.core.api;
