package lnlb.core.internal.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * One message being reassembled: its header fields (from its first fragment), which fragments
 * arrived, and its body in {@link ChunkPool} chunks. Sparse: a chunk is taken only when a fragment
 * lands in it, so the memory follows the bytes received, never the index, count or total claimed.
 * Its arrays are sized once, for the largest message accepted, and reused from message to message.
 */
final class PartialMessage {
    boolean used;
    long sender;
    int id;
    int type;
    int flags;
    int total;
    long crc;
    int count;
    long slice;
    long deadline;
    int received;
    long receivedBytes;
    /** When a fragment last arrived, in frames seen by the reassembler: eviction takes the stalest. */
    long touched;
    int chunksHeld;

    private final long[] held = new long[ClusterHeader.MAX_FRAGMENTS / 64];
    /** Chunk id + 1 by chunk number (body offset / chunk size); 0: none yet. */
    private final int[] chunkIds;
    private int lowChunk;
    private int highChunk;

    PartialMessage(int maxChunks) {
        chunkIds = new int[maxChunks];
    }

    void start(ClusterHeader h, long deadline, long now) {
        used = true;
        sender = h.source();
        id = h.messageId();
        type = h.type();
        flags = h.flags();
        total = (int) h.totalLength();
        crc = h.crc();
        count = h.fragmentCount();
        slice = h.fullSliceLength();
        this.deadline = deadline;
        received = 0;
        receivedBytes = 0;
        touched = now;
        chunksHeld = 0;
        lowChunk = Integer.MAX_VALUE;
        highChunk = -1;
        Arrays.fill(held, 0, (count + 63) >>> 6, 0L);
    }

    /** Same message as the first fragment announced: everything but the index and slice agree. */
    boolean matches(ClusterHeader h) {
        return h.type() == type && h.flags() == flags && h.totalLength() == total && h.crc() == crc
                && h.fragmentCount() == count && h.fullSliceLength() == slice;
    }

    boolean holds(int index) {
        return (held[index >>> 6] & (1L << index)) != 0;
    }

    boolean complete() {
        return received == count;
    }

    /** Chunk numbers the slice of fragment {@code index} ({@code length} bytes) spans. */
    int firstChunk(int index, int chunkBytes) {
        return (int) (index * slice / chunkBytes);
    }

    int lastChunk(int index, int length, int chunkBytes) {
        return (int) ((index * slice + Math.max(length, 1) - 1) / chunkBytes);
    }

    boolean hasChunk(int number) {
        return chunkIds[number] != 0;
    }

    void addChunk(int number, int chunkId) {
        chunkIds[number] = chunkId + 1;
        chunksHeld++;
        lowChunk = Math.min(lowChunk, number);
        highChunk = Math.max(highChunk, number);
    }

    /** Copies a slice in; the chunks it spans are there, and the header check kept it inside the body. */
    void put(int index, ByteBuffer buffer, int from, int length, ChunkPool pool, long now) {
        int chunkBytes = pool.chunkBytes();
        long at = index * slice;
        int copied = 0;
        while (copied < length) {
            long offset = at + copied;
            int number = (int) (offset / chunkBytes);
            int within = (int) (offset % chunkBytes);
            int n = Math.min(length - copied, chunkBytes - within);
            buffer.get(from + copied, pool.chunk(chunkIds[number] - 1), within, n);
            copied += n;
        }
        held[index >>> 6] |= 1L << index;
        received++;
        receivedBytes += length;
        touched = now;
    }

    /** The CRC32 of the whole body; call when {@link #complete}. */
    long bodyCrc(ChunkPool pool, CRC32 crc32) {
        crc32.reset();
        int chunkBytes = pool.chunkBytes();
        for (int number = 0, left = total; left > 0; number++, left -= chunkBytes) {
            crc32.update(pool.chunk(chunkIds[number] - 1), 0, Math.min(left, chunkBytes));
        }
        return crc32.getValue();
    }

    /** Copies the whole body to {@code out[0, total)}; call when {@link #complete}. */
    void copyBody(ChunkPool pool, byte[] out) {
        int chunkBytes = pool.chunkBytes();
        for (int number = 0, at = 0; at < total; number++, at += chunkBytes) {
            System.arraycopy(pool.chunk(chunkIds[number] - 1), 0, out, at, Math.min(total - at, chunkBytes));
        }
    }

    /** Gives every chunk back and frees the slot. */
    void release(ChunkPool pool) {
        for (int number = lowChunk; number <= highChunk && chunksHeld > 0; number++) {
            if (chunkIds[number] != 0) {
                pool.give(chunkIds[number] - 1);
                chunkIds[number] = 0;
                chunksHeld--;
            }
        }
        used = false;
    }
}
