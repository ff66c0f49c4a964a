package afsdr.realcell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The generated nftables rules, without applying them. */
class NetemRulesTest {

    @Test
    void endpointSelectorsOnBothSides() {
        String rules = Netem.builder().lossEvery(10).onlyHosts("127.1.0.4").onlyUdpPorts(7005, 7000).ruleset();
        assertEquals("""
                table ip afsdr_netem {
                  chain impair_in {
                    numgen inc mod 10 == 9 counter drop comment "loss"
                  }
                  chain in {
                    type filter hook input priority 0; policy accept;
                    meta l4proto udp ip saddr { 127.1.0.4 } udp sport { 7005, 7000 } goto impair_in
                    meta l4proto udp ip daddr { 127.1.0.4 } udp dport { 7005, 7000 } goto impair_in
                  }
                }
                """, rules);
    }

    @Test
    void randomDuplicationOfAllUdp() {
        String rules = Netem.builder().duplicatePercent(2.5).ruleset();
        assertEquals("""
                table ip afsdr_netem {
                  chain impair_pre {
                    meta mark 0x4e44 return
                    numgen random mod 1000000 < 25000 counter meta mark set 0x4e44 dup to ip daddr device "lo" comment "duplicate"
                  }
                  chain pre {
                    type filter hook prerouting priority 0; policy accept;
                    meta l4proto udp goto impair_pre
                  }
                }
                """, rules);
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().lossEvery(1));
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().lossPercent(0));
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().lossPercent(101));
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().onlyUdpPorts(0));
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().onlyHosts("afs-j1"));
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().apply());
        assertThrows(IllegalArgumentException.class, () -> Netem.builder().lossEvery(3).lossPercent(5).apply());
    }
}
