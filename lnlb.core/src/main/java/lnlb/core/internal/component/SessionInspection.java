package lnlb.core.internal.component;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.admin.DigestDTO;
import lnlb.core.api.admin.OwnerDTO;
import lnlb.core.api.admin.SessionCountDTO;
import lnlb.core.api.admin.SessionDTO;
import lnlb.core.api.admin.SessionQueryDTO;
import lnlb.core.api.table.FlowKeys;
import lnlb.core.api.table.SessionEntries;
import lnlb.core.api.table.SessionTable;
import lnlb.core.internal.engine.ClusterEngine;
import lnlb.core.internal.engine.Ownership;
import lnlb.core.internal.engine.Hashing;

/**
 * The look inside a cluster's tables: sessions listed in slices, the owner of a client, the digest.
 * What runs on the loop is a {@code Function<ClusterEngine, T>} handed to the cluster's bounded
 * call; listing and formatting happen on the caller's thread between slices.
 */
final class SessionInspection {
    /** Slots read per loop turn: about a millisecond of work, however large the table. */
    static final int SLICE_SLOTS = 16_384;

    private SessionInspection() {
    }

    /** The parsed query: a source network, a port, an owner. */
    record Filter(int network, int mask, int port, long node, int bucket) {
        static Filter of(SessionQueryDTO q, long self) {
            int network = 0;
            int mask = 0;
            if (q.source != null && !q.source.isEmpty()) {
                String[] parts = q.source.split("/", 2);
                int prefix = 32;
                if (parts.length == 2) {
                    try {
                        prefix = Integer.parseInt(parts[1]);
                    } catch (NumberFormatException e) {
                        prefix = -1;
                    }
                    if (prefix < 0 || prefix > 32) {
                        throw new IllegalArgumentException("source prefix must be 0..32: " + q.source);
                    }
                }
                network = ipv4(parts[0], "source");
                mask = prefix == 0 ? 0 : -1 << (32 - prefix);
                network &= mask;
            }
            if (q.port < -1 || q.port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535: " + q.port);
            }
            long node = NodeAddress.NONE;
            if (q.node != null && !q.node.isEmpty()) {
                node = q.node.equals("self") ? self : mac(q.node);
            }
            if (q.bucket < -1 || q.bucket >= DigestDTO.BUCKETS) {
                throw new IllegalArgumentException("bucket must be 0.." + (DigestDTO.BUCKETS - 1) + ": " + q.bucket);
            }
            return new Filter(network, mask, q.port, node, q.bucket);
        }

        /** True when any source filter is set or the entry's address matches it. */
        boolean matches(int kind, long key, long owner) {
            if (node != NodeAddress.NONE && owner != node) {
                return false;
            }
            if (kind == SessionEntries.KEY_FLOW) {
                if (isClientKey(key)) { // a whole client (affinity source or network): no port
                    return port < 0 && ((int) key & mask) == network;
                }
                if (key < 0) {
                    return mask == 0 && port < 0; // an IPv6 flow: only when nothing is asked of it
                }
                return (((int) (key >>> 16)) & mask) == network && (port < 0 || (key & 0xFFFF) == port);
            }
            if (port >= 0 || (mask != 0 && (key >>> 32) != 0)) {
                return false;
            }
            return ((int) key & mask) == network;
        }
    }

    /** The entries of one slice that matched (columns), and where the next one starts. */
    record Slice(long[] keys, long[] owners, long[] lastSeen, long[] lastDatagram, int[] states, int count, int next, long now, int kind,
            long idleMillis, String[] stateNames, long epoch, boolean gone) {
    }

    /** On the loop: one slice of the module serving {@code slot}, if it is still {@code module}. */
    static Slice slice(ClusterEngine e, int slot, ProtocolModule module, int from, Filter f) {
        if (e.module(slot) != module || !(module instanceof SessionEntries entries)) {
            return new Slice(null, null, null, null, null, 0, SessionEntries.END, 0, 0, 0, null, e.view().epoch(), true);
        }
        long[] keys = new long[64];
        long[] owners = new long[64];
        long[] seen = new long[64];
        long[] last = new long[64];
        int[] states = new int[64];
        int[] n = {0};
        long now = e.nowMillis();
        long idle = entries.entryIdleMillis();
        int kind = entries.keyKind();
        long[][] cols = {keys, owners, seen, last};
        int[][] st = {states};
        int next = entries.visit(e, from, SLICE_SLOTS, (key, owner, lastSeen, state) -> {
            if (now - lastSeen >= idle || !f.matches(kind, key, owner)
                    || (f.bucket() >= 0 && bucket(slot, key) != f.bucket())) {
                return;
            }
            int i = n[0]++;
            if (i == cols[0].length) {
                for (int c = 0; c < cols.length; c++) {
                    cols[c] = java.util.Arrays.copyOf(cols[c], i * 2);
                }
                st[0] = java.util.Arrays.copyOf(st[0], i * 2);
            }
            cols[0][i] = key;
            cols[1][i] = owner;
            cols[2][i] = lastSeen;
            cols[3][i] = entries.lastDatagramMillis(lastSeen, state);
            st[0][i] = state;
        });
        String[] names = new String[n[0]];
        for (int i = 0; i < n[0]; i++) {
            names[i] = entries.stateName(st[0][i]);
        }
        return new Slice(cols[0], cols[1], cols[2], cols[3], st[0], n[0], next, now, kind, idle, names, e.view().epoch(), false);
    }

    /** The serving modules: each distinct module once, under the first protocol it serves. */
    static Map<Integer, ProtocolModule> serving(ClusterEngine e) {
        Map<Integer, ProtocolModule> modules = new TreeMap<>();
        List<ProtocolModule> seen = new ArrayList<>();
        for (int p = 0; p < 256; p++) {
            ProtocolModule m = e.module(p);
            if (m != null && seen.stream().noneMatch(x -> x == m)) {
                seen.add(m);
                modules.put(p, m);
            }
        }
        return modules;
    }

    /** Lists, slice by slice through {@code call} (the cluster's bounded loop call). */
    static SessionCountDTO sessions(Function<Function<ClusterEngine, ?>, Object> call, SessionQueryDTO q,
            Consumer<SessionDTO> sink) {
        long self = (Long) call.apply(ClusterEngine::localNode);
        Filter f = Filter.of(q, self);
        @SuppressWarnings("unchecked")
        Map<Integer, ProtocolModule> modules = (Map<Integer, ProtocolModule>) call.apply(SessionInspection::serving);
        SessionCountDTO count = new SessionCountDTO();
        Map<Long, Long> perOwner = new TreeMap<>();
        for (Map.Entry<Integer, ProtocolModule> m : modules.entrySet()) {
            int from = 0;
            while (from != SessionEntries.END) {
                int start = from;
                Slice s = (Slice) call.apply(e -> slice(e, m.getKey(), m.getValue(), start, f));
                count.slices++;
                count.epoch = s.epoch();
                for (int i = 0; i < s.count(); i++) {
                    count.matched++;
                    perOwner.merge(s.owners()[i], 1L, Long::sum);
                    if (count.listed < q.limit) {
                        count.listed++;
                        sink.accept(dto(m.getKey(), s, i));
                    }
                }
                from = s.next();
            }
        }
        count.perOwner = new java.util.LinkedHashMap<>();
        perOwner.forEach((node, n) -> count.perOwner.put(NodeAddress.format(node), n));
        return count;
    }

    /** An IPv4 client key of a flow tracker (FlowKeys.client): bit 62 set, bit 63 clear. */
    static boolean isClientKey(long key) {
        return (key & (FlowKeys.CLIENT | Long.MIN_VALUE)) == FlowKeys.CLIENT;
    }

    private static SessionDTO dto(int protocol, Slice s, int i) {
        SessionDTO d = new SessionDTO();
        d.protocol = protocol;
        long key = s.keys()[i];
        d.port = -1;
        if (s.kind() == SessionEntries.KEY_FLOW && isClientKey(key)) {
            d.source = dotted((int) key) + ((key & FlowKeys.NETWORK) != 0 ? "/24" : "");
        } else if (s.kind() == SessionEntries.KEY_FLOW && key >= 0) {
            d.source = dotted((int) (key >>> 16));
            d.port = (int) (key & 0xFFFF);
        } else if (s.kind() == SessionEntries.KEY_SOURCE && (key >>> 32) == 0) {
            d.source = dotted((int) key);
        } else {
            d.source = "key:" + Long.toHexString(key);
        }
        d.owner = NodeAddress.format(s.owners()[i]);
        d.state = s.stateNames()[i];
        d.idleMillis = s.now() - s.lastDatagram()[i];
        d.expiresInMillis = s.lastSeen()[i] + s.idleMillis() - s.now();
        return d;
    }

    /** On the loop: who owns {@code client}'s next datagram, by the engine's rule. */
    static OwnerDTO owner(ClusterEngine e, String client, int port, String protocol) {
        int p = protocol(protocol, port);
        if (port < -1 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        if (port >= 0 && p != Datagram.PROTOCOL_TCP && p != Datagram.PROTOCOL_UDP) {
            throw new IllegalArgumentException("a port needs tcp or udp");
        }
        int address = ipv4(client, "client");
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        Ownership o = e.ownerOf(p, bytes, Math.max(port, 0));
        OwnerDTO dto = new OwnerDTO();
        dto.epoch = o.view().epoch();
        dto.protocol = o.slot();
        ProtocolModule m = e.module(o.slot());
        dto.module = m == null ? "" : m.getClass().getName();
        if (o.owner() == NodeAddress.NONE) {
            dto.owner = "";
            dto.reason = o.how() == 3 ? "dropped by a port rule" : "none";
            return dto;
        }
        dto.owner = NodeAddress.format(o.owner());
        dto.self = o.owner() == e.localNode();
        dto.reason = o.how() == 1 ? "session" : "hash";
        dto.key = Long.toHexString(o.key());
        dto.bucket = o.bucket();
        dto.weight = o.view().weightOf(o.owner());
        dto.share = o.view().table().share(o.owner());
        if (o.how() == 1 && m instanceof SessionEntries entries) {
            long key = o.key();
            Slice[] found = {null};
            // the session's entry, looked up by its key (a listing of one)
            int kind = entries.keyKind();
            long now = e.nowMillis();
            SessionTable.Visitor keep = (k, owner, seen, state) -> found[0] = new Slice(new long[] {k}, new long[] {owner},
                    new long[] {seen}, new long[] {entries.lastDatagramMillis(seen, state)}, new int[] {state}, 1, 0, now,
                    kind, entries.entryIdleMillis(), new String[] {entries.stateName(state)}, dto.epoch, false);
            // under affinity source or network the deciding session is the client's entry (FlowKeys.client)
            if (!entries.visitKey(e, key, keep) && kind == SessionEntries.KEY_FLOW && (key >>> 32) == 0
                    && !entries.visitKey(e, FlowKeys.CLIENT | key, keep)) {
                entries.visitKey(e, FlowKeys.CLIENT | FlowKeys.NETWORK | (key & 0xFFFF_FF00L), keep);
            }
            if (found[0] != null) {
                dto.session = dto(o.slot(), found[0], 0);
            }
        }
        return dto;
    }

    /** Digests tried before giving up when the view keeps changing under them. */
    static final int DIGEST_ATTEMPTS = 3;

    /**
     * The digest of every serving module's live sessions, read in slices of {@value #SLICE_SLOTS}
     * slots, one per loop turn through {@code call}, like a listing. It is as of one view epoch: a
     * digest during which the epoch changed (or a module was swapped) is thrown away and taken
     * again, {@value #DIGEST_ATTEMPTS} times at most.
     */
    static DigestDTO digest(Function<Function<ClusterEngine, ?>, Object> call) {
        for (int attempt = 1; ; attempt++) {
            DigestDTO d = digestOnce(call);
            if (d != null) {
                return d;
            }
            if (attempt == DIGEST_ATTEMPTS) {
                throw new IllegalStateException("the view changed during " + DIGEST_ATTEMPTS + " digests in a row; try again");
            }
        }
    }

    /** One digest, or null when the epoch changed or a module went while it was read. */
    private static DigestDTO digestOnce(Function<Function<ClusterEngine, ?>, Object> call) {
        @SuppressWarnings("unchecked")
        Map<Integer, ProtocolModule> modules = (Map<Integer, ProtocolModule>) call.apply(SessionInspection::serving);
        DigestDTO dto = new DigestDTO();
        dto.epoch = -1;
        dto.tables = new ArrayList<>();
        DigestSums all = new DigestSums(0);
        for (Map.Entry<Integer, ProtocolModule> m : modules.entrySet()) {
            if (!(m.getValue() instanceof SessionEntries)) {
                continue;
            }
            DigestSums table = new DigestSums(m.getKey());
            for (int from = 0; from != SessionEntries.END; ) {
                int start = from;
                DigestSlice s = (DigestSlice) call.apply(e -> digestSlice(e, m.getKey(), m.getValue(), start, table));
                if (s.gone() || (dto.epoch >= 0 && s.epoch() != dto.epoch)) {
                    return null;
                }
                dto.epoch = s.epoch();
                from = s.next();
            }
            DigestDTO.TableDigestDTO t = new DigestDTO.TableDigestDTO();
            t.protocol = m.getKey();
            t.type = m.getValue().getClass().getName();
            t.entries = table.entries;
            t.digest = hex(table.sum);
            dto.tables.add(t);
            all.add(table);
        }
        if (dto.epoch < 0) {
            dto.epoch = (Long) call.apply(e -> e.view().epoch());
        }
        dto.entries = all.entries;
        dto.digest = hex(all.sum);
        dto.bucketDigests = new String[DigestDTO.BUCKETS];
        dto.bucketEntries = all.bucketEntries.clone();
        for (int b = 0; b < DigestDTO.BUCKETS; b++) {
            dto.bucketDigests[b] = hex(all.bucketSums[b]);
        }
        return dto;
    }

    /** What one digest slice did: where the next starts, under which epoch, or that the module went. */
    record DigestSlice(int next, long epoch, boolean gone) {
    }

    /** On the loop: adds slots {@code [from, from + SLICE_SLOTS)} of the module serving {@code slot} to {@code sums}. */
    static DigestSlice digestSlice(ClusterEngine e, int slot, ProtocolModule module, int from, DigestSums sums) {
        if (e.module(slot) != module || !(module instanceof SessionEntries entries)) {
            return new DigestSlice(SessionEntries.END, e.view().epoch(), true);
        }
        int next = entries.visit(e, from, SLICE_SLOTS, sums.visitor(e.nowMillis(), entries.entryIdleMillis()));
        return new DigestSlice(next, e.view().epoch(), false);
    }

    /**
     * Running sums of a digest: the whole, and per bucket ({@link #bucket}), so that two nodes whose
     * digests differ can find where. Filled on the loop one slice at a time, read after the last.
     */
    static final class DigestSums {
        private final long protocol;
        long sum;
        long entries;
        final long[] bucketSums = new long[DigestDTO.BUCKETS];
        final long[] bucketEntries = new long[DigestDTO.BUCKETS];

        DigestSums(long protocol) {
            this.protocol = protocol;
        }

        /** A visitor adding the live entries ({@code now - lastSeen < idleMillis}) to these sums. */
        SessionTable.Visitor visitor(long now, long idleMillis) {
            return (key, owner, lastSeen, state) -> {
                if (now - lastSeen < idleMillis) {
                    long h = entryHash(protocol, key, owner, state);
                    int b = bucket(protocol, key);
                    sum += h;
                    entries++;
                    bucketSums[b] += h;
                    bucketEntries[b]++;
                }
            };
        }

        void add(DigestSums other) {
            sum += other.sum;
            entries += other.entries;
            for (int b = 0; b < DigestDTO.BUCKETS; b++) {
                bucketSums[b] += other.bucketSums[b];
                bucketEntries[b] += other.bucketEntries[b];
            }
        }
    }

    /**
     * The digest bucket of a session: the top 8 bits of a fixed mix of its protocol and key, so a
     * session falls in the same bucket on every node whatever its owner, state or slot.
     */
    static int bucket(long protocol, long key) {
        return (int) (Hashing.mix(Hashing.mix(key) + protocol) >>> 56);
    }

    /**
     * One entry's share of the digest: a fixed mix (the assignment hash's) of what every node holds
     * alike: protocol, key, owner, state. Summed, so slot order does not matter; times are left
     * out, since each node stamps entries with its own clock.
     */
    static long entryHash(long protocol, long key, long owner, int state) {
        return Hashing.mix(Hashing.mix(Hashing.mix(key) ^ owner) ^ (state & 0xFFFF_FFFFL) ^ protocol << 40);
    }

    static String hex(long v) {
        return String.format(Locale.ROOT, "%016x", v);
    }

    private static int protocol(String protocol, int port) {
        if (protocol == null || protocol.isEmpty()) {
            return port >= 0 ? Datagram.PROTOCOL_TCP : 0;
        }
        switch (protocol.toLowerCase(Locale.ROOT)) {
            case "tcp":
                return Datagram.PROTOCOL_TCP;
            case "udp":
                return Datagram.PROTOCOL_UDP;
            default:
                try {
                    int p = Integer.parseInt(protocol);
                    if (p >= 0 && p <= 255) {
                        return p;
                    }
                } catch (NumberFormatException e) {
                    // below
                }
                throw new IllegalArgumentException("protocol must be tcp, udp or 0..255: " + protocol);
        }
    }

    private static int ipv4(String text, String what) {
        if (!text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException(what + " must be an IPv4 address: " + text);
        }
        try {
            byte[] b = InetAddress.getByName(text).getAddress();
            return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(what + " must be an IPv4 address: " + text);
        }
    }

    private static String dotted(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 0xFF) + "." + (a >>> 8 & 0xFF) + "." + (a & 0xFF);
    }

    private static long mac(String text) {
        if (!text.matches("\\p{XDigit}{2}(:\\p{XDigit}{2}){5}")) {
            throw new IllegalArgumentException("node must be a MAC or self: " + text);
        }
        return Long.parseLong(text.replace(":", ""), 16);
    }
}
