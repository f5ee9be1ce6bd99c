package io.nomadcamel.jobs.scheduler.api;

import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Strict JSON for request bodies (one value, no duplicate keys, bounded sizes) and plain JSON for answers. */
final class Json {

    static final int MAX_BODY_CHARS = 256 * 1024;

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxStringLength(MAX_BODY_CHARS).maxNumberLength(100).build());
    }

    private Json() {
    }

    /** Parses a request body; null or blank gives null. Anything malformed is a 400 naming the problem. */
    static JsonNode parseBody(String body) throws ApiResponse.Failure {
        if (body == null || body.isBlank()) {
            return null;
        }
        if (body.length() > MAX_BODY_CHARS) {
            throw new ApiResponse.Failure(413, "the body is larger than " + MAX_BODY_CHARS + " characters");
        }
        try {
            return MAPPER.readTree(body);
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            int nl = message.indexOf('\n');
            throw new ApiResponse.Failure(400, "the body is not valid JSON: " + (nl < 0 ? message
                    : message.substring(0, nl)));
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> toMap(JsonNode node) {
        return MAPPER.convertValue(node, Map.class);
    }

    static Object readOrNull(String json) {
        if (json == null) {
            return null;
        }
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            return json;
        }
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
