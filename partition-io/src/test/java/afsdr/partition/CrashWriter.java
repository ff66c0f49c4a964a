package afsdr.partition;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import afsdr.nativeio.JnrPosix;

/**
 * Child process of {@link CrashTest}: edits volume {@code args[1]} on partition {@code args[0]}
 * without end (files of random sizes, directories, removals, a clone made and deleted) until it is
 * killed with SIGKILL. Seeded by {@code args[2]}.
 */
public final class CrashWriter {
    private CrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        NameiPartition part = NameiPartition.open(JnrPosix.get(), Path.of(args[0]), "/vicepa");
        int vid = Integer.parseInt(args[1]);
        Random r = new Random(Long.parseLong(args[2]));
        int clone = vid + 1;
        String run = Integer.toHexString(args[2].hashCode()); // names unique across rounds
        System.out.println("ready");
        System.out.flush();
        for (long op = 0; ; op++) {
            int what = r.nextInt(10);
            if (what == 0) {
                if (part.volumeExists(clone)) {
                    part.deleteVolume(clone);
                } else {
                    part.cloneVolume(vid, clone, d -> d.type(VolumeDiskData.BK).name("crash.backup").destroyMe(0)).close();
                }
                continue;
            }
            try (Volume v = part.openVolume(vid)) {
                VolumeTree t = new VolumeTree(v);
                List<String> names = new ArrayList<>();
                v.readDirectory(1).entries().forEach(e -> names.add(e.name()));
                names.remove(".");
                names.remove("..");
                if (what <= 5 || names.isEmpty()) {
                    byte[] data = new byte[r.nextInt(4) == 0 ? r.nextInt(3 << 20) : r.nextInt(9000)];
                    r.nextBytes(data);
                    t.createFile(1, "f" + run + "-" + op, data);
                } else if (what <= 7) {
                    int d = t.mkdir(1, "d" + run + "-" + op, null);
                    for (int i = 0; i < 1 + r.nextInt(60); i++) {
                        t.createFile(d, "n" + i + "-" + "x".repeat(r.nextInt(100)), new byte[r.nextInt(3000)]);
                    }
                } else {
                    String victim = names.get(r.nextInt(names.size()));
                    int vn = t.lookup(1, victim).orElseThrow().vnode();
                    if (VnodeClass.of(vn) == VnodeClass.LARGE) {
                        for (var e : v.readDirectory(vn).entries()) {
                            if (!e.name().equals(".") && !e.name().equals("..")) {
                                t.remove(vn, e.name());
                            }
                        }
                    }
                    t.remove(1, victim);
                }
                t.flush();
            }
        }
    }
}
