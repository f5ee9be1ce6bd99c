'use strict';
// Start-up: the token box, the version line and the hash router (#/, #/runs?job=&state=, #/runs/<id>).
(function (ncj) {
  let generation = 0;
  let timers = [];

  /** A view's context: its timers stop, and its late answers are dropped, once another view is shown. */
  function newContext() {
    timers.forEach((t) => t.stop());
    timers = [];
    const mine = ++generation;
    const ctx = {
      alive: () => mine === generation,
      every(fn, ms) {
        let busy = false;
        const id = setInterval(async () => {
          if (busy || mine !== generation) {
            return;
          }
          busy = true;
          try {
            await fn();
          } finally {
            busy = false;
          }
        }, ms);
        const timer = {fn, stop: () => clearInterval(id)};
        timers.push(timer);
        return timer;
      },
      refreshNow: () => timers.forEach((t) => t.fn()),
    };
    return ctx;
  }

  async function route() {
    const hash = location.hash || '#/';
    const [path, queryText] = hash.substring(1).split('?');
    const params = new URLSearchParams(queryText || '');
    const view = document.getElementById('view');
    const ctx = newContext();
    const runMatch = /^\/runs\/([^/]+)$/.exec(path);
    document.getElementById('nav-jobs').classList.toggle('current', path === '/' || path === '');
    document.getElementById('nav-runs').classList.toggle('current', path.startsWith('/runs'));
    try {
      if (runMatch) {
        document.title = 'Run ' + decodeURIComponent(runMatch[1]) + ' · nomad-camel-jobs';
        await ncj.runView(view, ctx, decodeURIComponent(runMatch[1]));
      } else if (path === '/runs') {
        document.title = 'Runs · nomad-camel-jobs';
        await ncj.runsView(view, ctx, params);
      } else {
        document.title = 'Jobs · nomad-camel-jobs';
        await ncj.jobsView(view, ctx);
      }
    } catch (error) {
      ncj.showError('The page failed: ' + (error && error.message ? error.message : error));
    }
  }

  function showTokenState() {
    const state = document.getElementById('token-state');
    state.textContent = ncj.token() ? 'token set for this tab' : 'no token: read only';
    state.className = ncj.token() ? 'ok' : 'muted';
    document.getElementById('token-forget').hidden = !ncj.token();
  }

  function useToken() {
    const input = document.getElementById('token-input');
    const value = input.value.trim();
    input.value = '';
    if (!value) {
      ncj.showError('Type the API token first.');
      return;
    }
    ncj.setToken(value);
    showTokenState();
    ncj.info('The token is kept for this browser tab only.');
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('token-save').addEventListener('click', useToken);
    document.getElementById('token-input').addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        useToken();
      }
    });
    document.getElementById('token-forget').addEventListener('click', () => {
      ncj.setToken('');
      showTokenState();
    });
    document.getElementById('message-close').addEventListener('click', ncj.clearMessage);
    showTokenState();
    // route files an operator edited that were refused (or wait for runs): shown until fixed
    const problemsBox = document.getElementById('route-problems');
    const showRouteProblems = () => ncj.get('/api/route-problems').then((problems) => {
      problemsBox.replaceChildren(...problems.map((p) => {
        const line = document.createElement('div');
        line.textContent = 'routes/' + p.file + ' ' + p.state + ': ' + p.message;
        return line;
      }));
      problemsBox.hidden = problems.length === 0;
    }).catch(() => {});
    showRouteProblems();
    setInterval(showRouteProblems, 5000);
    ncj.get('/api/version').then((v) => {
      document.getElementById('version').textContent = v.name + ' ' + v.version;
    }).catch(() => {});
    window.addEventListener('hashchange', route);
    route();
  });
})(window.ncj);
