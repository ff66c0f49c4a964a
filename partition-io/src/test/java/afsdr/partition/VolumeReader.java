package afsdr.partition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import afsdr.partition.dir.AfsDirectory;
import afsdr.partition.dir.DirEntry;

/** Walks a volume's name space from the root and collects what a reader sees, for comparisons. */
final class VolumeReader {
    final Map<String, byte[]> files = new LinkedHashMap<>();
    final Map<String, String> links = new LinkedHashMap<>();
    final Map<String, AccessList> dirs = new LinkedHashMap<>();
    /** vnode -> number of directory entries naming it (for link count checks). */
    final Map<Integer, Integer> references = new LinkedHashMap<>();

    static VolumeReader read(Volume v) throws IOException {
        VolumeReader r = new VolumeReader();
        r.walk(v, 1, "", 1);
        return r;
    }

    private void walk(Volume v, int dirVnode, String path, int parentVnode) throws IOException {
        VnodeDiskObject dv = v.readVnode(dirVnode);
        dirs.put(path.isEmpty() ? "" : path.substring(0, path.length() - 1), v.readAcl(dirVnode));
        AfsDirectory d = v.readDirectory(dirVnode);
        int subdirs = 0;
        for (DirEntry e : d.entries()) {
            if (e.name().equals(".")) {
                check(e.vnode() == dirVnode, "'.' of " + path);
                continue;
            }
            if (e.name().equals("..")) {
                check(e.vnode() == parentVnode, "'..' of " + path);
                continue;
            }
            check(e.vnode() > 0 && e.vnode() < NameiInode.VNODE_MASK, path + e.name() + " names vnode " + e.vnode());
            VnodeDiskObject c = v.readVnode(e.vnode());
            check(!c.isFree(), path + e.name() + " names free vnode " + e.vnode());
            check(c.uniquifier() == e.unique(), path + e.name() + " uniquifier");
            check(c.parent() == dirVnode, path + e.name() + " parent field " + c.parent());
            references.merge(e.vnode(), 1, Integer::sum);
            switch (c.type()) {
                case VnodeDiskObject.TYPE_FILE -> files.put(path + e.name(), v.readData(e.vnode(), c));
                case VnodeDiskObject.TYPE_SYMLINK -> links.put(path + e.name(),
                    new String(v.readData(e.vnode(), c), StandardCharsets.UTF_8));
                case VnodeDiskObject.TYPE_DIRECTORY -> {
                    subdirs++;
                    walk(v, e.vnode(), path + e.name() + "/", dirVnode);
                }
                default -> throw new IOException("bad type " + c.type());
            }
            if (c.type() != VnodeDiskObject.TYPE_DIRECTORY) {
                check(c.linkCount() == 1, path + e.name() + " link count " + c.linkCount());
            }
        }
        check(dv.linkCount() == 2 + subdirs, path + " link count " + dv.linkCount() + " with " + subdirs + " subdirs");
    }

    private static void check(boolean ok, String what) throws IOException {
        if (!ok) {
            throw new IOException("inconsistent volume: " + what);
        }
    }
}
