package lnlb.core.internal.engine;

import lnlb.core.api.Cluster;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.internal.loop.EventLoop;

/**
 * What every part of one cluster's engine works with: the cluster as modules see it, its settings,
 * link and loop, where this node stands, what it knows of the others, the modules and the
 * counters. All of it belongs to the cluster's loop.
 */
abstract class EnginePart {
    /** The same collaborators for every part of one engine. */
    record Shared(Cluster cluster, ClusterConfig config, ClusterLink link, EventLoop loop, Standing standing,
            Membership membership, ModuleTable modules, EngineCounters counters) {
    }

    final Cluster cluster;
    final ClusterConfig config;
    final ClusterLink link;
    final EventLoop loop;
    final long self;
    final Standing standing;
    final Membership membership;
    final ModuleTable modules;
    final EngineCounters counters;

    EnginePart(Shared shared) {
        this.cluster = shared.cluster();
        this.config = shared.config();
        this.link = shared.link();
        this.loop = shared.loop();
        this.self = shared.link().nodeAddress();
        this.standing = shared.standing();
        this.membership = shared.membership();
        this.modules = shared.modules();
        this.counters = shared.counters();
    }
}
