'use strict';
// The three views: jobs (with the backups and scans panels), run history, one run. Each view gets a context whose
// timers stop when the operator navigates elsewhere.
window.ncj = window.ncj || {};
(function (ncj) {
  const {el, fill, link, runHash, runsHash, stateBadge, time, duration, runDuration, relative, pretty} = ncj;
  const STATES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'SKIPPED', 'ABANDONED'];
  const ACTIVE = ['PENDING', 'RUNNING'];

  const isActive = (run) => ACTIVE.includes(run.state);
  const jobPath = (id) => '/api/jobs/' + encodeURIComponent(id);

  // ---- jobs ---------------------------------------------------------------------------------------------------

  async function jobsView(view, ctx) {
    const trigger = el('section', {id: 'trigger-panel', class: 'panel', hidden: true});
    const table = el('div', {id: 'jobs'}, el('p', {class: 'muted'}, 'Loading jobs…'));
    const backups = el('div', {id: 'backups', class: 'cards'}, el('p', {class: 'muted'}, 'Loading…'));
    const scans = el('div', {id: 'scans'}, el('p', {class: 'muted'}, 'Loading…'));
    fill(view, el('h2', {}, 'Jobs'), trigger, table,
      el('h2', {}, 'Backups'), el('p', {class: 'muted'}, 'The newest successful run of each backup job, and what the restore drills verified.'), backups,
      el('h2', {}, 'Image scans'),
      el('p', {class: 'muted'}, 'The latest scan of each image; new and fixed count findings since the scan before.'),
      scans);

    let jobs = [];
    let shown = '';
    let shownAt = 0;
    async function refresh() {
      let active;
      try {
        [jobs, active] = await Promise.all([ncj.get('/api/jobs'), activeRuns()]);
      } catch (error) {
        fill(table, el('p', {class: 'error-text'}, 'Cannot read the jobs: ' + ncj.describe(error)));
        return;
      }
      // re-render only on a change (or to move the relative times on), so buttons stay put under the pointer
      const key = JSON.stringify([jobs, active]);
      if (ctx.alive() && (key !== shown || Date.now() - shownAt > 30000)) {
        shown = key;
        shownAt = Date.now();
        fill(table, jobsTable(jobs, active, {openTrigger, togglePause}));
      }
    }

    function openTrigger(job) {
      return ncj.openTrigger(trigger, job);
    }

    async function togglePause(job) {
      const action = job.paused ? 'resume' : 'pause';
      try {
        await ncj.post(jobPath(job.id) + '/' + action);
        ncj.info(job.paused ? 'Resumed ' + job.id + ': its schedule fires again.'
          : 'Paused ' + job.id + ': its schedule does not fire until resumed.');
      } catch (error) {
        ncj.failure((job.paused ? 'Resuming ' : 'Pausing ') + job.id, error);
      }
      await refresh();
    }

    await refresh();
    const panels = () => {
      ncj.loadBackups(backups, jobs);
      // an image whose findings the operator opened stays open
      if (!scans.querySelector('tr.detail:not([hidden])')) {
        ncj.loadScans(scans);
      }
    };
    panels();
    ctx.every(refresh, 3000);
    ctx.every(panels, 30000);
  }

  /** The runs now PENDING or RUNNING, by job id. */
  async function activeRuns() {
    const lists = await Promise.all(ACTIVE.map((s) => ncj.get('/api/runs?state=' + s + '&limit=1000')));
    const byJob = {};
    for (const run of lists.flat()) {
      (byJob[run.job] = byJob[run.job] || []).push(run);
    }
    return byJob;
  }

  function jobsTable(jobs, active, actions) {
    if (!jobs.length) {
      return el('p', {class: 'muted'}, 'No job is configured: add jobs.<id>.* lines to application.properties or '
        + 'POST /api/jobs.');
    }
    return el('table', {id: 'jobs-table'},
      el('thead', {}, el('tr', {}, ['Job', 'Type', 'Mode', 'Schedule', 'Status', 'Next run', 'Last run', '']
        .map((h) => el('th', {}, h)))),
      el('tbody', {}, jobs.map((job) => jobRow(job, active[job.id] || [], actions))));
  }

  function jobRow(job, active, actions) {
    const last = job.last_run;
    // a job whose settings keep it from working here: amber, with what to set
    const notReady = job.ready === false && Array.isArray(job.problems);
    return el('tr', {'data-job': job.id, class: notReady ? 'not-ready' : null},
      el('td', {}, link(runsHash({job: job.id}), job.id, {class: 'job-id', title: 'Runs of ' + job.id})),
      el('td', {}, job.type),
      el('td', {}, job.mode, job.queue ? el('div', {class: 'muted'}, 'queue ' + job.queue) : null),
      el('td', {}, job.cron ? el('code', {}, job.cron) : (job.every ? 'every ' + job.every : 'when triggered'),
        el('div', {class: 'muted'}, 'timeout ' + job.timeout)),
      el('td', {class: 'status'}, !job.enabled ? el('span', {class: 'flag disabled'}, 'disabled')
        : (job.paused ? el('span', {class: 'flag paused'}, 'paused') : el('span', {class: 'flag'}, 'active')),
        notReady ? [' ', el('span', {class: 'flag not-ready'}, 'not ready'),
          el('ul', {class: 'problems'}, job.problems.map((p) => el('li', {}, p)))] : null,
        active.map((run) => el('div', {}, stateBadge(run.state), ' ', link(runHash(run.id), '#' + run.id)))),
      el('td', {class: 'next-run'}, job.next_run ? [time(job.next_run), el('div', {class: 'muted'},
        relative(job.next_run))] : '—'),
      el('td', {class: 'last-run'}, last ? [stateBadge(last.state), ' ', link(runHash(last.id), '#' + last.id),
        el('div', {class: 'muted'}, duration(last.duration_ms) + ' · ' + relative(last.finished_at))] : 'never'),
      el('td', {class: 'actions'},
        el('button', {type: 'button', class: 'trigger', onclick: () => actions.openTrigger(job)}, 'Run…'),
        // only a schedule (or a continuous job's restarts) can be paused; a paused job can always be resumed
        job.paused || job.mode === 'recurring' || job.mode === 'continuous'
          ? el('button', {type: 'button', class: 'pause', onclick: () => actions.togglePause(job)},
            job.paused ? 'Resume' : 'Pause') : null));
  }

  // ---- run history --------------------------------------------------------------------------------------------

  async function runsView(view, ctx, params) {
    const jobSelect = el('select', {id: 'filter-job'}, el('option', {value: ''}, 'all jobs'));
    const stateSelect = el('select', {id: 'filter-state'}, el('option', {value: ''}, 'all states'),
      STATES.map((s) => el('option', {value: s}, s)));
    const limit = el('input', {id: 'filter-limit', type: 'number', min: 1, max: 1000,
      value: params.get('limit') || '50'});
    const apply = () => {
      location.hash = runsHash({job: jobSelect.value, state: stateSelect.value,
        limit: limit.value === '50' ? '' : limit.value});
    };
    jobSelect.addEventListener('change', apply);
    stateSelect.addEventListener('change', apply);
    limit.addEventListener('change', apply);
    const table = el('div', {id: 'runs'}, el('p', {class: 'muted'}, 'Loading runs…'));
    fill(view, el('h2', {}, 'Runs'),
      el('div', {class: 'filters'}, el('label', {}, 'Job ', jobSelect), el('label', {}, 'State ', stateSelect),
        el('label', {}, 'Show ', limit)), table);

    try {
      const jobs = await ncj.get('/api/jobs');
      const ids = jobs.map((job) => job.id);
      if (params.get('job') && !ids.includes(params.get('job'))) {
        ids.push(params.get('job'));
      }
      ids.forEach((id) => jobSelect.appendChild(el('option', {value: id}, id)));
    } catch (error) {
      ncj.failure('Reading the jobs', error);
    }
    jobSelect.value = params.get('job') || '';
    stateSelect.value = (params.get('state') || '').toUpperCase();

    const query = new URLSearchParams();
    for (const key of ['job', 'state', 'limit']) {
      if (params.get(key)) {
        query.set(key, params.get(key));
      }
    }
    if (!query.has('limit')) {
      query.set('limit', '50');
    }
    async function refresh() {
      try {
        const runs = await ncj.get('/api/runs?' + query.toString());
        if (ctx.alive()) {
          fill(table, runsTable(runs, ctx));
        }
      } catch (error) {
        fill(table, el('p', {class: 'error-text'}, 'Cannot read the runs: ' + ncj.describe(error)));
      }
    }
    await refresh();
    ctx.every(refresh, 2000);
  }

  function runsTable(runs, ctx) {
    if (!runs.length) {
      return el('p', {class: 'muted'}, 'No run matches.');
    }
    return el('table', {id: 'runs-table'},
      el('thead', {}, el('tr', {}, ['Run', 'Job', 'Trigger', 'State', 'Attempt', 'Queued', 'Started', 'Duration',
        'Progress or error', ''].map((h) => el('th', {}, h)))),
      el('tbody', {}, runs.map((run) => el('tr', {'data-run': run.id},
        el('td', {}, link(runHash(run.id), '#' + run.id)),
        el('td', {}, run.job, el('div', {class: 'muted'}, run.type)),
        el('td', {}, run.trigger),
        el('td', {}, stateBadge(run.state), run.reason ? el('div', {class: 'muted'}, run.reason) : null),
        el('td', {class: 'num'}, run.attempt),
        el('td', {}, time(run.queued_at)),
        el('td', {}, time(run.started_at)),
        el('td', {class: 'num'}, duration(runDuration(run))),
        el('td', {class: run.error ? 'error-text clip' : 'clip', title: run.error || run.progress || ''},
          run.error || run.progress || ''),
        el('td', {}, isActive(run) ? stopButton(run, ctx) : null)))));
  }

  function stopButton(run, ctx) {
    return el('button', {type: 'button', class: 'stop danger', onclick: async () => {
      if (!window.confirm('Stop run ' + run.id + ' of ' + run.job + '? Its child processes are killed.')) {
        return;
      }
      try {
        await ncj.post('/api/runs/' + encodeURIComponent(run.id) + '/stop');
        ncj.info('Stop requested for run ' + run.id + ' of ' + run.job + '.');
      } catch (error) {
        ncj.failure('Stopping run ' + run.id, error);
      }
      ctx.refreshNow();
    }}, 'Stop');
  }

  // ---- one run ------------------------------------------------------------------------------------------------

  async function runView(view, ctx, id) {
    const body = el('div', {id: 'run'}, el('p', {class: 'muted'}, 'Loading run ' + id + '…'));
    fill(view, body);
    let timer = null;
    async function refresh() {
      let run;
      try {
        run = await ncj.get('/api/runs/' + encodeURIComponent(id));
      } catch (error) {
        fill(body, el('p', {class: 'error-text'}, 'Run ' + id + ': ' + ncj.describe(error)));
        return;
      }
      if (!ctx.alive()) {
        return;
      }
      fill(body, runPage(run, ctx));
      if (!isActive(run) && timer) {
        timer.stop();
      }
    }
    await refresh();
    timer = ctx.every(refresh, 1000);
  }

  function runPage(run, ctx) {
    const failed = !['SUCCEEDED', 'PENDING', 'RUNNING'].includes(run.state);
    const fields = [['Job', link(runsHash({job: run.job}), run.job)], ['Type', run.type], ['Trigger', run.trigger],
      ['Reason', run.reason], ['Attempt', run.attempt], ['Queue', run.queue], ['Instance', run.instance],
      ['Queued', time(run.queued_at)], ['Started', time(run.started_at)], ['Finished', time(run.finished_at)],
      ['Duration', duration(runDuration(run))]];
    return el('div', {},
      el('h2', {}, 'Run ', el('span', {id: 'run-id'}, String(run.id)), ' ', stateBadge(run.state),
        isActive(run) ? el('span', {class: 'muted refreshing'}, ' refreshing every second') : null),
      el('dl', {class: 'fields'}, fields.filter(([, v]) => v !== null && v !== undefined && v !== '')
        .map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
      isActive(run) ? el('div', {class: 'buttons'}, stopButton(run, ctx)) : null,
      section('Progress', 'run-progress', run.progress),
      run.error ? section('Error', 'run-error', run.error, 'error-text') : null,
      section(failed && run.result ? 'Partial result' : 'Result', 'run-result', run.result),
      section('Input', 'run-input', run.input));
  }

  function section(title, id, value, cls) {
    return el('section', {class: 'panel'}, el('h3', {}, title),
      el('pre', {id, class: cls || ''}, pretty(value)));
  }

  Object.assign(ncj, {jobsView, runsView, runView});
})(window.ncj);
