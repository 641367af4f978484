/**
 * Running a cluster without OSGi: the one supported way to wire a link, an event loop, the engine
 * and its protocol modules, used by the {@code lnlb.cluster} component itself, the simulation, the
 * benchmarks, the fuzzers and the lab launcher.
 *
 * <p>Start with {@link lnlb.core.api.run.ClusterRunner}: a validated
 * {@link lnlb.core.api.run.ClusterConfig}, a {@link lnlb.core.api.ClusterLink} (the Linux link, or a
 * port of an in-memory {@link lnlb.core.api.memory.MemoryNetwork}), the modules per protocol, a
 * {@link lnlb.core.api.run.WeightSource}, and either a real loop thread or a
 * {@link lnlb.core.api.run.VirtualClock} for deterministic simulations; it gives a
 * {@link lnlb.core.api.run.RunningCluster}. {@link lnlb.core.api.run.ClusterInfo} is the read-only
 * part of it, which the component also registers as a service for each running cluster.
 *
 * <p>1.2.0: {@code ClusterConfig.affinity} and {@code portRules}, {@code ClusterView.isDraining},
 * {@code rules} and {@code rulesDigest}, {@code RunningCluster.drain}, {@code draining}, {@code rules},
 * {@code ownRules}, {@code refusal} and {@code sessionsOf} (issue 13).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package lnlb.core.api.run;
