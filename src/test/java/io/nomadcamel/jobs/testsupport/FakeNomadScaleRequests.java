package io.nomadcamel.jobs.testsupport;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.FakeNomadState.ApiError;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the body of POST /v1/job/:id/scale (api.ScalingRequest) the way Nomad's Go decoder does: field names match
 * case-insensitively, Target is a map whose keys do not, a wrong JSON type is a 400 with encoding/json's message,
 * and broken JSON is a 400 with a Go-like syntax message. Then Nomad's own checks (JobScaleRequest.Validate).
 */
final class FakeNomadScaleRequests {

    record Parsed(String group, Integer count, String message, boolean error, Object meta) {
    }

    private static final Pattern UNEXPECTED_CHAR = Pattern.compile("Unexpected character \\('(.)'|Unrecognized token '(.)");

    /** Decoding and the checks of the HTTP handler; these answer 400 before the token is looked at. */
    Parsed parse(byte[] body, String urlJobId) {
        if (body.length == 0) {
            throw new ApiError(400, "Request body is empty");
        }
        JsonNode root = decode(body);
        if (!root.isObject()) {
            throw new ApiError(400, "json: cannot unmarshal " + goKind(root) + " into Go value of type api.ScalingRequest");
        }
        JsonNode count = field(root, "Count");
        JsonNode target = field(root, "Target");
        JsonNode message = field(root, "Message");
        JsonNode error = field(root, "Error");
        Integer parsedCount = null;
        if (count != null && !count.isNull()) {
            if (!count.isIntegralNumber()) {
                throw typeError(count, "Count", "int64");
            }
            if (!count.canConvertToInt()) {
                throw new ApiError(400, "new scaling count is too large for TaskGroup.Count (int): " + count);
            }
            parsedCount = count.intValue();
        }
        if (target != null && !target.isNull() && !target.isObject()) {
            throw typeError(target, "Target", "map[string]string");
        }
        if (message != null && !message.isNull() && !message.isTextual()) {
            throw typeError(message, "Message", "string");
        }
        if (error != null && !error.isNull() && !error.isBoolean()) {
            throw typeError(error, "Error", "bool");
        }
        String targetJob = text(target, "Job");
        if (!targetJob.isEmpty() && !targetJob.equals(urlJobId)) {
            throw new ApiError(400, "job ID in payload did not match URL");
        }
        JsonNode meta = field(root, "Meta");
        return new Parsed(text(target, "Group"), parsedCount, message == null ? "" : message.asText(""),
                error != null && error.asBoolean(false),
                meta == null || meta.isNull() ? null : FakeNomadJson.MAPPER.convertValue(meta, Map.class));
    }

    /** JobScaleRequest.Validate, which runs on the server after the token check. */
    void validate(Parsed request) {
        if (request.group().isEmpty()) {
            throw new ApiError(400, "missing task group name for scaling action");
        }
        if (request.count() != null && request.count() < 0) {
            throw new ApiError(400, "scaling action count can't be negative");
        }
        if (request.count() != null && request.error()) {
            throw new ApiError(400, "scaling action should not contain count if error is true");
        }
    }

    private static JsonNode decode(byte[] body) {
        try {
            JsonNode root = FakeNomadJson.MAPPER.readTree(body); // like json.Decoder, trailing data is ignored
            if (root == null || root.isMissingNode()) {
                throw new ApiError(400, "EOF");
            }
            return root;
        } catch (JsonEOFException e) {
            throw new ApiError(400, "unexpected EOF");
        } catch (JsonParseException e) {
            Matcher m = UNEXPECTED_CHAR.matcher(e.getOriginalMessage());
            String c = !m.find() ? "?" : m.group(1) != null ? m.group(1) : m.group(2);
            String expecting = e.getOriginalMessage().contains("field name") ? "beginning of object key string"
                    : "beginning of value";
            throw new ApiError(400, "invalid character '" + c + "' looking for " + expecting);
        } catch (IOException e) {
            throw new ApiError(400, e.getMessage());
        }
    }

    /** encoding/json matches struct fields case-insensitively ("count" fills Count). */
    private static JsonNode field(JsonNode object, String name) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Target is a map: its keys are exact ("Group", "Job", "Namespace"). */
    private static String text(JsonNode target, String key) {
        if (target == null || !target.isObject() || !target.has(key)) {
            return "";
        }
        JsonNode value = target.get(key);
        if (!value.isTextual() && !value.isNull()) {
            throw new ApiError(400, "json: cannot unmarshal " + goKind(value)
                    + " into Go struct field ScalingRequest.Target of type string");
        }
        return value.asText("");
    }

    private static ApiError typeError(JsonNode value, String field, String goType) {
        return new ApiError(400, "json: cannot unmarshal " + goKind(value) + " into Go struct field ScalingRequest."
                + field + " of type " + goType);
    }

    private static String goKind(JsonNode value) {
        if (value.isTextual()) {
            return "string";
        }
        if (value.isNumber()) {
            return "number" + (value.isIntegralNumber() ? "" : " " + value.asText());
        }
        if (value.isBoolean()) {
            return "bool";
        }
        return value.isArray() ? "array" : "object";
    }
}
