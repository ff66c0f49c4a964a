package afsdr.nativeio;

import java.nio.ByteBuffer;

/** Direct buffers whose address is a multiple of an O_DIRECT memory alignment. */
public final class AlignedBuffers {
    private AlignedBuffers() {
    }

    /** A direct buffer of exactly {@code size} bytes whose address is aligned to {@code alignment}. */
    public static ByteBuffer allocate(int size, int alignment) {
        if (Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        }
        ByteBuffer raw = ByteBuffer.allocateDirect(size + alignment);
        ByteBuffer aligned = raw.alignedSlice(alignment);
        return aligned.limit(size).slice();
    }

    public static long roundUp(long value, int alignment) {
        return (value + alignment - 1) & -(long) alignment;
    }
}
