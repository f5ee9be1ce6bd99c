package io.nomadcamel.jobs.backup;

import org.apache.camel.CamelExecutionException;
import org.apache.camel.RuntimeCamelException;

/** The message of a failure as operators should read it: the root of Camel's wrappers, never a class name alone. */
final class Failures {

    private Failures() {
    }

    static String message(Throwable e) {
        if (e == null) {
            return "unknown failure";
        }
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t instanceof CamelExecutionException
                || t instanceof RuntimeCamelException || t instanceof java.lang.reflect.InvocationTargetException
                || t instanceof java.io.UncheckedIOException)) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        if (t instanceof java.nio.file.NoSuchFileException || t instanceof java.nio.file.AccessDeniedException
                || t instanceof java.nio.file.FileAlreadyExistsException) {
            return t.getClass().getSimpleName() + ": " + m;
        }
        return m;
    }
}
