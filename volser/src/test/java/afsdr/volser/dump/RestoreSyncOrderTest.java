package afsdr.volser.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import afsdr.nativeio.JnrPosix;
import afsdr.nativeio.OpenFlag;
import afsdr.nativeio.Posix;
import afsdr.partition.FlipBase64;
import afsdr.partition.NameiInode;
import afsdr.partition.NameiPartition;
import afsdr.realcell.RealDiskTempDirs;
import afsdr.partition.VnodeClass;
import afsdr.partition.VnodeDiskObject;
import afsdr.partition.Volume;
import afsdr.partition.VolumeTree;
import afsdr.volser.wire.RestoreCookie;

/**
 * The durability order of a restore, checked against a model of the page cache (what a power
 * failure would lose), not only against SIGKILL as {@link RestoreCrashTest} does. Every libc call of
 * the restore goes through a recording {@link Posix}; writes make a file (or a link table row)
 * volatile, fdatasync/fsync of its descriptor or a syncfs make it durable. Checked at every instant:
 * <ul>
 * <li>an index record written to disk that names a data file: that file (created, written) is
 * durable and the durable link count of its (vnode, tag) is at least 1;</li>
 * <li>any index record written while a journal file exists: the journal (content and name) is
 * durable, so that a crash finds the record that undoes it (the FRESH record is written without
 * syncs and must have become durable through the stream's first syncfs);</li>
 * <li>when the journal's COMMIT record is renamed into place (a staged restore's commit point) and
 * when the journal is removed (a FRESH restore's commit point, the end of a staged one): nothing
 * under AFSIDat is volatile, so recovery finds the complete staging volume and a committed FRESH
 * restore is whole.</li>
 * </ul>
 * Data files are written without a sync each and made durable in batches (syncfs); the test uses
 * batches of 3 records so that a small volume crosses many batch boundaries.
 */
class RestoreSyncOrderTest {
    static final int VID = 536870912;
    static final RestoreCookie COOKIE = new RestoreCookie("t.order", 0, 0, 0);

    @TempDir(factory = RealDiskTempDirs.class)
    Path tmp;

    /** The recording Posix: descriptors, volatile files and link table rows, violations found. */
    static final class CacheModel implements InvocationHandler {
        final Posix real = JnrPosix.get();
        final String root;
        final String dataRoot;
        final Map<Integer, String> fdPath = new HashMap<>();
        final Set<String> volatileFiles = new HashSet<>();
        /** Link table path -> row offset -> value written / value durable. */
        final Map<String, Map<Long, Integer>> rowsWritten = new HashMap<>();
        final Map<String, Map<Long, Integer>> rowsDurable = new HashMap<>();
        final List<String> violations = new ArrayList<>();
        final Set<String> volatileDirs = new HashSet<>();
        int syncfsCalls;
        int recordsNamingFiles;
        int commits;
        int journalRemovals;

        CacheModel(Path root) {
            this.root = root.toString();
            this.dataRoot = root.resolve("AFSIDat").toString();
        }

        Posix posix() {
            return (Posix) Proxy.newProxyInstance(Posix.class.getClassLoader(), new Class<?>[] {Posix.class}, this);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object invoke(Object proxy, Method m, Object[] a) throws Throwable {
            // a restore's calls come from its own thread, its writer thread and its committer
            // thread: the model's bookkeeping is serialized, the real calls are not
            synchronized (this) {
                before(m, a);
            }
            Object r;
            try {
                r = m.invoke(real, a);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            synchronized (this) {
                after(m, a, r);
            }
            return r;
        }

        private void before(Method m, Object[] a) throws java.io.IOException {
            switch (m.getName()) {
                // pwriteFully is a default method: the proxy sees it, the real one's pwrite calls are its own
                case "pwrite", "pwriteFully" -> {
                    String p = fdPath.get((Integer) a[0]);
                    beforeWrite(p, ((ByteBuffer) a[1]).duplicate(), (Long) a[2]);
                    volatileFiles.add(p);
                }
                case "ftruncate" -> volatileFiles.add(fdPath.get((Integer) a[0]));
                case "fdatasync", "fsync" -> durable(fdPath.get((Integer) a[0]));
                case "fsyncDirectory" -> volatileDirs.remove((String) a[0]);
                case "syncfs" -> {
                    syncfsCalls++;
                    for (String p : new ArrayList<>(volatileFiles)) {
                        durable(p);
                    }
                    for (String lt : rowsWritten.keySet()) {
                        durable(lt);
                    }
                    volatileDirs.clear();
                }
                case "rename" -> {
                    beforeRename((String) a[0], (String) a[1]);
                    // the content goes with the name; the new entry is volatile until its directory is synced
                    if (volatileFiles.remove((String) a[0])) {
                        volatileFiles.add((String) a[1]);
                    }
                    volatileDirs.add(root);
                }
                case "unlink" -> {
                    beforeUnlink((String) a[0]);
                    // what was not yet written of a removed file cannot be lost any more
                    volatileFiles.remove((String) a[0]);
                }
                default -> {
                    // other calls change nothing the model tracks
                }
            }
        }

        @SuppressWarnings("unchecked")
        private void after(Method m, Object[] a, Object r) {
            switch (m.getName()) {
                case "open" -> {
                    fdPath.put((Integer) r, (String) a[0]);
                    if (((Set<OpenFlag>) a[1]).contains(OpenFlag.CREATE)) {
                        volatileFiles.add((String) a[0]);
                    }
                }
                case "close" -> fdPath.remove((Integer) a[0]);
                default -> {
                }
            }
        }

        private void durable(String p) {
            volatileFiles.remove(p);
            Map<Long, Integer> w = rowsWritten.get(p);
            if (w != null) {
                rowsDurable.computeIfAbsent(p, k -> new HashMap<>()).putAll(w);
            }
        }

        private void beforeWrite(String p, ByteBuffer b, long off) {
            if (!p.contains("/special/")) {
                return;
            }
            // which special file: its name is the flipped-base64 special inode, whose tag is the type
            int type = NameiInode.tag(FlipBase64.decode(p.substring(p.lastIndexOf('/') + 1)));
            int n = b.remaining();
            if (type == NameiInode.VI_LINKTABLE) {
                // link table rows, one (LinkTable.adjust) or a span of them (LinkTable.adjustAll)
                b.order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k + 1 < n; k += 2) {
                    if (off + k >= 8) {
                        rowsWritten.computeIfAbsent(p, x -> new HashMap<>()).put(off + k,
                            b.getShort(b.position() + k) & 0xffff);
                    }
                }
                return;
            }
            VnodeClass c = type == NameiInode.VI_SMALLINDEX ? VnodeClass.SMALL
                : type == NameiInode.VI_LARGEINDEX ? VnodeClass.LARGE : null;
            if (c == null) {
                return; // volume info
            }
            int rs = c.recordSize();
            // one record (VnodeIndex.write) or a run of them (VnodeIndex.writeSlots); record 0 is the stamp
            for (int k = 0; k + rs <= n; k += rs) {
                if (off + k < rs) {
                    continue;
                }
                byte[] rec = new byte[rs];
                b.get(b.position() + k, rec);
                checkRecord(p, VnodeDiskObject.wrap(c, rec, 0));
            }
        }

        private void checkRecord(String p, VnodeDiskObject v) {
            String journal = root + "/" + RestoreJournal.PREFIX + afsdr.partition.VolumeHeader.tenDigits(VID);
            if (Files.exists(Path.of(journal)) && (volatileFiles.contains(journal) || volatileDirs.contains(root))) {
                violations.add("record written to " + p + " while the restore journal was not durable");
            }
            if (v.isFree() || v.inode() == 0) {
                return;
            }
            recordsNamingFiles++;
            String data = root + "/" + NameiInode.relativePath(VID, v.inode());
            if (volatileFiles.contains(data)) {
                violations.add("record naming " + data + " written to " + p + " before the file was durable");
            }
            int vn = NameiInode.vnode(v.inode());
            int tag = NameiInode.tag(v.inode());
            boolean counted = false;
            for (Map<Long, Integer> rows : rowsDurable.values()) {
                Integer row = rows.get(8L + 2L * vn);
                counted |= row != null && ((row >>> (3 * tag)) & 7) > 0;
            }
            if (!counted) {
                violations.add("record naming " + data + " written to " + p + " before its link count was durable");
            }
        }

        /** Removing the journal is the commit point of a FRESH restore (and the end of a staged one). */
        private void beforeUnlink(String path) {
            if (!path.contains(RestoreJournal.PREFIX) || path.endsWith(".tmp")) {
                return;
            }
            journalRemovals++;
            requireAllDurable("journal removed");
        }

        private void beforeRename(String from, String to) throws java.io.IOException {
            if (!to.contains(RestoreJournal.PREFIX)) {
                return;
            }
            byte[] j = Files.readAllBytes(Path.of(from));
            if (ByteBuffer.wrap(j).order(ByteOrder.LITTLE_ENDIAN).getInt(8) != 2) {
                return; // STAGING or FRESH
            }
            commits++;
            requireAllDurable("COMMIT record written");
        }

        /** At a commit point: nothing under AFSIDat and no link table row may be volatile. */
        private void requireAllDurable(String what) {
            for (String p : volatileFiles) {
                if (p.startsWith(dataRoot)) {
                    violations.add(what + " while " + p + " was not durable");
                }
            }
            for (Map.Entry<String, Map<Long, Integer>> e : rowsWritten.entrySet()) {
                if (!e.getValue().equals(rowsDurable.getOrDefault(e.getKey(), Map.of()))) {
                    violations.add(what + " while rows of " + e.getKey() + " were not durable");
                }
            }
        }
    }

    @Test
    void noRecordReachesTheDiskBeforeItsFileAndCountAndCommitFollowsEverything() throws Exception {
        NameiPartition srcp = DumpTestSupport.partition(tmp.resolve("src"));
        byte[] first;
        byte[] second;
        try (Volume src = DumpTestSupport.build(srcp, VID, "t.order", 5, 14, 300_000)) {
            first = VolumeDumpRestoreTest.dump(src, 0, true);
            VolumeTree t = new VolumeTree(src);
            t.remove(1, "small3");
            t.createFile(1, "later", new byte[7000]);
            t.flush();
            DumpTestSupport.rewrite(src, t.lookup(1, "big.bin").orElseThrow().vnode(), new byte[123_456]);
            second = VolumeDumpRestoreTest.dump(src, 0, true);

            Path pdir = tmp.resolve("vicepa");
            DumpTestSupport.partition(pdir);
            CacheModel model = new CacheModel(pdir);
            NameiPartition p = NameiPartition.open(model.posix(), pdir, "/vicepa");
            p.createVolume(VID, VID, d -> d.name("t.order")).close();
            // into an empty volume, then a full dump that replaces, adds and deletes
            VolumeRestorer.restore(p, VID, COOKIE, true, new ByteArrayInputStream(first), 3);
            VolumeRestorer.restore(p, VID, COOKIE, true, new ByteArrayInputStream(second), 3);

            assertEquals(List.of(), model.violations);
            // the second restore's COMMIT record; the first (into the empty volume) commits by
            // removing its FRESH record
            assertEquals(1, model.commits);
            assertEquals(2, model.journalRemovals);
            // 20-odd vnodes per stream in batches of 3: many syncfs, not one per file or one in all
            assertTrue(model.syncfsCalls >= 14, "syncfs calls: " + model.syncfsCalls);
            assertTrue(model.recordsNamingFiles > 40, "records checked: " + model.recordsNamingFiles);
            try (Volume v = p.openVolume(VID)) {
                DumpTestSupport.assertSameVnodes(src, v);
            }
        }
    }
}
