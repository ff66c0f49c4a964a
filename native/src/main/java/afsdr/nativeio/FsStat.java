package afsdr.nativeio;

/** statvfs(3) figures in bytes. */
public record FsStat(long blockSize, long fragmentSize, long totalBytes, long freeBytes, long availableBytes) {
    /** Bytes reserved for root (f_bfree - f_bavail). */
    public long reservedBytes() {
        return freeBytes - availableBytes;
    }
}
