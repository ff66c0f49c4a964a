package afsdr.partition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs stock OpenAFS tools (volinfo, voldump, salvager) against a partition folder: in a private
 * mount namespace the folder is bind-mounted on /vicepa, and /var/lib/openafs/local and
 * /var/log/openafs on private folders, so nothing on the host changes. Needs root.
 */
final class StockTools {
    record Result(int exitCode, String output) {
    }

    private StockTools() {
    }

    static boolean available() {
        return Files.isExecutable(Path.of("/usr/sbin/volinfo")) || Files.isExecutable(Path.of("/usr/bin/volinfo"));
    }

    /** Run {@code cmd} with {@code partition} seen as /vicepa; {@code scratch} holds local/ and logs/. */
    static Result run(Path partition, Path scratch, String... cmd) throws IOException, InterruptedException {
        Path local = scratch.resolve("local");
        Path logs = scratch.resolve("logs");
        Files.createDirectories(local);
        Files.createDirectories(logs);
        // The mount point must exist in the (shared) root filesystem; like the realcell harness we
        // create it when missing and leave it (another namespace may be using it).
        Files.createDirectories(Path.of("/vicepa"));
        String script = "set -e; mount --bind \"$1\" /vicepa; mount --bind \"$2\" /var/lib/openafs/local; "
            + "mount --bind \"$3\" /var/log/openafs; shift 3; exec \"$@\"";
        List<String> full = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
            script, "sh", partition.toAbsolutePath().toString(), local.toString(), logs.toString()));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The salvager's log of the last run (it writes SalvageLog into /var/log/openafs). */
    static String salvageLog(Path scratch) throws IOException {
        Path log = scratch.resolve("logs/SalvageLog");
        return Files.exists(log) ? Files.readString(log) : "";
    }
}
