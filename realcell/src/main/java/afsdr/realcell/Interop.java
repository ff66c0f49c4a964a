package afsdr.realcell;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class or method that needs the real-cell test bed: root, a private network namespace with
 * only {@code lo}, and the stock OpenAFS binaries. It carries the JUnit tag {@value #TAG}, which the root pom
 * excludes from a plain {@code mvn test}; {@code bin/test} runs every test, these included, inside a fresh
 * namespace ({@code -Dsurefire.excludedGroups=}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag(Interop.TAG)
public @interface Interop {
    /** The JUnit tag name. */
    String TAG = "interop";
}
