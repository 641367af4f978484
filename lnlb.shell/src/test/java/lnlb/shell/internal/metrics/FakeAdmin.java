package lnlb.shell.internal.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.ClusterDTO;
import lnlb.core.api.admin.ClusterSpecDTO;
import lnlb.core.api.admin.DigestDTO;
import lnlb.core.api.admin.ModuleDTO;
import lnlb.core.api.admin.NodeDTO;
import lnlb.core.api.admin.OwnerDTO;
import lnlb.core.api.admin.SessionCountDTO;
import lnlb.core.api.admin.SessionDTO;
import lnlb.core.api.admin.SessionQueryDTO;
import lnlb.core.api.admin.TableDTO;

/** Two clusters as the admin service would show them: web (a member of three nodes) and db (down). */
final class FakeAdmin implements ClusterAdmin {
    static final String SELF = "52:54:00:12:34:01";
    final Map<String, Long> counters = new LinkedHashMap<>();

    FakeAdmin() {
        String[] names = {"frames.in", "datagrams", "accepted", "not.mine", "held", "held.dropped", "buffered",
            "buffer.dropped", "malformed.datagrams", "not.for.cluster", "arp.delivered", "no.module", "module.errors",
            "deliver.errors", "transmit.errors", "cluster.messages", "rounds", "view.changes", "view.changes.weight",
            "deaths", "joins.served", "commit.ack.timeouts", "swap.held", "bad.messages", "swap.dropped", "swap.moves",
            "swap.move.ms", "swap.hold.ms", "forged.own.messages", "decisions.protocol.6", "decisions.protocol.17",
            "wire.received", "wire.not.cluster", "wire.bad.tag", "wire.reassembly.timeouts", "wire.some.future.thing",
            "link.received", "link.receive.dropped", "link.delivered", "link.transmitted", "loop.stalls",
            "loop.stall.max.ms", "loop.stall.last.ms", "loop.stall.threshold.ms", "jvm.heap.used.bytes",
            "jvm.heap.max.bytes", "jvm.gc.count", "jvm.gc.ms"};
        long v = 1000;
        for (String n : names) {
            counters.put(n, v += 1001);
        }
    }

    @Override
    public List<ClusterDTO> clusters() {
        ClusterDTO web = new ClusterDTO();
        web.name = "web";
        web.vip = "10.0.0.10";
        web.device = "eth0";
        web.clusterMac = "02:00:0a:00:00:0a";
        web.localNode = SELF;
        web.state = "member";
        web.epoch = 7;
        web.members = 3;
        web.coordinator = SELF;
        web.weightMode = "manual";
        web.weight = 7;
        web.heartbeatIntervalMillis = 500;
        web.tolerance = 6;
        web.source = "";
        ClusterDTO db = new ClusterDTO();
        db.name = "db";
        db.vip = "10.0.0.300";
        db.device = "eth0";
        db.clusterMac = "";
        db.localNode = "";
        db.state = "down (vip must be an IP address: 10.0.0.300)";
        return List.of(db, web);
    }

    @Override
    public List<NodeDTO> nodes(String cluster) {
        return List.of(node(SELF, 7, 50, "member", true, true, 0), node("52:54:00:12:34:02", 14, 25, "member", false, false, 310),
                node("52:54:00:12:34:03", 14, 25, "silent", false, false, 4200));
    }

    private static NodeDTO node(String mac, int weight, double share, String state, boolean self, boolean coordinator, long heard) {
        NodeDTO n = new NodeDTO();
        n.mac = mac;
        n.weight = weight;
        n.share = share;
        n.state = state;
        n.inView = true;
        n.self = self;
        n.coordinator = coordinator;
        n.lastHeardMillis = heard;
        return n;
    }

    @Override
    public Map<String, Long> counters(String cluster) {
        if (!cluster.equals("web")) {
            throw new IllegalArgumentException("cluster " + cluster + " is not running");
        }
        return new LinkedHashMap<>(counters);
    }

    @Override
    public List<TableDTO> tables(String cluster) {
        TableDTO tcp = new TableDTO();
        tcp.protocols = new int[] {6};
        tcp.type = "lnlb.module.tcp.internal.TcpTracker";
        tcp.bundle = "lnlb.module.tcp";
        tcp.entries = 42;
        TableDTO other = new TableDTO();
        other.protocols = new int[] {0};
        other.bundle = "x";
        other.entries = -1;
        return List.of(tcp, other);
    }

    @Override
    public List<ModuleDTO> modules() {
        throw new UnsupportedOperationException();
    }

    @Override
    public SessionCountDTO sessions(String cluster, SessionQueryDTO query, Consumer<SessionDTO> sink) {
        throw new UnsupportedOperationException();
    }

    @Override
    public OwnerDTO owner(String cluster, String client, int port, String protocol) {
        throw new UnsupportedOperationException();
    }

    @Override
    public DigestDTO digest(String cluster) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String create(ClusterSpecDTO spec) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void delete(String cluster) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void weightMode(String cluster, String mode) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void weight(String cluster, int weight) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void resync(String cluster) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void rules(String cluster, String affinity, String portRules) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void drain(String cluster, boolean leave, long timeoutSeconds) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void undrain(String cluster) {
        throw new UnsupportedOperationException();
    }
}
