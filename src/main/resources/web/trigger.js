'use strict';
// The Run… box: the fields of the job's type from its input schema (GET /api/job-types), with their types, defaults
// and the job's own values, plus a free JSON override. The server checks the input; its 400 is shown next to the
// field it names.
window.ncj = window.ncj || {};
(function (ncj) {
  const {el, fill, runHash} = ncj;
  let jobTypes = null;

  /** The job types with their input schemas, read once per page. */
  async function schemaOf(type) {
    if (!jobTypes) {
      jobTypes = ncj.get('/api/job-types').catch((error) => {
        jobTypes = null;
        throw error;
      });
    }
    const found = (await jobTypes).find((t) => t.type === type);
    return found ? found.input_schema : null;
  }

  /** "integer 0–36500", "boolean", "absolute path", "duration", "string". */
  function typeText(property) {
    if (property.type === 'integer') {
      return 'integer ' + property.minimum + '–' + property.maximum;
    }
    if (property.format === 'absolute-path') {
      return 'absolute path';
    }
    if (Array.isArray(property.enum)) {
      return 'one of ' + property.enum.join(', ');
    }
    if (property.type === 'array') {
      return 'JSON array of names, e.g. ["app", "billing data"]';
    }
    return property.format || property.type || 'any';
  }

  function control(name, property) {
    if (property.type === 'boolean') {
      return el('select', {'data-field': name, class: 'field-value'}, el('option', {value: ''}, '(keep)'),
        el('option', {value: 'true'}, 'true'), el('option', {value: 'false'}, 'false'));
    }
    return el('input', {'data-field': name, class: 'field-value', type: 'text', spellcheck: 'false',
      placeholder: '(keep)'});
  }

  /** What the operator typed into a field, as JSON would carry it; a number the schema wants is sent as one. */
  function valueOf(input, property) {
    const text = input.value.trim();
    if (property.type === 'boolean') {
      return text === '' ? undefined : text === 'true';
    }
    if (text === '') {
      return undefined;
    }
    if (property.type === 'array') {
      // names are data: only a JSON array says where one ends; anything else goes as typed and the API names the field
      try {
        return JSON.parse(text);
      } catch (notJson) {
        return input.value;
      }
    }
    return property.type === 'integer' && /^-?\d+$/.test(text) ? Number(text) : input.value;
  }

  function fieldsTable(schema, job) {
    const properties = (schema && schema.properties) || {};
    const names = Object.keys(properties);
    if (!names.length) {
      return el('p', {class: 'muted'}, 'This job type declares no input fields: the override below is sent as it is.');
    }
    return el('table', {id: 'trigger-fields', class: 'compact'},
      el('thead', {}, el('tr', {}, ['Field', 'Type', 'Default', 'This job', 'Override', ''].map((h) => el('th', {}, h)))),
      el('tbody', {}, names.map((name) => {
        const p = properties[name];
        const own = job.input && name in job.input ? JSON.stringify(job.input[name]) : '—';
        return el('tr', {'data-field': name, title: p.description || ''},
          el('td', {class: 'mono'}, name),
          el('td', {class: 'field-type'}, typeText(p)),
          el('td', {class: 'field-default mono'}, 'default' in p ? JSON.stringify(p.default) : '—'),
          el('td', {class: 'mono'}, own),
          el('td', {}, control(name, p)),
          el('td', {class: 'field-error error-text', 'data-field': name}));
      })));
  }

  /** Fills panel with the Run… box of job and shows it. */
  async function openTrigger(panel, job) {
    let schema = null;
    try {
      schema = await schemaOf(job.type);
    } catch (error) {
      ncj.failure('Reading the job types', error);
    }
    const input = el('textarea', {id: 'trigger-input', rows: 3, spellcheck: 'false',
      placeholder: '{"dry_run": false}   (optional: a JSON object merged over the job\'s input)'});
    const otherError = el('p', {id: 'trigger-error', class: 'error-text', hidden: true});
    const run = el('button', {type: 'button', id: 'trigger-run', class: 'primary', onclick: submit},
      'Run ' + job.id + ' now');
    fill(panel, el('h3', {}, 'Trigger ', el('span', {class: 'mono'}, job.id), ' ',
      el('span', {class: 'muted'}, job.type)),
    el('p', {class: 'muted'}, 'Fields left empty keep the job\'s input, or the default where it has none.'),
    fieldsTable(schema, job),
    el('label', {for: 'trigger-input'}, 'More input as JSON (merged first, fields above win)'), input, otherError,
    el('div', {class: 'buttons'}, run,
      el('button', {type: 'button', id: 'trigger-cancel', onclick: () => { panel.hidden = true; }}, 'Cancel')));
    panel.hidden = false;
    const first = panel.querySelector('.field-value') || input;
    first.focus();

    function clearErrors() {
      panel.querySelectorAll('td.field-error').forEach((cell) => { cell.textContent = ''; });
      panel.querySelectorAll('tr.field-bad').forEach((row) => row.classList.remove('field-bad'));
      otherError.hidden = true;
    }

    function showFieldError(field, text) {
      const cell = [...panel.querySelectorAll('td.field-error')].find((c) => c.dataset.field === field);
      if (cell) {
        cell.textContent = text;
        cell.parentElement.classList.add('field-bad');
      } else {
        otherError.textContent = (field ? field + ': ' : '') + text;
        otherError.hidden = false;
      }
    }

    async function submit() {
      clearErrors();
      const text = input.value.trim();
      let override = {};
      if (text) {
        try {
          override = JSON.parse(text);
        } catch (error) {
          ncj.showError('The input is not valid JSON (' + error.message + '); nothing was sent.');
          return;
        }
      }
      const properties = (schema && schema.properties) || {};
      let typed = false;
      if (override && typeof override === 'object' && !Array.isArray(override)) {
        panel.querySelectorAll('.field-value').forEach((box) => {
          const value = valueOf(box, properties[box.dataset.field] || {});
          if (value !== undefined) {
            override[box.dataset.field] = value;
            typed = true;
          }
        });
      }
      run.disabled = true;
      try {
        const body = text || typed ? (typed ? JSON.stringify(override) : text) : undefined;
        const answer = await ncj.post('/api/jobs/' + encodeURIComponent(job.id) + '/runs', body);
        ncj.info('Triggered ' + job.id + ': run ' + answer.run_id + ' is ' + answer.state
          + (answer.queue_position ? ', number ' + answer.queue_position + ' in its queue' : '') + '.');
        location.hash = runHash(answer.run_id);
      } catch (error) {
        ncj.failure('Triggering ' + job.id, error);
        if (error instanceof ncj.ApiError && error.status === 400) {
          showFieldError(error.field, error.message);
        }
      } finally {
        run.disabled = false;
      }
    }
  }

  Object.assign(ncj, {openTrigger});
})(window.ncj);
