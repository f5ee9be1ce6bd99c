package io.nomadcamel.jobs.scheduler.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP answer of the API: status and a JSON-serialisable body (null for 204). */
public record ApiResponse(int status, Object body) {

    public static ApiResponse ok(Object body) {
        return new ApiResponse(200, body);
    }

    public static ApiResponse error(int status, String message) {
        return error(status, message, null);
    }

    public static ApiResponse error(int status, String message, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        if (field != null) {
            body.put("field", field);
        }
        return new ApiResponse(status, body);
    }

    /** A client mistake the handler found; carried up to the route as its answer. */
    public static final class Failure extends Exception {
        private final transient ApiResponse response;

        public Failure(int status, String message, String field) {
            super(message);
            this.response = error(status, message, field);
        }

        public Failure(int status, String message) {
            this(status, message, null);
        }

        public ApiResponse response() {
            return response;
        }
    }
}
