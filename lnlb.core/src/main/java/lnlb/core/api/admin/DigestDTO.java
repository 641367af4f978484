package lnlb.core.api.admin;

import java.util.List;

/**
 * A digest of the session tables of one cluster ({@link ClusterAdmin#digest}): equal on every node
 * whose tables hold the same live sessions (key, owner, state), in any slot order, on any clock.
 * Read in slices of the tables like a listing, all under one view epoch.
 * @since 1.3
 */
public class DigestDTO {
    /** How many buckets {@link #bucketDigests} has. @since 1.4 */
    public static final int BUCKETS = 256;

    /** The view epoch it was taken under. */
    public long epoch;
    /** Live sessions digested, over every module. */
    public long entries;
    /** The digest of every module's table, 16 hex digits. */
    public String digest;
    /** One per serving module that can list its sessions, in protocol order. */
    public List<TableDigestDTO> tables;
    /**
     * The digest split in {@link #BUCKETS} buckets, 16 hex digits each: a session's bucket is a fixed
     * hash of its protocol and key, the same on every node, so two nodes whose digests differ differ
     * in the buckets holding the differing sessions ({@link SessionQueryDTO#bucket} lists one).
     * @since 1.4
     */
    public String[] bucketDigests;
    /** The live sessions of each bucket. @since 1.4 */
    public long[] bucketEntries;

    /** One module's table. */
    public static class TableDigestDTO {
        /** The module's first served protocol. */
        public int protocol;
        /** The module's class. */
        public String type;
        public long entries;
        /** 16 hex digits. */
        public String digest;
    }
}
