package afsdr.realcell;

import java.util.ArrayList;
import java.util.List;

/** Reading the log of a stock salvager run with {@code -nowrite}. */
public final class SalvageLog {
    private SalvageLog() {
    }

    /**
     * Lines of a no-write salvage log that report damage: anything that is not one of the
     * progress/summary lines a clean partition produces (the leading time stamp is ignored).
     */
    public static List<String> complaints(String log) {
        List<String> bad = new ArrayList<>();
        for (String line : log.split("\n")) {
            String l = line.replaceFirst("^\\w{3} \\w{3} +\\d+ [\\d:]+ \\d{4} ", "");
            if (l.isBlank() || l.startsWith("@(#)OpenAFS") || l.startsWith("STARTING AFS SALVAGER")
                || l.startsWith("VAttachPartitions: not attaching") || l.startsWith("SALVAGING FILE SYSTEM PARTITION")
                || l.startsWith("***Forced salvage of all volumes") || l.matches("\\d+ nVolumesInInodeFile \\d+ *")
                || l.matches("(SALVAGING|CHECKING CLONED) VOLUME \\d+\\(READONLY mode\\)\\.")
                || l.matches(".* \\(\\d+\\) it would have been updated .*") || l.matches("totalInodes \\d+")
                || l.matches("It would have Salvaged .*: \\d+ files, \\d+ blocks")
                || l.matches("SALVAGING OF PARTITION /vicepa \\(READONLY mode\\) COMPLETED")) {
                continue;
            }
            bad.add(line);
        }
        return bad;
    }
}
