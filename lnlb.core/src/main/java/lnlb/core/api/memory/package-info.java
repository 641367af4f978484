/**
 * The in-memory Ethernet segment that clusters with {@code link.target=(lnlb.link.type=memory)}
 * share inside one framework: attach a client to it and watch which node accepts what. For
 * integration tests and for trying the shell without a network.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package lnlb.core.api.memory;
