'use strict';
// The overview panels: the newest successful backup of each backup job, and the latest scan of each image. Both
// render whatever of the documented fields is present, so a job that adds a field does not break the page.
window.ncj = window.ncj || {};
(function (ncj) {
  const {el, fill, link, runHash, time, bytes, stateBadge} = ncj;
  const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'];

  // ---- backups ------------------------------------------------------------------------------------------------

  /**
   * Fills container with one card per job of type backup (its newest SUCCEEDED run's result), then one per job of
   * type restore-drill: an instance that only drills (from S3) shows its drills too.
   */
  async function loadBackups(container, jobs) {
    const backupJobs = jobs.filter((job) => job.type === 'backup');
    const drillJobs = jobs.filter((job) => job.type === 'restore-drill');
    const noBackupJob = el('p', {class: 'muted'}, 'No backup job is configured (jobs of type backup).');
    if (backupJobs.length === 0 && drillJobs.length === 0) {
      fill(container, noBackupJob);
      return;
    }
    const drillCards = Promise.all(drillJobs.map(async (job) => {
      try {
        return renderDrill(job.id, await ncj.get('/api/runs?job=' + encodeURIComponent(job.id) + '&limit=20'));
      } catch (error) {
        return el('div', {class: 'card'}, el('h3', {}, job.id), el('p', {class: 'error-text'},
          'cannot read its runs: ' + ncj.describe(error)));
      }
    }));
    const cards = await Promise.all(backupJobs.map(async (job) => {
      try {
        const runs = await ncj.get('/api/runs?job=' + encodeURIComponent(job.id) + '&state=SUCCEEDED&limit=1');
        return renderBackup(job.id, runs && runs.length ? runs[0] : null);
      } catch (error) {
        return el('div', {class: 'card'}, el('h3', {}, job.id), el('p', {class: 'error-text'},
          'cannot read its runs: ' + ncj.describe(error)));
      }
    }));
    fill(container, (cards.length ? cards : [noBackupJob]).concat(await drillCards));
  }

  /**
   * A card for a restore-drill job from its recent runs (newest first): each database's newest verified dump and
   * when it was verified (a failed run may still have verified some), and the databases the newest drill found in
   * PostgreSQL but not in the newest backup ("not covered").
   */
  function renderDrill(jobId, runs) {
    const card = el('div', {class: 'card drill', 'data-job': jobId}, el('h3', {}, jobId + ' · restore drill'));
    const list = Array.isArray(runs) ? runs : [];
    const verified = new Map();
    let notCovered = null;
    for (const run of list) {
      const result = run.result && typeof run.result === 'object' ? run.result : {};
      if (notCovered === null && Array.isArray(result.not_covered)) {
        notCovered = result.not_covered;
      }
      for (const db of Array.isArray(result.databases) ? result.databases : []) {
        if (db.verified_at && !verified.has(db.database)) {
          verified.set(db.database, {db, run});
        }
      }
    }
    if (verified.size === 0) {
      card.appendChild(el('p', {class: 'muted'}, 'No database verified yet.'));
    } else {
      const rows = [...verified.values()].map(({db, run}) => el('tr', {'data-database': db.database},
        el('td', {}, db.database), el('td', {class: 'mono'}, db.artifact || '—'),
        el('td', {'data-field': 'verified_at'}, time(db.verified_at)),
        el('td', {}, link(runHash(run.id), 'run ' + run.id))));
      card.appendChild(el('table', {class: 'compact'},
        el('thead', {}, el('tr', {}, ['Database', 'Newest verified dump', 'Verified', ''].map((h) => el('th', {}, h)))),
        el('tbody', {}, rows)));
    }
    if (notCovered && notCovered.length) {
      card.appendChild(el('div', {class: 'warnings not-covered'}, el('strong', {}, 'Not covered by the newest backup'),
        el('ul', {}, notCovered.map((name) => el('li', {'data-database': name}, name)))));
    }
    return card;
  }

  /** A card for a backup job's newest successful run (null: none yet). */
  function renderBackup(jobId, run) {
    const card = el('div', {class: 'card backup', 'data-job': jobId}, el('h3', {}, jobId));
    if (!run) {
      card.appendChild(el('p', {class: 'muted'}, 'No successful run yet.'));
      return card;
    }
    const result = run.result && typeof run.result === 'object' ? run.result : {};
    card.appendChild(el('p', {}, link(runHash(run.id), 'run ' + run.id), ' finished ', time(run.finished_at)));
    const files = el('dl', {class: 'fields'});
    for (const [key, label] of [['nomad_snapshot', 'Nomad snapshot'], ['consul_snapshot', 'Consul snapshot'],
      ['postgres_globals', 'PostgreSQL globals']]) {
      if (key in result) {
        const s3 = result[key + '_s3_key'];
        files.append(el('dt', {}, label), el('dd', {'data-field': key}, result[key] || 'missing',
          s3 ? el('span', {class: 'muted'}, ' · s3: ' + s3) : null));
      }
    }
    card.appendChild(files);
    if (Array.isArray(result.postgres_databases)) {
      const rows = result.postgres_databases.map((db) => el('tr', {'data-database': db.database},
        el('td', {}, db.database), el('td', {class: 'num'}, bytes(db.bytes)),
        el('td', {class: 'mono', title: db.sha256 || ''}, db.sha256 ? String(db.sha256).substring(0, 12) + '…' : '—'),
        el('td', {class: db.verified ? 'ok' : 'bad'}, db.verified ? 'verified' : 'not verified'),
        el('td', {class: 'error-text'}, db.error || '')));
      card.appendChild(el('table', {class: 'compact'},
        el('thead', {}, el('tr', {}, ['Database', 'Size', 'SHA-256', 'Check', ''].map((h) => el('th', {}, h)))),
        el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', {colspan: 5, class: 'muted'}, 'no database')))));
    }
    if (Array.isArray(result.warnings) && result.warnings.length) {
      card.appendChild(el('div', {class: 'warnings'}, el('strong', {}, 'Warnings'),
        el('ul', {}, result.warnings.map((w) => el('li', {}, typeof w === 'string' ? w : JSON.stringify(w))))));
    }
    return card;
  }

  // ---- scans --------------------------------------------------------------------------------------------------

  /** Fills container with the latest scan per image; a 404 means this build or instance has no scan data. */
  async function loadScans(container) {
    let scans;
    try {
      scans = await ncj.get('/api/scans');
    } catch (error) {
      if (error.status === 404) {
        fill(container, el('p', {class: 'muted', id: 'no-scans'}, 'No scan data.'));
      } else {
        fill(container, el('p', {class: 'error-text'}, 'Cannot read the scans: ' + ncj.describe(error)));
      }
      return;
    }
    fill(container, renderScans(scans));
  }

  function renderScans(scans) {
    if (!Array.isArray(scans) || scans.length === 0) {
      return el('p', {class: 'muted', id: 'no-scans'}, 'No scan data.');
    }
    const rows = [];
    for (const scan of scans) {
      const counts = scan.counts || (scan.last_success && scan.last_success.counts) || {};
      const detail = el('tr', {class: 'detail', hidden: true}, el('td', {colspan: 10}));
      const toggle = el('button', {type: 'button', class: 'linkish', onclick: () => toggleScan(scan.image, detail)},
        scan.image);
      rows.push(el('tr', {'data-image': scan.image},
        el('td', {}, toggle),
        el('td', {class: scan.status === 'success' ? 'ok' : 'bad', title: scan.error || ''}, scan.status || '—'),
        el('td', {}, time(scan.scanned_at)),
        SEVERITIES.map((s) => el('td', {class: 'num sev-' + s + (counts[s] ? ' nonzero' : '')},
          counts[s] === undefined || counts[s] === null ? '—' : counts[s])),
        el('td', {class: 'num' + (scan.new_count ? ' bad' : '')}, scan.new_count ?? '—'),
        el('td', {class: 'num' + (scan.fixed_count ? ' ok' : '')}, scan.fixed_count ?? '—')));
      rows.push(detail);
    }
    return el('table', {id: 'scans-table'},
      el('thead', {}, el('tr', {}, ['Image', 'Status', 'Scanned', 'Critical', 'High', 'Medium', 'Low', 'Unknown',
        'New', 'Fixed'].map((h) => el('th', {}, h)))),
      el('tbody', {}, rows));
  }

  /** Shows or hides the new and fixed findings of one image (GET /api/scans/{image}). */
  async function toggleScan(image, detail) {
    if (!detail.hidden) {
      detail.hidden = true;
      return;
    }
    const cell = detail.firstChild;
    fill(cell, el('span', {class: 'muted'}, 'Loading…'));
    detail.hidden = false;
    try {
      const scan = await ncj.get('/api/scans/' + encodeURIComponent(image));
      fill(cell, scan.error ? el('p', {class: 'error-text'}, scan.error) : null,
        findings('New since the previous scan', scan.new), findings('Fixed since the previous scan', scan.fixed));
    } catch (error) {
      fill(cell, el('p', {class: 'error-text'}, 'Cannot read the scan of ' + image + ': ' + ncj.describe(error)));
    }
  }

  function findings(title, list) {
    if (!Array.isArray(list) || list.length === 0) {
      return el('p', {class: 'muted'}, title + ': none.');
    }
    return el('div', {}, el('strong', {}, title),
      el('ul', {class: 'findings'}, list.map((f) => el('li', {},
        stateBadge(f.severity), ' ', el('span', {class: 'mono'}, f.vuln_id || '?'), ' ', f.pkg_name || '',
        ' ', f.installed_version || '', f.fixed_version ? ' → ' + f.fixed_version : '',
        f.title ? el('span', {class: 'muted'}, ' — ' + f.title) : null))));
  }

  Object.assign(ncj, {loadBackups, renderBackup, renderDrill, loadScans, renderScans});
})(window.ncj);
