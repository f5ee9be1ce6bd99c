-- A successful scan is stored as 'success', the original workers' word that existing dashboards query; rows this
-- application stored before as 'ok' are renamed. (V8 is left to the maintenance intents' migration.)
UPDATE scans SET status = 'success' WHERE status = 'ok';
