package io.nomadcamel.jobs.scheduler.api;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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

    /**
     * Decodes a request body as UTF-8 (RFC 8259 §8.1), strictly: a lenient decoder would store U+FFFD in place of
     * the bytes the client sent. Null or empty gives null.
     */
    static String utf8(byte[] body) throws ApiResponse.Failure {
        if (body == null || body.length == 0) {
            return null;
        }
        if (body.length > 4 * MAX_BODY_CHARS) {
            throw new ApiResponse.Failure(413, "the body is larger than " + MAX_BODY_CHARS + " characters");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new ApiResponse.Failure(400, "the body is not valid UTF-8");
        }
    }

    /** Parses a request body; null or blank gives null. Anything malformed is a 400 naming the problem. */
    static JsonNode parseBody(String body) throws ApiResponse.Failure {
        if (body == null || body.isBlank()) {
            return null;
        }
        if (body.length() > MAX_BODY_CHARS) {
            throw new ApiResponse.Failure(413, "the body is larger than " + MAX_BODY_CHARS + " characters");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            int nl = message.indexOf('\n');
            throw new ApiResponse.Failure(400, "the body is not valid JSON: " + (nl < 0 ? message
                    : message.substring(0, nl)));
        }
        requireStorable(node, "");
        return node;
    }

    /**
     * Refuses what parses but would not come back as sent: a number beyond a double (1e400 becomes Infinity, then
     * the string "Infinity") and an unpaired surrogate escape ("\ud800" is stored as '?').
     */
    private static void requireStorable(JsonNode node, String path) throws ApiResponse.Failure {
        if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw new ApiResponse.Failure(400, fieldName(path) + " is a number out of range", fieldName(path));
        }
        if (node.isTextual() && hasUnpairedSurrogate(node.textValue())) {
            throw new ApiResponse.Failure(400, fieldName(path) + " has an unpaired UTF-16 surrogate escape",
                    fieldName(path));
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (hasUnpairedSurrogate(field.getKey())) {
                    throw new ApiResponse.Failure(400, "a field name in " + fieldName(path)
                            + " has an unpaired UTF-16 surrogate escape", fieldName(path));
                }
                requireStorable(field.getValue(), fieldPath);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                requireStorable(node.get(i), path + "[" + i + "]");
            }
        }
    }

    private static String fieldName(String path) {
        return path.isEmpty() ? "body" : path;
    }

    private static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
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
