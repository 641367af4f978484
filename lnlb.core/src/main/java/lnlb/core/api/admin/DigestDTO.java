package lnlb.core.api.admin;

import java.util.List;

/**
 * A digest of the session tables of one cluster ({@link ClusterAdmin#digest}): equal on every node
 * whose tables hold the same live sessions (key, owner, state), in any slot order, on any clock.
 * @since 1.3
 */
public class DigestDTO {
    /** The view epoch it was taken under. */
    public long epoch;
    /** Live sessions digested, over every module. */
    public long entries;
    /** The digest of every module's table, 16 hex digits. */
    public String digest;
    /** One per serving module that can list its sessions, in protocol order. */
    public List<TableDigestDTO> tables;

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
