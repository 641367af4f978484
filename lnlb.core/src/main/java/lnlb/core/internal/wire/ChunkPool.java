package lnlb.core.internal.wire;

/**
 * The memory reassembly may hold: at most {@code capacity} chunks of {@code chunkBytes} each, made
 * on first use and reused after. Fixed-size chunks because a body buffer sized by a fragment's
 * claims (index, count, total) is what a forged frame must never obtain, and because small arrays
 * are never G1 humongous objects (half a region: 512 KiB with 1 MiB regions), whose allocation
 * under a flood started the collections that stalled every node (issue 10).
 * Not thread-safe.
 */
final class ChunkPool {
    private final int chunkBytes;
    private final byte[][] chunks;
    /** Ids of the free chunks, a stack: the last freed is taken first, while it is warm. */
    private final int[] free;
    private int freeCount;

    ChunkPool(int chunkBytes, int capacity) {
        this.chunkBytes = chunkBytes;
        this.chunks = new byte[capacity][];
        this.free = new int[capacity];
        for (int id = capacity - 1; id >= 0; id--) {
            free[freeCount++] = id;
        }
    }

    int chunkBytes() {
        return chunkBytes;
    }

    int capacity() {
        return chunks.length;
    }

    /** Chunks taken and not given back. */
    int inUse() {
        return chunks.length - freeCount;
    }

    boolean exhausted() {
        return freeCount == 0;
    }

    /** A chunk's id, its content left over from earlier use; -1 when all are taken. */
    int take() {
        if (freeCount == 0) {
            return -1;
        }
        int id = free[--freeCount];
        if (chunks[id] == null) {
            chunks[id] = new byte[chunkBytes]; // once per chunk, never per frame: the pool is bounded
        }
        return id;
    }

    void give(int id) {
        free[freeCount++] = id;
    }

    byte[] chunk(int id) {
        return chunks[id];
    }

    /** Bytes of chunk arrays that exist now, taken or free: the memory reassembly pins. */
    long allocatedBytes() {
        long n = 0;
        for (byte[] c : chunks) {
            n += c == null ? 0 : chunkBytes;
        }
        return n;
    }

    /** Lets the GC have the free chunks beyond {@code keepBytes} of allocated ones (after a big transfer). */
    void trim(long keepBytes) {
        long allocated = allocatedBytes();
        for (int i = 0; i < freeCount && allocated > keepBytes; i++) { // the least recently freed first
            int id = free[i];
            if (chunks[id] != null) {
                chunks[id] = null;
                allocated -= chunkBytes;
            }
        }
    }
}
