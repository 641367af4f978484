package lnlb.core.api;

/**
 * Every accessor of a {@link Datagram}, read once; {@code transportOffset} is made relative to the
 * packet so that snapshots of one packet wrapped at different offsets compare equal.
 */
record Snapshot(
        boolean valid,
        int version,
        int protocol,
        int length,
        int sourceV4,
        int destinationV4,
        long sourceHigh,
        long sourceLow,
        long destinationHigh,
        long destinationLow,
        long sourceKey,
        int sourcePort,
        int destinationPort,
        int tcpFlags,
        boolean fragment,
        boolean firstFragment,
        int fragmentOffset,
        boolean moreFragments,
        long fragmentId,
        int relativeTransportOffset) {

    static Snapshot of(Datagram d) {
        int transport = d.transportOffset();
        return new Snapshot(
                d.valid(),
                d.version(),
                d.protocol(),
                d.length(),
                d.sourceV4(),
                d.destinationV4(),
                d.sourceHigh(),
                d.sourceLow(),
                d.destinationHigh(),
                d.destinationLow(),
                d.sourceKey(),
                d.sourcePort(),
                d.destinationPort(),
                d.tcpFlags(),
                d.isFragment(),
                d.isFirstFragment(),
                d.fragmentOffset(),
                d.moreFragments(),
                d.fragmentId(),
                transport == Datagram.ABSENT ? Datagram.ABSENT : transport - d.offset());
    }
}
