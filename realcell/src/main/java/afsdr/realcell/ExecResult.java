package afsdr.realcell;

import java.time.Duration;
import java.util.List;

/**
 * Outcome of one command run as a node of a {@link RealCell} ({@link RealCell#run}, {@link RealCell#vos}).
 *
 * @param node     the node the command ran as ("client" for {@code vos})
 * @param command  the command line as given (without the namespace wrapper)
 * @param exitCode the exit status; -1 when the command was killed after its timeout
 * @param stdout   standard output, decoded as UTF-8
 * @param stderr   standard error, decoded as UTF-8
 * @param timedOut true when the command did not finish within its timeout and was killed
 * @param elapsed  wall time of the command, namespace set-up included
 */
public record ExecResult(String node, List<String> command, int exitCode, String stdout, String stderr,
                         boolean timedOut, Duration elapsed) {

    public ExecResult {
        command = List.copyOf(command);
    }

    /** True when the command finished in time with exit status 0. */
    public boolean ok() {
        return !timedOut && exitCode == 0;
    }

    /**
     * Returns this result when {@link #ok()}, otherwise throws an {@link AssertionError} carrying the command,
     * exit status and both output streams, so a failing test shows what the stock tool said.
     */
    public ExecResult orFail() {
        if (!ok()) {
            throw new AssertionError("command failed: " + this);
        }
        return this;
    }

    @Override
    public String toString() {
        return "[" + node + "] " + String.join(" ", command)
                + (timedOut ? " -> TIMED OUT after " + elapsed.toMillis() + " ms" : " -> exit " + exitCode)
                + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
    }
}
