package afsdr.volser.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** vos output made comparable between two servers. */
final class VosOutput {
    private static final Pattern DATE = Pattern.compile("[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}");
    private static final Pattern BIG = Pattern.compile("\\b\\d{9,10}\\b");

    /** Which 9-10 digit numbers are epoch times (seconds, from inclusive, to exclusive). */
    record Times(long from, long to) {
    }

    /**
     * Times from 2020 to 2030 only: for scenarios whose volume ids are fixed numbers near 1.99e9
     * (vos shadow -toid), which a wider range would take for times.
     */
    static final Times RECENT = new Times(1_600_000_000L, 1_900_000_000L);
    /** Any plausible time: for scenarios whose ids all come from the VLDB (536870912 upwards). */
    static final Times WIDE = new Times(1_000_000_000L, 2_500_000_000L);

    private VosOutput() {
    }

    /**
     * Each replacement pair (host names, addresses, volume names; an empty one is skipped) applied in
     * order, dates → DATE, epoch times in {@code times} → TIME, other numbers of at least 536870912
     * (volume ids) → ID1, ID2... by first appearance.
     */
    static String norm(String out, Times times, String... replacements) {
        String t = out;
        for (int i = 0; i + 1 < replacements.length; i += 2) {
            if (!replacements[i].isEmpty()) {
                t = t.replace(replacements[i], replacements[i + 1]);
            }
        }
        t = DATE.matcher(t).replaceAll("DATE");
        Map<String, String> ids = new LinkedHashMap<>();
        Matcher m = BIG.matcher(t);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            long v = Long.parseLong(m.group());
            String rep;
            if (v >= times.from() && v < times.to()) {
                rep = "TIME";
            } else if (v >= 536_870_912L) {
                rep = ids.computeIfAbsent(m.group(), k -> "ID" + (ids.size() + 1));
            } else {
                rep = m.group();
            }
            m.appendReplacement(sb, rep);
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
