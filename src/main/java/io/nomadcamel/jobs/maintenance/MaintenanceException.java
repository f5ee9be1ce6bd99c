package io.nomadcamel.jobs.maintenance;

/** Offline maintenance could not go on; the message names the Nomad job, group, node or input field at fault. */
public class MaintenanceException extends RuntimeException {

    public MaintenanceException(String message) {
        super(message);
    }

    public MaintenanceException(String message, Throwable cause) {
        super(message, cause);
    }
}
