package afsdr.bench.dump;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import afsdr.nativeio.JnrPosix;
import afsdr.partition.NameiPartition;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.volser.dump.DumpHeader;
import afsdr.volser.dump.DumpReader;
import afsdr.volser.dump.DumpVnode;
import afsdr.volser.dump.DumpWriter;
import afsdr.volser.dump.VolumeDumper;
import afsdr.volser.dump.VolumeRestorer;
import afsdr.volser.wire.RestoreCookie;

/**
 * Throughput of the dump stream code on a dump like realcell's bench.sh (N files of 1 MiB of
 * pseudo-random data, default 200 = 200 MiB): prints MB/s (1 MB = 10^6 bytes) and CPU seconds of
 * the process for
 * <ol>
 * <li>write: DumpWriter, file data from in-memory streams -&gt; /dev/null (OutputStream.nullOutputStream)</li>
 * <li>parse: DumpReader, in-memory stream -&gt; consumer that reads and discards the data</li>
 * <li>restore: dump file on disk -&gt; VolumeRestorer into a new volume of a partition folder</li>
 * <li>dump: that volume -&gt; VolumeDumper -&gt; /dev/null</li>
 * </ol>
 * Not a test. Run on a quiet machine, as root (namei files are chown'ed):
 * <pre>java -cp ... afsdr.bench.dump.DumpBenchmark [files] [rounds] [work-dir]</pre>
 */
public final class DumpBenchmark {
    static final int FILE_SIZE = 1 << 20;

    public static void main(String[] args) throws Exception {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path work = Path.of(args.length > 2 ? args[2] : "target/dump-bench").toAbsolutePath();
        System.out.println("load average before: " + Files.readString(Path.of("/proc/loadavg")).trim());
        byte[] dump = makeDump(files);
        System.out.printf("dump of %d files x 1 MiB: %d bytes%n", files, dump.length);
        for (int r = 0; r < rounds; r++) {
            measure("write  memory -> /dev/null", dump.length, () -> writeAll(files, OutputStream.nullOutputStream()));
        }
        for (int r = 0; r < rounds; r++) {
            measure("parse  memory -> /dev/null", dump.length, () -> parse(new ByteArrayInputStream(dump)));
        }
        Files.createDirectories(work);
        Path file = work.resolve("bench.dump");
        Files.write(file, dump);
        for (int r = 0; r < rounds; r++) {
            Path pdir = work.resolve("vicepa");
            deleteTree(pdir);
            Files.createDirectories(pdir);
            Files.writeString(pdir.resolve("AlwaysAttach"), "");
            NameiPartition p = NameiPartition.open(JnrPosix.get(), pdir, "/vicepa");
            p.createVolume(536870912, 536870912, d -> d.name("bench").type(VolumeDiskData.RW)).close();
            measure("restore disk file -> partition", dump.length, () -> {
                try (InputStream in = Files.newInputStream(file)) {
                    VolumeRestorer.restore(p, 536870912, new RestoreCookie("bench", 0, 0, 0), false, in);
                }
            });
            measure("dump   partition -> /dev/null", dump.length, () -> {
                try (Volume v = p.openVolume(536870912)) {
                    VolumeDumper.dump(v, 0, OutputStream.nullOutputStream());
                }
            });
        }
        deleteTree(work);
        System.out.println("load average after: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    interface Job {
        void run() throws Exception;
    }

    static void measure(String what, long bytes, Job job) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        job.run();
        long wall = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - cpu0;
        System.out.printf("%-32s %8.1f MB/s  wall %6.3f s  CPU %6.3f s (%.2f CPU-s per 200 MiB)%n", what,
            bytes / (wall / 1e9) / 1e6, wall / 1e9, cpu / 1e9, cpu / 1e9 * (200.0 * (1 << 20)) / bytes);
    }

    static byte[] makeDump(int files) throws IOException {
        java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream(files * (FILE_SIZE + 200) + 4096);
        writeAll(files, bo);
        return bo.toByteArray();
    }

    /** Root directory vnode 1 (a real directory is not needed to measure the stream) and N files. */
    static void writeAll(int files, OutputStream out) throws IOException {
        byte[] data = new byte[FILE_SIZE];
        new Random(1).nextBytes(data);
        byte[] dir = new byte[2048];
        DumpWriter w = new DumpWriter(out);
        w.writeDumpHeader(DumpHeader.of(536870912, "bench", 0, 1000));
        w.writeVolumeHeader(VolumeDiskData.blank().id(536870912).name("bench").inService(true).blessed(true)
            .uniquifier(files + 10).updateDate(1000));
        w.writeVnode(new DumpVnode(1, 1, true, 2, 2, 1, 1000, 0, 0, 0, 0777, 0, 1000, null, dir.length));
        w.writeData(dir, 0, dir.length);
        for (int i = 0; i < files; i++) {
            data[0] = (byte) i;
            data[1] = (byte) (i >> 8);
            w.writeVnode(new DumpVnode(2 * i + 2, i + 2, true, 1, 1, 1, 1000, 0, 0, 0, 0644, 1, 1000, null,
                data.length));
            // through an InputStream, as VolumeDumper feeds file data: one copy into the writer's buffer
            w.writeData(new ByteArrayInputStream(data), data.length);
        }
        w.writeEnd();
    }

    static void parse(InputStream in) throws IOException {
        DumpReader r = new DumpReader(in);
        r.readDumpHeader();
        r.readVolumeHeader();
        byte[] buf = new byte[1 << 16];
        long[] sum = {0};
        while (r.next((v, len, data) -> {
            for (int n; (n = data.read(buf)) > 0; ) {
                sum[0] += buf[0] + n;
            }
        }) != DumpReader.Section.END) {
            // records only
        }
        if (sum[0] == 42) {
            System.out.print("");
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(x);
            }
        }
    }

    private DumpBenchmark() {
    }

}
