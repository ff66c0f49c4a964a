package afsdr.partition;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import afsdr.nativeio.NativeIoException;
import afsdr.nativeio.Posix;

/**
 * Files (and directories) that must all be durable before the next step of an update, made
 * durable together: {@link #sync()} starts the writeback of every file first and only then calls
 * fdatasync on each, then fsyncs the directories.
 *
 * <p>Why: on ext4 an fdatasync of a newly written file forces a journal commit (its blocks are
 * allocated when its writeback starts, a change of the running transaction). Synced one after
 * another, N files cost N commits; with every writeback started first, all allocations land in one
 * transaction, the first fdatasync commits it and the others find nothing left to commit. Measured
 * with {@code afsdr.bench.storage.SyncGroupBench} on a loop-mounted ext4 image (2-core VM), new
 * 552-byte files and their directory: 4 files 4.14 ms one by one, 2.24 ms grouped; 8 files 7.26
 * against 2.56 ms; a single file 1.1 ms either way.
 *
 * <p>Each file still gets its own fdatasync, so the guarantee is the same as syncing them one by
 * one, on any file system; only the order among the members is given up, which is why only files
 * whose relative order does not matter may share a group. Descriptors handed over with
 * {@link #addOwned} are closed by {@link #close}, after the sync or on a failure path.
 */
public final class SyncGroup implements AutoCloseable {
    private final Posix posix;
    private final List<Integer> fds = new ArrayList<>();
    /** What {@link #close} closes: owned descriptors and link tables, in the order handed over. */
    private final List<Owned> owned = new ArrayList<>();
    private final Set<String> directories = new LinkedHashSet<>();

    @FunctionalInterface
    private interface Owned {
        void close() throws NativeIoException;
    }

    public SyncGroup(Posix posix) {
        this.posix = posix;
    }

    /** A descriptor to sync; the caller keeps it open until {@link #sync} and closes it. */
    public SyncGroup add(int fd) {
        fds.add(fd);
        return this;
    }

    public SyncGroup add(VnodeIndex index) {
        return add(index.fd());
    }

    public SyncGroup add(LinkTable table) {
        return add(table.fd());
    }

    /** The volume's volume info file (VI_VOLINFO). */
    public SyncGroup addVolumeInfo(Volume v) {
        return add(v.volumeInfoFd());
    }

    /** A descriptor to sync and then close (also closed, unsynced, if the group is abandoned). */
    SyncGroup addOwned(int fd) {
        owned.add(() -> posix.close(fd));
        return add(fd);
    }

    /** A link table to sync and then close, as {@link #addOwned}. */
    SyncGroup addOwned(LinkTable table) {
        owned.add(table::close);
        return add(table);
    }

    /** A directory whose entries (creates, links, unlinks in it) must be durable too. */
    public SyncGroup addDirectory(String dir) {
        directories.add(dir);
        return this;
    }

    /** Make every member durable; the group is empty afterwards (owned descriptors stay open until close). */
    public void sync() throws NativeIoException {
        if (fds.size() > 1) {
            for (int fd : fds) {
                try {
                    posix.startWriteback(fd);
                } catch (NativeIoException e) {
                    // only a head start: the fdatasync below reports whatever is really wrong
                }
            }
        }
        for (int fd : fds) {
            posix.fdatasync(fd);
        }
        for (String d : directories) {
            posix.fsyncDirectory(d);
        }
        fds.clear();
        directories.clear();
    }

    @Override
    public void close() throws NativeIoException {
        NativeIoException first = null;
        for (Owned o : owned) {
            try {
                o.close();
            } catch (NativeIoException e) {
                first = first == null ? e : first;
            }
        }
        owned.clear();
        if (first != null) {
            throw first;
        }
    }
}
