-- Every running application instance, so that others can tell whether its runs are still alive.
CREATE TABLE instances (
    id           VARCHAR(100)             PRIMARY KEY,
    host         VARCHAR(255)             NOT NULL,
    job_types    VARCHAR(1000),
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL
);
