package io.nomadcamel.jobs.s3;

import java.util.Set;

import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Recognises "the store is full" answers of S3-compatible stores, from the parsed error only: the HTTP status 507
 * or an error code that means a quota or a full store. Never from text: a request id or message that merely
 * contains "507" or "Quota" is some other error.
 */
public final class QuotaErrors {

    /**
     * {@code InsufficientStorage}: the generic 507 code; {@code QuotaExceeded}: Ceph RGW (HTTP 403);
     * {@code XMinioAdminBucketQuotaExceeded}: MinIO's hard bucket quota (HTTP 400); {@code XMinioStorageFull}:
     * MinIO out of disk (HTTP 507, listed for clarity).
     */
    public static final Set<String> CODES = Set.of("InsufficientStorage", "QuotaExceeded",
            "XMinioAdminBucketQuotaExceeded", "XMinioStorageFull");

    private QuotaErrors() {
    }

    /** Whether the failure, or one of its causes, is a store answering that it is out of quota or space. */
    public static boolean isQuotaExceeded(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AwsServiceException service) {
                if (service.statusCode() == 507) {
                    return true;
                }
                String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
                return code != null && CODES.contains(code);
            }
        }
        return false;
    }

    /** A short description of an S3 failure for warnings: the code and status when the store answered. */
    public static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AwsServiceException service) {
                String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
                String message = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorMessage();
                return (code == null ? "error" : code) + " (HTTP " + service.statusCode() + ")"
                        + (message == null || message.isBlank() ? "" : ": " + message);
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = failure.getMessage() == null ? root.toString() : failure.getMessage();
        return m.length() > 500 ? m.substring(0, 500) + "…" : m;
    }
}
