-- GET /api/scans asks for the newest successful scan of every image (new/fixed are computed against it): with this
-- index the database reads only the 'ok' scans' index entries, not every scan row, however long the history.
CREATE INDEX scans_by_status_image ON scans (status, image, id);
