package lnlb.core.internal.component;

import lnlb.core.api.run.ClusterConfig;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One cluster's configuration as ConfigAdmin holds it and metatype describes it (the keys of a
 * cluster file, {@code etc/lnlb.cluster-NAME.cfg}: {@code heartbeat_interval_ms} is
 * {@code heartbeat.interval.ms}).
 */
@ObjectClassDefinition(name = "lnlb cluster", description = "One load-balanced cluster IP on one device")
public @interface ClusterMetatype {
    @AttributeDefinition(description = "The cluster IP (VIP) shared by every node")
    String vip();

    @AttributeDefinition(description = "The real device every node of the cluster is attached to, e.g. eth0")
    String device();

    @AttributeDefinition(description = "Name of the virtual interface; empty = next free nlbN", required = false)
    String name() default "";

    @AttributeDefinition(description = "Milliseconds between heartbeats (>= 10)")
    long heartbeat_interval_ms() default ClusterConfig.DEFAULT_INTERVAL_MILLIS;

    @AttributeDefinition(description = "Heartbeats a node may miss before it is declared dead (>= 2)")
    int tolerance() default ClusterConfig.DEFAULT_TOLERANCE;

    @AttributeDefinition(description = "equal (every node 100: equal shares), loadavg, loadavg5, loadavg15"
            + " (load average per CPU, smoothed), freemem (used memory) or manual")
    String weight_mode() default "equal";

    @AttributeDefinition(required = false, description = "A file read instead of /proc/loadavg (load modes) or"
            + " /proc/meminfo (freemem), in the same format; empty = /proc")
    String weight_source() default "";

    @AttributeDefinition(description = "Least milliseconds between view changes that change weights only (>= 0);"
            + " joins, deaths and leaves change the view at once")
    long weight_change_interval_ms() default ClusterConfig.DEFAULT_WEIGHT_CHANGE_MILLIS;

    @AttributeDefinition(description = "The weight in manual mode (1..1000000; higher = busier)")
    int weight() default 1;

    @AttributeDefinition(description = "Milliseconds the datagrams of a protocol whose tracker left (bundle stopped"
            + " or updated) wait for a tracker to return before protocol 0 decides them (>= 0)")
    long swap_grace_ms() default ClusterConfig.DEFAULT_SWAP_GRACE_MILLIS;

    @AttributeDefinition(description = "Majority rule, for views of 3 or more: a node that hears no majority of"
            + " its view stops accepting until it rejoins one, so that a partition leaves one side serving, not"
            + " two. A 2-node cluster keeps serving when its peer dies. false: a cut-off node founds a cluster"
            + " of its own after the tolerance")
    boolean quorum() default true;

    @AttributeDefinition(description = "Affinity of traffic no port rule matches: source (every connection and"
            + " datagram of a client on one node, the default, as Microsoft NLB's single), connection (each"
            + " connection placed on its own) or network (a client's /24 on one node). Every node must agree")
    String affinity() default "source";

    @AttributeDefinition(required = false, description = "Ordered port rules PROTO:PORTS:AFFINITY, the first match"
            + " wins: PROTO tcp, udp or any; PORTS N, N-M, a comma list or *; AFFINITY source, connection, network"
            + " or drop (nothing answers), e.g. tcp:80,443:connection, udp:53:connection. Applied live as a view"
            + " change; every node must have the same (a node with others is refused at join)")
    String port_rules() default "";

    @AttributeDefinition(description = "Which link provider to use (LDAP filter on lnlb.link.type)")
    String link_target() default ClusterComponent.DEFAULT_LINK_TARGET;

    @AttributeDefinition(required = false, type = AttributeType.PASSWORD,
            description = "Cluster key authenticating cluster messages (hex or base64, >= 16 bytes); empty = none")
    String key() default "";

    @AttributeDefinition(required = false, type = AttributeType.PASSWORD,
            description = "The key being rotated out, accepted for previous.key.valid ms after start; empty = none")
    String previous_key() default "";

    @AttributeDefinition(description = "Milliseconds after start during which previous.key is accepted")
    long previous_key_valid() default ClusterConfig.DEFAULT_PREVIOUS_KEY_VALID_MILLIS;
}
