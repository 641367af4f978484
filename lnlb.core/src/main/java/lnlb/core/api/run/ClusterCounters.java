package lnlb.core.api.run;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of a cluster's counters: the engine's (decisions, holds, membership: {@code accepted},
 * {@code not.mine}, {@code swap.held}, ...) and the cluster protocol's wire counters (frames
 * received, refused and why: {@code received}, {@code badTag}, {@code replayed}, ...), each as
 * name/value pairs in a stable order, with typed accessors for the ones most asked for.
 */
public final class ClusterCounters {
    private final Map<String, Long> engine;
    private final Map<String, Long> wire;

    public ClusterCounters(Map<String, Long> engine, Map<String, Long> wire) {
        this.engine = Collections.unmodifiableMap(new LinkedHashMap<>(engine));
        this.wire = Collections.unmodifiableMap(new LinkedHashMap<>(wire));
    }

    /** The engine's counters by name, in a stable order. */
    public Map<String, Long> engine() {
        return engine;
    }

    /** The wire counters by name, in a stable order. */
    public Map<String, Long> wire() {
        return wire;
    }

    /** An engine counter by name. @throws IllegalArgumentException for an unknown name */
    public long engine(String name) {
        return get(engine, name);
    }

    /** A wire counter by name. @throws IllegalArgumentException for an unknown name */
    public long wire(String name) {
        return get(wire, name);
    }

    private static long get(Map<String, Long> counters, String name) {
        Long value = counters.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no such counter: " + name);
        }
        return value;
    }

    public long framesIn() {
        return engine("frames.in");
    }

    public long datagrams() {
        return engine("datagrams");
    }

    public long accepted() {
        return engine("accepted");
    }

    public long notMine() {
        return engine("not.mine");
    }

    public long held() {
        return engine("held");
    }

    public long malformedDatagrams() {
        return engine("malformed.datagrams");
    }

    public long noModule() {
        return engine("no.module");
    }

    public long moduleErrors() {
        return engine("module.errors");
    }

    public long viewChanges() {
        return engine("view.changes");
    }

    public long swapHeld() {
        return engine("swap.held");
    }

    public long swapDropped() {
        return engine("swap.dropped");
    }

    public long swapMoves() {
        return engine("swap.moves");
    }

    public long swapHoldMillis() {
        return engine("swap.hold.ms");
    }

    /** Cluster messages under this node's own MAC: forged by another host. */
    public long forgedOwnMessages() {
        return engine("forged.own.messages");
    }

    /** Cluster messages without a tag where a key is set. */
    public long unauthenticated() {
        return wire("unauthenticated");
    }

    public long badTag() {
        return wire("badTag");
    }

    public long replayed() {
        return wire("replayed");
    }

    @Override
    public String toString() {
        return "engine " + engine + ", wire " + wire;
    }
}
