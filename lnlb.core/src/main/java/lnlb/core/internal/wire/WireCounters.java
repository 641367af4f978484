package lnlb.core.internal.wire;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link Reassembler} did with the frames it was given. Plain fields: one cluster loop writes
 * them; read them on that loop (or accept a slightly stale value elsewhere).
 *
 * <p>Every frame passed to {@link Reassembler#accept} adds one to {@link #received()} and one to
 * exactly one <em>frame outcome</em>, so {@code received() == accounted()} always holds:
 * a header verdict ({@code notCluster} .. {@code badFragment}), then the frame's authentication
 * ({@code unauthenticated}, {@code badTag}, {@code replayed}), then {@code duplicateFragments},
 * {@code reassemblyOverBudget}, {@code fragmentsBuffered} (kept, message still incomplete), or, for
 * the frame that completes a message, {@code badCrc}, {@code badBody} or {@code decoded}. The
 * remaining counters count messages, not frames: {@code reassembled} and the partial messages
 * dropped by reason ({@code reassemblyTimeouts}, {@code reassemblyEvictions},
 * {@code reassemblyBudgetEvictions}, {@code reassemblyQuotaEvictions}).
 */
public final class WireCounters {
    long received;
    long notCluster;
    long truncated;
    long badVersion;
    long foreign;
    long unknownType;
    long badLength;
    long oversized;
    long badFragment;
    long duplicateFragments;
    long fragmentsBuffered;
    long badCrc;
    long unauthenticated;
    long badTag;
    long replayed;
    long reassemblyOverBudget;
    long badBody;
    long decoded;
    long reassembled;
    long reassemblyTimeouts;
    long reassemblyEvictions;
    long reassemblyBudgetEvictions;
    long reassemblyQuotaEvictions;

    /** Counts a {@link ClusterHeader#check} verdict other than {@link ClusterHeader#OK}. */
    void countVerdict(int verdict) {
        switch (verdict) {
            case ClusterHeader.TRUNCATED -> truncated++;
            case ClusterHeader.NOT_CLUSTER -> notCluster++;
            case ClusterHeader.BAD_VERSION -> badVersion++;
            case ClusterHeader.FOREIGN -> foreign++;
            case ClusterHeader.UNKNOWN_TYPE -> unknownType++;
            case ClusterHeader.BAD_LENGTH -> badLength++;
            case ClusterHeader.OVERSIZED -> oversized++;
            default -> badFragment++;
        }
    }

    /** Frames given to the reassembler. */
    public long received() {
        return received;
    }

    /** Frames whose EtherType is not {@link ClusterHeader#ETHERTYPE}. */
    public long notCluster() {
        return notCluster;
    }

    /** Frames shorter than the headers (or a frame range outside the buffer). */
    public long truncated() {
        return truncated;
    }

    public long badVersion() {
        return badVersion;
    }

    /** Sound frames of another cluster (another VIP) on the same device; not an error. */
    public long foreign() {
        return foreign;
    }

    public long unknownType() {
        return unknownType;
    }

    /** Frames whose length fields lie (see {@link ClusterHeader#BAD_LENGTH}). */
    public long badLength() {
        return badLength;
    }

    /** Frames announcing a body above the configured maximum. */
    public long oversized() {
        return oversized;
    }

    /** Frames whose fragment fields are inconsistent, in themselves or with earlier fragments. */
    public long badFragment() {
        return badFragment;
    }

    /** Fragments already held for their message. */
    public long duplicateFragments() {
        return duplicateFragments;
    }

    /** Fragments kept while their message is still incomplete. */
    public long fragmentsBuffered() {
        return fragmentsBuffered;
    }

    /**
     * Frames refused for their sealing alone: unsealed where the cluster has a key (a host without
     * it, or a node not configured with it), or sealed where it has none.
     */
    public long unauthenticated() {
        return unauthenticated;
    }

    /** Sealed frames whose tag does not verify: another key, or altered on the way (forged). */
    public long badTag() {
        return badTag;
    }

    /**
     * Sealed frames whose counter this node already accepted from that sender, or that is below
     * its replay window: a captured frame sent again.
     */
    public long replayed() {
        return replayed;
    }

    /**
     * Fragments dropped, with their partial message, because it alone would exceed the cluster's
     * budget or its sender's quota; the bounds are chosen so that this stays 0.
     */
    public long reassemblyOverBudget() {
        return reassemblyOverBudget;
    }

    /** Complete messages whose body does not match the header's CRC. */
    public long badCrc() {
        return badCrc;
    }

    /** Complete messages with a good CRC whose body does not decode. */
    public long badBody() {
        return badBody;
    }

    /** Messages decoded and returned. */
    public long decoded() {
        return decoded;
    }

    /** Multi-fragment messages completed (then counted again as decoded, badCrc or badBody). */
    public long reassembled() {
        return reassembled;
    }

    /** Partial messages dropped because they did not complete in time. */
    public long reassemblyTimeouts() {
        return reassemblyTimeouts;
    }

    /** Partial messages dropped because every slot was taken and a new message began. */
    public long reassemblyEvictions() {
        return reassemblyEvictions;
    }

    /** Partial messages dropped because the cluster's reassembly budget (bytes) was used up. */
    public long reassemblyBudgetEvictions() {
        return reassemblyBudgetEvictions;
    }

    /** Partial messages dropped because their sender had used up its quota (bytes or slots). */
    public long reassemblyQuotaEvictions() {
        return reassemblyQuotaEvictions;
    }

    /** The sum of the frame outcomes; equals {@link #received()}. */
    public long accounted() {
        return notCluster + truncated + badVersion + foreign + unknownType + badLength + oversized + badFragment
                + unauthenticated + badTag + replayed + duplicateFragments + reassemblyOverBudget + fragmentsBuffered
                + badCrc + badBody + decoded;
    }

    /** Every counter by name, in declaration order (for the shell). */
    public Map<String, Long> snapshot() {
        Map<String, Long> map = new LinkedHashMap<>();
        map.put("received", received);
        map.put("notCluster", notCluster);
        map.put("truncated", truncated);
        map.put("badVersion", badVersion);
        map.put("foreign", foreign);
        map.put("unknownType", unknownType);
        map.put("badLength", badLength);
        map.put("oversized", oversized);
        map.put("badFragment", badFragment);
        map.put("duplicateFragments", duplicateFragments);
        map.put("fragmentsBuffered", fragmentsBuffered);
        map.put("badCrc", badCrc);
        map.put("unauthenticated", unauthenticated);
        map.put("badTag", badTag);
        map.put("replayed", replayed);
        map.put("reassemblyOverBudget", reassemblyOverBudget);
        map.put("badBody", badBody);
        map.put("decoded", decoded);
        map.put("reassembled", reassembled);
        map.put("reassemblyTimeouts", reassemblyTimeouts);
        map.put("reassemblyEvictions", reassemblyEvictions);
        map.put("reassemblyBudgetEvictions", reassemblyBudgetEvictions);
        map.put("reassemblyQuotaEvictions", reassemblyQuotaEvictions);
        return map;
    }

    /** {@code received=12 notCluster=0 ...}: only the non-zero counters after {@code received}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Long> e : snapshot().entrySet()) {
            if (e.getValue() != 0 || text.length() == 0) {
                text.append(text.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(e.getValue());
            }
        }
        return text.toString();
    }
}
