package afsdr.nativeio;

import afsdr.realcell.RealDiskTempDirs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JnrPosixTest {
    // On the real disk (not tmpfs) so that O_DIRECT is really exercised.
    @TempDir(factory = RealDiskTempDirs.class)
    Path dir;

    private final Posix posix = JnrPosix.get();

    @Test
    void setDirectTogglesODirectOnAnOpenDescriptorOfAFileCreatedWithModeZero() throws Exception {
        // the namei way: created O_CREAT|O_EXCL with mode 0, so the descriptor of the create is
        // the only writable one a non-root server gets
        String p = dir.resolve("direct").toString();
        int fd = posix.open(p, Set.of(OpenFlag.WRITE_ONLY, OpenFlag.CREATE, OpenFlag.EXCLUSIVE), 0);
        try {
            assertTrue(posix.setDirect(fd, true), "ext4/xfs take O_DIRECT");
            ByteBuffer misaligned = AlignedBuffers.allocate(8192, 4096);
            misaligned.position(1).limit(4097);
            // with O_DIRECT on, the kernel refuses a buffer that is not aligned: proof the flag is set
            NativeIoException e = assertThrows(NativeIoException.class, () -> posix.pwrite(fd, misaligned, 0));
            assertEquals(Errno.EINVAL, e.errno());
            ByteBuffer aligned = AlignedBuffers.allocate(8192, 4096);
            new Random(7).ints(8192, 0, 256).forEach(b -> aligned.put((byte) b));
            aligned.flip();
            posix.pwriteFully(fd, aligned, 0, p);
            assertTrue(posix.setDirect(fd, false));
            // buffered again: a 3-byte tail at an unaligned offset is accepted
            ByteBuffer tail = ByteBuffer.allocateDirect(3).put(new byte[] {1, 2, 3}).flip();
            posix.pwriteFully(fd, tail, 8192, p);
        } finally {
            posix.close(fd);
        }
        byte[] got = Files.readAllBytes(Path.of(p));
        assertEquals(8195, got.length);
        byte[] want = new byte[8192];
        ByteBuffer w = ByteBuffer.wrap(want);
        new Random(7).ints(8192, 0, 256).forEach(b -> w.put((byte) b));
        assertArrayEquals(want, java.util.Arrays.copyOf(got, 8192));
        assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOfRange(got, 8192, 8195));
    }

    @Test
    void errnoBecomesTypedExceptionWithCallPathAndName() {
        String p = dir.resolve("missing").toString();
        NativeIoException e = assertThrows(NativeIoException.class,
            () -> posix.open(p, Set.of(OpenFlag.READ_ONLY), 0));
        assertEquals("open", e.call());
        assertEquals(p, e.path());
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("ENOENT", e.errnoName());
        assertTrue(e.getMessage().contains("ENOENT") && e.getMessage().contains(p), e.getMessage());
    }

    @Test
    void syncfsSucceedsOnAnOpenFileAndReportsABadDescriptor() throws Exception {
        String p = dir.resolve("s").toString();
        int fd = posix.open(p, EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.CREATE, OpenFlag.EXCLUSIVE), 0600);
        try {
            posix.syncfs(fd);
        } finally {
            posix.close(fd);
        }
        NativeIoException e = assertThrows(NativeIoException.class, () -> posix.syncfs(-1));
        assertEquals("syncfs", e.call());
        assertEquals(Errno.EBADF, e.errno());
    }

    @Test
    void startWritebackAcceptsAFileWithDirtyPagesAndReportsBadDescriptors() throws Exception {
        String p = dir.resolve("w").toString();
        int fd = posix.open(p, EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.CREATE, OpenFlag.EXCLUSIVE), 0600);
        try {
            posix.pwriteFully(fd, ByteBuffer.allocateDirect(3 * 4096 + 17), 0, p);
            // a wrong binding of the 64-bit offsets or the flags gives EINVAL here
            posix.startWriteback(fd);
            posix.fdatasync(fd);
            assertEquals(3 * 4096 + 17, posix.fstat(fd).size());
        } finally {
            posix.close(fd);
        }
        NativeIoException e = assertThrows(NativeIoException.class, () -> posix.startWriteback(-1));
        assertEquals("sync_file_range", e.call());
        assertEquals(Errno.EBADF, e.errno());
    }

    @Test
    void exclusiveCreateFailsWithEexist() throws Exception {
        String p = dir.resolve("f").toString();
        int fd = posix.open(p, EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.CREATE, OpenFlag.EXCLUSIVE), 0600);
        posix.close(fd);
        NativeIoException e = assertThrows(NativeIoException.class,
            () -> posix.open(p, EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.CREATE, OpenFlag.EXCLUSIVE), 0600));
        assertEquals(Errno.EEXIST, e.errno());
    }

    @Test
    void preadPwriteRespectBufferPositionAndStatReportsOwnership() throws Exception {
        String p = dir.resolve("rw").toString();
        int fd = posix.open(p, EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.CREATE), 0);
        try {
            ByteBuffer b = ByteBuffer.allocateDirect(16);
            b.put(new byte[] {9, 9, 9, 1, 2, 3, 4, 5});
            b.flip().position(3);
            assertEquals(5, posix.pwrite(fd, b, 10));
            assertEquals(8, b.position());
            ByteBuffer r = ByteBuffer.allocateDirect(16);
            r.position(2);
            assertEquals(5, posix.preadFully(fd, r, 10));
            byte[] got = new byte[5];
            r.get(2, got);
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, got);
            posix.fchmod(fd, 037);
            posix.fchown(fd, 123, 4567);
            FileStat st = posix.fstat(fd);
            assertEquals(15, st.size());
            assertEquals(037, st.permissions());
            assertEquals(123, st.uid());
            assertEquals(4567, st.gid());
            assertTrue(st.isRegularFile());
            posix.ftruncate(fd, 4);
            posix.fdatasync(fd);
            assertEquals(4, posix.lstat(p).size());
        } finally {
            posix.close(fd);
        }
    }

    @Test
    void directFileOnRealDiskUsesDiscoveredAlignmentAndExactLength() throws Exception {
        String p = dir.resolve("direct").toString();
        byte[] data = new byte[3 * 4096 + 123];
        new Random(1).nextBytes(data);
        try (DirectFile f = DirectFile.open(posix, p, EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.CREATE, OpenFlag.EXCLUSIVE), 0600)) {
            assertTrue(f.isDirect(), "ext4 accepts O_DIRECT");
            assertTrue(f.alignment() >= 512 && Integer.bitCount(f.alignment()) == 1, "alignment " + f.alignment());
            ByteBuffer b = f.allocateBuffer(data.length);
            b.put(data).flip();
            f.writeAt(b, 0);
            f.finish(data.length);
            ByteBuffer r = f.allocateBuffer(data.length);
            int n = f.readAt(r, 0);
            assertEquals(data.length, n);
            byte[] got = new byte[data.length];
            r.flip().get(got);
            assertArrayEquals(data, got);
        }
        assertArrayEquals(data, Files.readAllBytes(Path.of(p)));
        NativeIoException e = assertThrows(NativeIoException.class, () -> {
            int fd = posix.open(p, EnumSet.of(OpenFlag.READ_ONLY, OpenFlag.DIRECT), 0);
            try {
                ByteBuffer unaligned = AlignedBuffers.allocate(8192, 4096);
                unaligned.position(1).limit(4097);
                posix.pread(fd, unaligned, 0);
            } finally {
                posix.close(fd);
            }
        });
        assertEquals(Errno.EINVAL, e.errno(), "the kernel refuses unaligned O_DIRECT buffers");
    }

    @Test
    void tmpfsRefusesODirectAndFallsBackToBuffered() throws Exception {
        Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm) || posix.statvfs("/dev/shm").blockSize() == 0) {
            return;
        }
        Path p = Files.createTempFile(shm, "afsdr-direct", ".bin");
        try {
            try (DirectFile f = DirectFile.open(posix, p.toString(), EnumSet.of(OpenFlag.READ_WRITE), 0)) {
                ByteBuffer b = f.allocateBuffer(5);
                b.put(new byte[] {1, 2, 3, 4, 5}).flip();
                f.writeAt(b, 0);
                f.finish(5);
                if (!f.isDirect()) {
                    assertEquals(1, f.alignment());
                }
            }
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, Files.readAllBytes(p));
        } finally {
            Files.deleteIfExists(p);
        }
    }

    @Test
    void statvfsLinkRenameMkdirAndLocks() throws Exception {
        FsStat fs = posix.statvfs(dir.toString());
        assertTrue(fs.totalBytes() > 0 && fs.availableBytes() <= fs.freeBytes());
        String a = dir.resolve("a").toString();
        String b = dir.resolve("b").toString();
        String c = dir.resolve("c").toString();
        posix.close(posix.open(a, EnumSet.of(OpenFlag.WRITE_ONLY, OpenFlag.CREATE), 0644));
        posix.link(a, b);
        assertEquals(2, posix.lstat(a).nlink());
        assertEquals(Errno.EEXIST, assertThrows(NativeIoException.class, () -> posix.link(a, b)).errno());
        posix.rename(b, c);
        posix.unlink(a);
        assertEquals(1, posix.lstat(c).nlink());
        String d = dir.resolve("d").toString();
        posix.mkdir(d, 0700);
        assertTrue(posix.lstat(d).isDirectory());
        assertEquals(0700, posix.lstat(d).permissions());
        posix.fsyncDirectory(d);
        posix.rmdir(d);
        int fd = posix.open(c, EnumSet.of(OpenFlag.READ_WRITE), 0);
        try {
            assertTrue(posix.lockRange(fd, true, 8, 2, false));
            posix.unlockRange(fd, 8, 2);
            assertTrue(posix.flock(fd, true, false));
            posix.funlock(fd);
        } finally {
            posix.close(fd);
        }
        assertFalse(Files.exists(Path.of(d)));
    }
    @Test
    void alignmentIsProbedWhenStatxDoesNotReportIt() throws Exception {
        String p = dir.resolve("probe").toString();
        java.nio.file.Files.write(Path.of(p), new byte[8192]);
        // a kernel without STATX_DIOALIGN on a device with 2048-byte logical blocks
        Posix old = (Posix) java.lang.reflect.Proxy.newProxyInstance(Posix.class.getClassLoader(),
            new Class<?>[] {Posix.class}, (proxy, m, args) -> {
                if (m.isDefault()) {
                    return java.lang.reflect.InvocationHandler.invokeDefault(proxy, m, args);
                }
                if (m.getName().equals("fstat")) {
                    FileStat st = posix.fstat((Integer) args[0]);
                    return new FileStat(st.ino(), st.size(), st.blocks(), st.mode(), st.uid(), st.gid(), st.nlink(),
                        st.mtimeSeconds(), 0, 0);
                }
                if (m.getName().equals("pread") && ((ByteBuffer) args[1]).remaining() < 2048) {
                    throw new NativeIoException("pread", "fd " + args[0], Errno.EINVAL);
                }
                try {
                    return m.invoke(posix, args);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        try (DirectFile f = DirectFile.open(old, p, EnumSet.of(OpenFlag.READ_ONLY), 0)) {
            assertTrue(f.isDirect());
            assertEquals(2048, f.alignment());
        }
        // an empty file cannot be probed: the filesystem block size is used
        String e = dir.resolve("empty").toString();
        java.nio.file.Files.write(Path.of(e), new byte[0]);
        try (DirectFile f = DirectFile.open(old, e, EnumSet.of(OpenFlag.READ_ONLY), 0)) {
            assertEquals(posix.statvfs(e).blockSize(), f.alignment());
        }
    }
}
