package afsdr.rx.rxkad;

import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.rx.security.RxSecurityException;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded random and mutated inputs into every decoder: each must answer with its checked
 * exception (an rxkad code or an IOException) and nothing else. A failure message names the seed
 * and iteration.
 */
class RxkadDecoderFuzzTest {
    static final long SEED = Long.getLong("rxkad.fuzz.seed", 0x7a1bL);
    static final int ITERATIONS = Integer.getInteger("rxkad.fuzz.iterations", 2000);

    private static byte[] mutate(SplittableRandom r, byte[] base) {
        byte[] b = r.nextInt(4) == 0 ? new byte[r.nextInt(200)] : base.clone();
        if (b != base && r.nextBoolean()) {
            r.nextBytes(b);
        }
        int flips = 1 + r.nextInt(4);
        for (int i = 0; i < flips && b.length > 0; i++) {
            b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        }
        if (r.nextInt(5) == 0 && b.length > 0) {
            b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
        }
        return b;
    }

    @Test
    void responsesChallengesTicketsAndKeyFiles() {
        SplittableRandom r = new SplittableRandom(SEED);
        byte[] response = RxkadResponseTest.specResponse();
        byte[] ticket = Krb4Ticket.localAuth(FcryptTest.K2).seal(Krb4TicketTest.SERVER_KEY);
        byte[] keyFileExt = new KeyFileExt(java.util.List.of(new KeyFileExt.Key(2, 3, 18, new byte[32]))).encode();
        int accepted = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            String where = "seed " + SEED + " iteration " + i;
            try {
                RxkadResponse.decode(Unpooled.wrappedBuffer(mutate(r, response)), true).open(FcryptTest.K1);
                accepted++;
            } catch (RxSecurityException expected) {
                assertTrue(RxkadErrors.name(expected.code()) != null, where);
            } catch (RuntimeException e) {
                throw new AssertionError(where, e);
            }
            try {
                RxkadChallenge.decode(Unpooled.wrappedBuffer(mutate(r, new byte[16])));
            } catch (RxSecurityException expected) {
                assertTrue(RxkadErrors.name(expected.code()) != null, where);
            } catch (RuntimeException e) {
                throw new AssertionError(where, e);
            }
            try {
                Krb4Ticket.open(mutate(r, ticket), Krb4TicketTest.SERVER_KEY, Krb4TicketTest.NOW);
            } catch (RxSecurityException expected) {
                assertTrue(RxkadErrors.name(expected.code()) != null, where);
            } catch (RuntimeException e) {
                throw new AssertionError(where, e);
            }
            try {
                KeyFileExt.parse(mutate(r, keyFileExt));
                KeyFile.parse(mutate(r, keyFileExt));
            } catch (IOException expected) {
                // the point: a clear error, no crash, no huge allocation
            } catch (RuntimeException e) {
                throw new AssertionError(where, e);
            }
        }
        assertTrue(accepted < ITERATIONS, "some mutations must be refused");
    }
}
