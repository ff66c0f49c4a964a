package afsdr.volser.dump;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import afsdr.partition.NameiPartition;
import afsdr.realcell.RealDiskTempDirs;

/**
 * Tests that restore a dump of volume {@link #VID} made on partition {@link #src} into partition
 * {@link #dst}: both are fresh folders on the real disk, opened before each test (before the
 * subclass's own {@code @BeforeEach}, which makes the volume and the dump {@link #full}).
 */
abstract class SrcDstRestoreTest {
    static final int VID = 536870912;

    @TempDir(factory = RealDiskTempDirs.class)
    Path tmp;

    NameiPartition src;
    NameiPartition dst;
    /** A full dump of the source volume. */
    byte[] full;

    @BeforeEach
    void openPartitions() throws IOException {
        src = DumpTestSupport.partition(tmp.resolve("src"));
        dst = DumpTestSupport.partition(tmp.resolve("dst"));
    }
}
