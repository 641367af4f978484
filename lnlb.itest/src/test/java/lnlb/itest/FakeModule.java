package lnlb.itest;

import lnlb.core.api.Cluster;
import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;

/** A ProtocolModule that tracks nothing: enough to see the whiteboard pick it. */
public class FakeModule implements ProtocolModule {
    @Override
    public long related(Cluster cluster, Datagram datagram) {
        return NodeAddress.NONE;
    }

    @Override
    public void assigned(Cluster cluster, Datagram datagram, long node) {
    }

    @Override
    public void nodeDied(Cluster cluster, long node) {
    }

    @Override
    public void clusterCreated(Cluster cluster) {
    }

    @Override
    public void clusterDeleted(Cluster cluster) {
    }

    @Override
    public byte[] saveState(Cluster cluster) {
        return new byte[0];
    }

    @Override
    public void loadState(Cluster cluster, byte[] state) {
    }

    /** Subclasses tell the registrations apart in {@code lnlb:modules}. */
    public static final class First extends FakeModule {
    }

    public static final class Second extends FakeModule {
    }
}
