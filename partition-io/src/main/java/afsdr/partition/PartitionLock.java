package afsdr.partition;

import afsdr.nativeio.NativeIoException;
import afsdr.nativeio.Posix;

/** A held flock on a partition directory (VLockPartition); released by {@link #close()}. */
public final class PartitionLock implements AutoCloseable {
    private final Posix posix;
    private final int fd;
    private final String partition;
    private boolean released;

    PartitionLock(Posix posix, int fd, String partition) {
        this.posix = posix;
        this.fd = fd;
        this.partition = partition;
    }

    public String partition() {
        return partition;
    }

    @Override
    public synchronized void close() throws NativeIoException {
        if (!released) {
            released = true;
            try {
                posix.funlock(fd);
            } finally {
                posix.close(fd);
            }
        }
    }
}
