package lnlb.core.internal.engine;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import lnlb.core.api.Datagram;

/**
 * Who owns a client's next datagram now, and why (for {@code lnlb:owner}).
 *
 * @param owner the node, or NONE when no module serves
 * @param slot the protocol whose module decides (0: the default handler)
 * @param how 1 a tracked session, 0 the hash under {@code view}, 2 the hash because the module
 *     cannot be asked about its sessions
 * @param key the assignment key; {@code bucket} its place in the 32-bit hash space
 */
public record Ownership(long owner, int slot, int how, long key, long bucket, View view) {

    /**
     * The owner of a synthetic IPv4 datagram from {@code client} (4 bytes) to {@code vip}: TCP (an
     * ACK, as mid-connection) or UDP from source port {@code port}, or with no port, a datagram of
     * {@code protocol} (0 = no transport header). Decided by the {@link Decider}'s rule under
     * {@code view} without recording anything: {@code assigned} is not called.
     */
    static Ownership of(Decider decider, View view, InetAddress vip, int protocol, byte[] client, int port) {
        int transport = protocol == Datagram.PROTOCOL_TCP ? 20 : protocol == Datagram.PROTOCOL_UDP ? 8 : 0;
        ByteBuffer b = ByteBuffer.allocate(20 + transport);
        b.put(0, (byte) 0x45).putShort(2, (short) (20 + transport)).put(8, (byte) 64).put(9, (byte) protocol);
        b.put(12, client);
        b.put(16, vip.getAddress());
        if (transport > 0) {
            b.putShort(20, (short) port).putShort(22, (short) 0);
            if (transport == 20) {
                b.put(32, (byte) 0x50).put(33, (byte) Datagram.TCP_ACK);
            } else {
                b.putShort(24, (short) 8);
            }
        }
        Datagram d = new Datagram().wrap(b, 0, b.capacity());
        long[] why = new long[4];
        long owner = decider.ownerNow(d, view, why);
        return new Ownership(owner, (int) why[0], (int) why[1], why[2], why[3], view);
    }
}
