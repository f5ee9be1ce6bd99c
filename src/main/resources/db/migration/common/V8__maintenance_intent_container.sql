-- Offline maintenance whose command runs a container (docker run --name ncj-maint-<intent id> ...): the container
-- runs under the Docker daemon, outside the process group killed by marker, so every scale-back (the run's, or
-- recovery's after a crash) must remove it by name and see it gone first. Written with the command marker, before
-- the command starts; NULL when the command is not a container.
ALTER TABLE maintenance_intents ADD COLUMN container_name VARCHAR(200);
