package afsdr.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import afsdr.nativeio.JnrPosix;
import afsdr.nativeio.OpenFlag;
import afsdr.nativeio.Posix;
import afsdr.realcell.RealDiskTempDirs;

/**
 * The durability order of create, clone and reclone checked against a model of the page cache
 * (what a power failure would lose), now that their files are synced in groups ({@link SyncGroup}):
 * every libc call goes through a recording {@link Posix}; a create, write or truncate makes a file
 * volatile, and so does a create, mkdir or link its directory; fdatasync/fsync of a descriptor,
 * fsyncDirectory of a directory or a syncfs make them durable again (sync_file_range makes nothing
 * durable). Checked:
 * <ul>
 * <li>when a volume header is linked to its {@code V%010u.vol} name (the moment a volume exists):
 * nothing under {@code AFSIDat} and not the header's own content is volatile;</li>
 * <li>when a clone's index is written by a reclone (the clone then names the source's files): the
 * link table and the source's indexes (the cloned bits) are durable.</li>
 * </ul>
 */
class PartitionSyncOrderTest {
    private static final int RW = 536870912;
    private static final int CLONE = 536870913;

    @TempDir(factory = RealDiskTempDirs.class)
    Path tmp;

    /** The recording Posix. */
    static final class CacheModel implements InvocationHandler {
        final Posix real = JnrPosix.get();
        final Map<Integer, String> fdPath = new HashMap<>();
        final Set<String> volatilePaths = new TreeSet<>();
        final List<String> violations = new ArrayList<>();
        /** Files that must be durable before any write to a file whose path ends as {@link #guardedSuffix}. */
        Set<String> mustBeDurableBeforeGuardedWrite = Set.of();
        String guardedSuffix;
        int headersPublished;
        int writebacksStarted;

        Posix posix() {
            return (Posix) Proxy.newProxyInstance(Posix.class.getClassLoader(), new Class<?>[] {Posix.class}, this);
        }

        private static String parent(String p) {
            return p.substring(0, p.lastIndexOf('/'));
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object invoke(Object proxy, Method m, Object[] a) throws Throwable {
            switch (m.getName()) {
                case "pwrite", "pwriteFully", "ftruncate" -> {
                    String p = fdPath.get((Integer) a[0]);
                    if (guardedSuffix != null && p.endsWith(guardedSuffix)) {
                        for (String q : mustBeDurableBeforeGuardedWrite) {
                            if (volatilePaths.contains(q)) {
                                violations.add("write to " + p + " while " + q + " is volatile");
                            }
                        }
                    }
                    volatilePaths.add(p);
                }
                case "fdatasync", "fsync" -> volatilePaths.remove(fdPath.get((Integer) a[0]));
                case "fsyncDirectory" -> volatilePaths.remove((String) a[0]);
                case "syncfs" -> volatilePaths.clear();
                case "startWriteback" -> writebacksStarted++;
                // an unlink lost in a power failure brings back a file nothing names (a leak the
                // design accepts), so it does not make its directory volatile here
                case "unlink" -> volatilePaths.remove((String) a[0]);
                case "link" -> {
                    String to = (String) a[1];
                    if (to.matches(".*/V\\d{10}\\.vol")) {
                        headersPublished++;
                        for (String p : volatilePaths) {
                            // AFSIDat/README is for people; nothing names it
                            if ((p.contains("/AFSIDat") && !p.endsWith("/AFSIDat/README")) || p.equals(a[0])) {
                                violations.add("header " + to + " linked while " + p + " is volatile");
                            }
                        }
                    }
                    volatilePaths.add(parent(to));
                }
                default -> {
                    // other calls change nothing the model tracks
                }
            }
            Object r;
            try {
                r = m.invoke(real, a);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            switch (m.getName()) {
                case "open" -> {
                    String p = (String) a[0];
                    fdPath.put((Integer) r, p);
                    if (((Set<OpenFlag>) a[1]).contains(OpenFlag.CREATE)) {
                        volatilePaths.add(p);
                        volatilePaths.add(parent(p));
                    }
                }
                case "close" -> fdPath.remove((Integer) a[0]);
                case "mkdir" -> volatilePaths.add(parent((String) a[0]));
                default -> {
                }
            }
            return r;
        }
    }

    private NameiPartition partition(CacheModel model, Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("AlwaysAttach"), "");
        return NameiPartition.open(model.posix(), dir, "/vicepa");
    }

    @Test
    void aVolumeAppearsOnlyWhenEverythingItNamesIsDurable() throws Exception {
        CacheModel model = new CacheModel();
        NameiPartition p = partition(model, tmp.resolve("vicepa"));
        // create (a new group: link table made), then a volume with files, then its clone
        p.createVolume(RW + 10, RW + 10, d -> d.name("t.empty")).close();
        new TestVolumes().fill(p, RW, "t.order", 40, 7).close();
        p.cloneVolume(RW, CLONE, d -> d.name("t.order.readonly").type(VolumeDiskData.RO)).close();
        // a second create in an existing group (link table row 0 incremented, not created)
        p.cloneVolume(RW + 10, RW + 11, null).close();
        assertEquals(List.of(), model.violations);
        assertTrue(model.headersPublished >= 4, "headers published: " + model.headersPublished);
        assertTrue(model.writebacksStarted > 0, "files were synced in groups");
    }

    @Test
    void aRecloneNamesSharedFilesOnlyAfterTheirCountsAndClonedBitsAreDurable() throws Exception {
        CacheModel model = new CacheModel();
        NameiPartition p = partition(model, tmp.resolve("vicepa"));
        TestVolumes tv = new TestVolumes();
        tv.fill(p, RW, "t.order", 40, 7).close();
        p.cloneVolume(RW, CLONE, d -> d.name("t.order.backup").type(VolumeDiskData.BK)).close();
        try (Volume v = p.openVolume(RW)) {
            VolumeTree t = new VolumeTree(v);
            t.createFile(1, "new-after-clone", new byte[] {1, 2, 3});
            t.mkdir(1, "dir-after-clone", TestVolumes.OPEN_ACL);
            t.flush();
        }
        VolumeHeader sh = p.readHeader(RW);
        VolumeHeader ch = p.readHeader(CLONE);
        String large = p.specialPath(ch.parent(), ch.largeVnodeIndex());
        model.guardedSuffix = large.substring(large.lastIndexOf('/'));
        model.mustBeDurableBeforeGuardedWrite = Set.of(p.specialPath(sh.parent(), sh.linkTable()),
            p.specialPath(sh.parent(), sh.largeVnodeIndex()), p.specialPath(sh.parent(), sh.smallVnodeIndex()));
        int before = model.violations.size();
        p.recloneVolume(RW, CLONE, null);
        assertEquals(List.of(), model.violations.subList(before, model.violations.size()));
        try (Volume c = p.openVolume(CLONE)) {
            assertTrue(new VolumeTree(c).lookup(1, "new-after-clone").isPresent(), "the reclone took the new file");
        }
    }
}
