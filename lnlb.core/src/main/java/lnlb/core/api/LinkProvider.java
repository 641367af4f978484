package lnlb.core.api;

import java.io.IOException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A service that opens {@link ClusterLink}s: the Linux TAP/AF_PACKET link in {@code lnlb.tap},
 * the in-memory hub in {@code lnlb.core}. The service property {@link #TYPE} names it.
 */
@ProviderType
public interface LinkProvider {
    /** Service property (String): the link type, e.g. {@code linux} or {@code memory}. */
    String TYPE = "lnlb.link.type";

    /**
     * Creates the virtual interface and binds the device for one cluster.
     *
     * @throws IOException with a one-line reason (device missing, no privileges, name taken, ...);
     *     nothing is left half-configured
     */
    ClusterLink open(LinkSpec spec) throws IOException;
}
