package afsdr.rx.interop;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a stock OpenAFS command line tool with a time limit and returns its output. */
final class StockTools {
    private StockTools() {}

    record Result(int exit, String output) {}

    static Result run(long timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        File log = File.createTempFile("stocktool", ".out");
        try {
            Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true)
                    .redirectOutput(log).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly().waitFor();
            }
            String out = Files.readString(log.toPath(), StandardCharsets.UTF_8);
            if (!done) {
                StringBuilder sb = new StringBuilder();
                Thread.getAllStackTraces().forEach((t, st) -> {
                    if (t.getName().startsWith("rx-")) {
                        sb.append(t.getName()).append(' ').append(t.getState()).append('\n');
                        for (StackTraceElement e : st) {
                            sb.append("    ").append(e).append('\n');
                        }
                    }
                });
                System.out.println(sb);
                throw new AssertionError(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s: " + out);
            }
            System.out.println("$ " + String.join(" ", cmd) + " -> " + p.exitValue() + "\n" + out);
            return new Result(p.exitValue(), out);
        } finally {
            Files.deleteIfExists(log.toPath());
        }
    }
}
