-- At most one open maintenance intent per Nomad task group. Two maintenance runs on one group (two job definitions,
-- or a run started while an earlier intent still waits for its scale-back) would otherwise both take the group
-- offline, and the first to finish would bring it back while the other's command still runs. open_job/open_group
-- carry the group while the intent is open and are NULL once it is closed (rows with NULLs never conflict, on
-- PostgreSQL and H2 alike; H2 has no partial index).
ALTER TABLE maintenance_intents ADD COLUMN open_job VARCHAR(200);
ALTER TABLE maintenance_intents ADD COLUMN open_group VARCHAR(200);

-- already open intents: the newest of each group holds it (older duplicates stay open and are still compensated)
UPDATE maintenance_intents SET open_job = job_name, open_group = group_name
WHERE closed_at IS NULL AND id IN (
    SELECT max(id) FROM maintenance_intents WHERE closed_at IS NULL GROUP BY job_name, group_name);

CREATE UNIQUE INDEX maintenance_intents_one_open ON maintenance_intents (open_job, open_group);
