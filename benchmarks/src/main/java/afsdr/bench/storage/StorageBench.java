package afsdr.bench.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import afsdr.nativeio.DirectFile;
import afsdr.nativeio.JnrPosix;
import afsdr.nativeio.OpenFlag;
import afsdr.nativeio.Posix;
import afsdr.partition.NameiPartition;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeTree;

/**
 * Storage figures (not a test): sequential large-file write and read through partition-io
 * (O_DIRECT, 1 MiB transfers) against {@code dd oflag=direct / iflag=direct} on the same
 * filesystem, and the rate of 4 KiB file creation in a volume. Prints medians of several runs.
 *
 * <pre>java -cp ... afsdr.bench.storage.StorageBench [dir on the disk to measure] [MiB, 0 = skip] [runs]</pre>
 */
public final class StorageBench {
    private StorageBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/var/tmp/afsdr-storage-bench").toAbsolutePath();
        int mib = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Files.createDirectories(dir);
        Posix posix = JnrPosix.get();
        long bytes = (long) mib << 20;
        System.out.printf("dir %s, file %d MiB, %d runs, filesystem block %d%n", dir, mib, runs,
            posix.statvfs(dir.toString()).blockSize());
        try {
            List<Double> ddW = new ArrayList<>();
            List<Double> ddR = new ArrayList<>();
            List<Double> rawW = new ArrayList<>();
            List<Double> volW = new ArrayList<>();
            List<Double> volR = new ArrayList<>();
            Path ddFile = dir.resolve("dd.bin");
            for (int i = 0; i < runs && mib > 0; i++) {
                ddW.add(mib / dd("if=/dev/zero", "of=" + ddFile, "bs=1M", "count=" + mib, "oflag=direct",
                    "conv=fdatasync"));
                double t = dd("if=" + ddFile, "of=/dev/null", "bs=1M", "iflag=direct");
                ddR.add(mib / t);
                Files.delete(ddFile);
                rawW.add(mib / rawDirectWrite(posix, dir.resolve("raw.bin"), bytes));
                Files.delete(dir.resolve("raw.bin"));
                double[] v = volumeWriteRead(posix, dir.resolve("vicepa"), bytes);
                volW.add(mib / v[0]);
                volR.add(mib / v[1]);
            }
            if (mib > 0) {
                System.out.printf("sequential write  dd oflag=direct bs=1M conv=fdatasync : %8.1f MiB/s%n", median(ddW));
                System.out.printf("sequential write  DirectFile 1 MiB pwrite + fdatasync  : %8.1f MiB/s (%.0f %% of dd)%n",
                    median(rawW), 100 * median(rawW) / median(ddW));
                System.out.printf("sequential write  Volume.createDataFile (namei file)   : %8.1f MiB/s (%.0f %% of dd)%n",
                    median(volW), 100 * median(volW) / median(ddW));
                System.out.printf("sequential read   dd iflag=direct bs=1M                : %8.1f MiB/s%n", median(ddR));
                System.out.printf("sequential read   Volume.openData stream (O_DIRECT)    : %8.1f MiB/s (%.0f %% of dd)%n",
                    median(volR), 100 * median(volR) / median(ddR));
            }
            for (int batch : new int[] {1, 100}) {
                List<Double> rate = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    rate.add(smallFiles(posix, dir.resolve("vicepb"), 1000, batch));
                }
                System.out.printf("4 KiB file creation (directory flushed every %3d files): %8.0f files/s%n", batch,
                    median(rate));
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static double median(List<Double> l) {
        List<Double> s = new ArrayList<>(l);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    /** Runs dd, returns its wall time in seconds. */
    private static double dd(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("dd");
        cmd.add("status=none");
        cmd.addAll(List.of(args));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("dd failed: " + out);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double rawDirectWrite(Posix posix, Path f, long bytes) throws IOException {
        long t0 = System.nanoTime();
        try (DirectFile df = DirectFile.open(posix, f.toString(),
            EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.CREATE, OpenFlag.EXCLUSIVE), 0600)) {
            if (!df.isDirect()) {
                System.out.println("(filesystem refused O_DIRECT: buffered)");
            }
            ByteBuffer b = df.allocateBuffer(1 << 20);
            fill(b);
            for (long off = 0; off < bytes; off += 1 << 20) {
                b.clear();
                df.writeAt(b, off);
            }
            df.finish(bytes);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void fill(ByteBuffer b) {
        byte[] r = new byte[b.capacity()];
        new Random(1).nextBytes(r);
        b.clear();
        b.put(r);
        b.flip();
    }

    /** A source of {@code bytes} pseudo-random bytes that costs next to nothing per byte. */
    private static ReadableByteChannel source(long bytes) {
        byte[] block = new byte[1 << 20];
        new Random(2).nextBytes(block);
        return new ReadableByteChannel() {
            long left = bytes;
            int pos;

            @Override
            public int read(ByteBuffer dst) {
                if (left == 0) {
                    return -1;
                }
                int n = (int) Math.min(Math.min(dst.remaining(), left), block.length - pos);
                dst.put(block, pos, n);
                pos = (pos + n) % block.length;
                left -= n;
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    /** Write then read one large file through a volume; returns {write s, read s}. */
    private static double[] volumeWriteRead(Posix posix, Path pdir, long bytes) throws IOException {
        Files.createDirectories(pdir);
        NameiPartition part = NameiPartition.open(posix, pdir, "/vicepa");
        int vid = 536870912;
        double w;
        double r;
        try (Volume v = VolumeTree.createVolumeWithRoot(part, vid, vid, "bench", VolumeDiskData.RW)) {
            VolumeTree t = new VolumeTree(v);
            long t0 = System.nanoTime();
            int vn = t.createFile(1, "big", source(bytes), bytes, 0644);
            t.flush(); // the file is durable (and named) only after the flush: it belongs in the time
            w = (System.nanoTime() - t0) / 1e9;
            // written with O_DIRECT and read with O_DIRECT: no page cache on either side, as for dd
            t0 = System.nanoTime();
            long n = 0;
            byte[] buf = new byte[1 << 20];
            try (InputStream in = v.openData(vn, v.readVnode(vn))) {
                int k;
                while ((k = in.read(buf)) > 0) {
                    n += k;
                }
            }
            r = (System.nanoTime() - t0) / 1e9;
            if (n != bytes) {
                throw new IOException("read " + n + " of " + bytes);
            }
        }
        part.deleteVolume(vid);
        return new double[] {w, r};
    }

    private static double smallFiles(Posix posix, Path pdir, int count, int batch) throws IOException {
        Files.createDirectories(pdir);
        NameiPartition part = NameiPartition.open(posix, pdir, "/vicepb");
        int vid = 536870999;
        byte[] data = new byte[4096];
        new Random(3).nextBytes(data);
        double rate;
        try (Volume v = VolumeTree.createVolumeWithRoot(part, vid, vid, "bench.small", VolumeDiskData.RW)) {
            VolumeTree t = new VolumeTree(v);
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                t.createFile(1, "file" + i, data);
                if ((i + 1) % batch == 0) {
                    t.flush();
                }
            }
            t.flush();
            rate = count / ((System.nanoTime() - t0) / 1e9);
        }
        part.deleteVolume(vid);
        return rate;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(s.toList());
            Collections.reverse(all);
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
    }
}
