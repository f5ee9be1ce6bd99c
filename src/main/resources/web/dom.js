'use strict';
// DOM building and formatting. Every piece of data reaches the page as a text node or an attribute value set
// through the DOM: job ids, errors and results are data, never markup, so nothing here parses HTML.
window.ncj = window.ncj || {};
(function (ncj) {

  /** el('td', {class: 'x', onclick: fn}, 'text', otherNode, [more]) builds an element; strings become text. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) {
        continue;
      }
      if (key.startsWith('on') && typeof value === 'function') {
        node.addEventListener(key.substring(2), value);
      } else if (key === 'class') {
        node.className = value;
      } else if (key === 'value') {
        node.value = value;
      } else {
        node.setAttribute(key, value === true ? '' : String(value));
      }
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children) {
      if (child === null || child === undefined || child === false) {
        continue;
      }
      if (Array.isArray(child)) {
        append(node, child);
      } else if (child instanceof Node) {
        node.appendChild(child);
      } else {
        node.appendChild(document.createTextNode(String(child)));
      }
    }
  }

  /** Replaces the children of node. */
  function fill(node, ...children) {
    node.replaceChildren();
    append(node, children);
    return node;
  }

  /** A link inside the console; the hash is built here from encoded parts, never from raw data. */
  function link(hash, text, attrs) {
    return el('a', Object.assign({href: hash}, attrs || {}), text);
  }

  function runHash(id) {
    return '#/runs/' + encodeURIComponent(String(id));
  }

  function runsHash(filters) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(filters || {})) {
      if (value) {
        query.set(key, value);
      }
    }
    const text = query.toString();
    return '#/runs' + (text ? '?' + text : '');
  }

  function stateBadge(state) {
    const known = /^[A-Z_]+$/.test(String(state)) ? String(state).toLowerCase() : 'unknown';
    return el('span', {class: 'state state-' + known, 'data-state': state}, state || '—');
  }

  /** 2025-01-02T03:04:05.123Z → 2025-01-02 03:04:05 UTC */
  function time(iso) {
    if (!iso) {
      return '—';
    }
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(String(iso));
    return m ? m[1] + ' ' + m[2] + ' UTC' : String(iso);
  }

  function duration(ms) {
    if (ms === null || ms === undefined || isNaN(ms)) {
      return '—';
    }
    if (ms < 1000) {
      return Math.max(0, Math.round(ms)) + ' ms';
    }
    const s = ms / 1000;
    if (s < 60) {
      return s.toFixed(1) + ' s';
    }
    const total = Math.floor(s);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const sec = total % 60;
    return h > 0 ? h + 'h ' + String(m).padStart(2, '0') + 'm' : m + 'm ' + String(sec).padStart(2, '0') + 's';
  }

  /** How long a run took, or has taken so far while it runs. */
  function runDuration(run) {
    if (!run.started_at) {
      return null;
    }
    const end = run.finished_at ? Date.parse(run.finished_at) : Date.now();
    return end - Date.parse(run.started_at);
  }

  function relative(iso) {
    if (!iso) {
      return '';
    }
    const ms = Date.parse(iso) - Date.now();
    return ms >= 0 ? 'in ' + duration(ms) : duration(-ms) + ' ago';
  }

  function bytes(n) {
    if (n === null || n === undefined || isNaN(n)) {
      return '—';
    }
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let value = Number(n);
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return (unit === 0 ? value : value.toFixed(1)) + ' ' + units[unit];
  }

  /** JSON for a <pre>: pretty, or the text as it came when it is not JSON. */
  function pretty(value) {
    if (value === null || value === undefined) {
      return '—';
    }
    return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  }

  Object.assign(ncj, {el, fill, link, runHash, runsHash, stateBadge, time, duration, runDuration, relative, bytes,
    pretty});
})(window.ncj);
