package lnlb.core.internal.run;

import lnlb.core.api.run.ClusterConfig;

/** The API's cluster config as the engine takes it. */
public final class Configs {
    private Configs() {
    }

    public static lnlb.core.internal.engine.ClusterConfig toEngine(ClusterConfig c) {
        return new lnlb.core.internal.engine.ClusterConfig(c.name(), c.vip(), c.device(), c.heartbeatIntervalMillis(),
                c.tolerance(), c.holdFrames(), c.joinBufferFrames(), c.swapGraceMillis(), c.key(), c.previousKey(),
                c.previousKeyMillis(), c.quorum());
    }
}
