package afsdr.volser.server;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs an interop scenario class (a subclass of one) in another {@link AuthMode}; a class without
 * it runs in {@link AuthMode#NOAUTH}. Not inherited: the scenario's own class stays noauth.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface InMode {
    AuthMode value();
}
