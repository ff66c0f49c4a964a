package afsdr.volser.dump;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

import afsdr.nativeio.JnrPosix;
import afsdr.nativeio.Posix;
import afsdr.partition.NameiPartition;
import afsdr.partition.VolumeDiskData;
import afsdr.volser.wire.RestoreCookie;

/**
 * Child process of {@link RestoreCrashTest}: restores a dump file into a volume with every pwrite
 * slowed down, so that the parent's SIGKILL can land at any point of the restore. Prints "ready" first and "done"
 * at the end.
 */
public final class RestoreCrashChild {
    private RestoreCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path pdir = Path.of(args[0]);
        int volumeId = Integer.parseUnsignedInt(args[1]);
        Path dump = Path.of(args[2]);
        // Every pwrite is slowed down so that kills also land inside the short commit phase.
        Posix real = JnrPosix.get();
        Posix slow = (Posix) Proxy.newProxyInstance(Posix.class.getClassLoader(), new Class<?>[] {Posix.class},
            (proxy, m, a) -> {
                if (m.getName().equals("pwrite")) {
                    Thread.sleep(3);
                }
                try {
                    return m.invoke(real, a);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        NameiPartition p = NameiPartition.open(slow, pdir, "/vicepa");
        System.out.println("ready");
        System.out.flush();
        try (InputStream in = Files.newInputStream(dump)) {
            VolumeRestorer.restore(p, volumeId, new RestoreCookie("t.crash", VolumeDiskData.RW, 0, 0), false, in);
        }
        System.out.println("done");
    }
}
