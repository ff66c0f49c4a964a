package afsdr.volser.dump;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Optional;

import afsdr.nativeio.Errno;
import afsdr.nativeio.NativeIoException;
import afsdr.nativeio.OpenFlag;
import afsdr.nativeio.Posix;
import afsdr.partition.NameiPartition;
import afsdr.partition.VolumeHeader;
import afsdr.partition.VolumeDiskData;

/**
 * The one-record journal of an atomic restore, a file {@code .afsdr-restore-<target id>} at the
 * partition root (ignored by OpenAFS tools, which only look at {@code V*.vol} and
 * {@code AFSIDat}). It records the target, the staging volume and the phase:
 * <ul>
 * <li>{@link Phase#STAGING}: the staging volume may exist and is garbage; the target is intact.
 * Recovery deletes the staging volume.</li>
 * <li>{@link Phase#COMMIT}: the stream was complete and applied to the staging volume; the target
 * must become its copy. The final volume info of the target is part of the record, so recovery
 * can redo the (idempotent) copy without the stream. (Staging id 0, the stream applied to the
 * target itself, was written by FRESH restores before session 7; recovery still completes it.)</li>
 * <li>{@link Phase#FRESH}: the target had no vnodes and index files of no slots, and the stream is
 * being applied to it directly; recovery removes every vnode of the target again and puts back the
 * volume info the record carries (the target's before the restore). The restore's last step, the
 * record's removal, is its commit point.</li>
 * </ul>
 * STAGING and COMMIT records are written in full, fsync'd, renamed over the old one, and the
 * partition directory fsync'd: such a journal is one complete record or absent. A FRESH record is
 * written the same way without the syncs ({@link #writeVolatile}): the restore's first syncfs, which
 * precedes any index record it writes, makes it durable; a power failure before that can leave the
 * file empty or zero-filled, which {@link #read} takes for "never written" (nothing of that restore
 * reached an index then).
 *
 * <pre>
 *  0 magic "AFSDRRJ1"  8 phase (1 STAGING, 2 COMMIT, 3 FRESH)  12 target id  16 staging id (0: none)
 * 20 VolumeDiskData (552 bytes: COMMIT the final one, FRESH the one before; zeros otherwise)
 * </pre>
 */
final class RestoreJournal {
    enum Phase { STAGING, COMMIT, FRESH }

    /** {@code info}: COMMIT, the target's final volume info; FRESH, the one it had before (null: not recorded). */
    record Entry(Phase phase, int targetId, int stagingId, VolumeDiskData info) {
    }

    private static final long MAGIC = 0x4146534452524a31L; // "AFSDRRJ1"
    private static final int SIZE = 20 + VolumeDiskData.SIZE;
    static final String PREFIX = ".afsdr-restore-";

    private RestoreJournal() {
    }

    static String path(NameiPartition p, int targetId) {
        return p.path().resolve(fileName(targetId)).toString();
    }

    private static String fileName(int targetId) {
        return PREFIX + VolumeHeader.tenDigits(targetId);
    }

    static void write(NameiPartition p, Entry e) throws IOException {
        p.replaceRootFile(fileName(e.targetId()), encode(e), 0600, true);
    }

    /** A FRESH record, not synced (see the class comment). */
    static void writeVolatile(NameiPartition p, Entry e) throws IOException {
        if (e.phase() != Phase.FRESH) {
            throw new IllegalArgumentException("only a FRESH record may be written without syncs: " + e.phase());
        }
        p.replaceRootFile(fileName(e.targetId()), encode(e), 0600, false);
    }

    private static ByteBuffer encode(Entry e) {
        ByteBuffer b = ByteBuffer.allocateDirect(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, MAGIC).putInt(8, e.phase().ordinal() + 1).putInt(12, e.targetId())
            .putInt(16, e.stagingId());
        if (e.info() != null) {
            b.put(20, e.info().encode());
        }
        return b;
    }

    static Optional<Entry> read(NameiPartition p, int targetId) throws IOException {
        Posix posix = p.posix();
        String fin = path(p, targetId);
        int fd;
        try {
            fd = posix.open(fin, EnumSet.of(OpenFlag.READ_ONLY, OpenFlag.CLOEXEC, OpenFlag.NOFOLLOW), 0);
        } catch (NativeIoException ex) {
            if (ex.errno() == Errno.ENOENT) {
                return Optional.empty();
            }
            throw ex;
        }
        ByteBuffer b = ByteBuffer.allocateDirect(SIZE + 1).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int n = posix.preadFully(fd, b, 0);
            if (neverWritten(b, n)) {
                // a FRESH record a power failure caught before any sync: nothing followed it
                return Optional.empty();
            }
            if (n != SIZE || b.getLong(0) != MAGIC) {
                throw new IOException(fin + ": not a restore journal (" + n + " bytes)");
            }
        } finally {
            posix.close(fd);
        }
        int phase = b.getInt(8);
        int target = b.getInt(12);
        int staging = b.getInt(16);
        if (target != targetId || phase < 1 || phase > Phase.values().length) {
            throw new IOException(fin + ": corrupt restore journal (phase " + phase + ", target "
                + Integer.toUnsignedString(target) + ")");
        }
        VolumeDiskData info = null;
        if (phase == 2 || (phase == 3 && !allZero(b, 20, SIZE))) {
            byte[] raw = new byte[VolumeDiskData.SIZE];
            b.get(20, raw);
            info = VolumeDiskData.decode(raw, fin, Integer.toUnsignedLong(targetId));
        }
        return Optional.of(new Entry(Phase.values()[phase - 1], target, staging, info));
    }

    /** An empty or all-zero file: a record whose data never reached the disk. */
    private static boolean neverWritten(ByteBuffer b, int n) {
        return n <= SIZE && allZero(b, 0, n);
    }

    private static boolean allZero(ByteBuffer b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    static void remove(NameiPartition p, int targetId) throws IOException {
        try {
            p.posix().unlink(path(p, targetId));
        } catch (NativeIoException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
        p.posix().fsyncDirectory(p.path().toString());
    }
}
