'use strict';
// The HTTP API of design §4, the operator's token and the message line. The token is typed once per tab and kept
// in sessionStorage: it goes only into the Authorization header of mutating calls, never into a URL or a log.
window.ncj = window.ncj || {};
(function (ncj) {
  const TOKEN_KEY = 'ncj.apiToken';

  function token() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || '';
    } catch (e) {
      return '';
    }
  }

  function setToken(value) {
    if (value) {
      sessionStorage.setItem(TOKEN_KEY, value);
    } else {
      sessionStorage.removeItem(TOKEN_KEY);
    }
  }

  /** An answer of the API other than 2xx; message is the server's own text ("error" of its JSON body). */
  class ApiError extends Error {
    constructor(status, body) {
      const text = body && typeof body === 'object' && typeof body.error === 'string' ? body.error
        : (typeof body === 'string' && body.trim() ? body.trim() : 'no message');
      super(text);
      this.status = status;
      this.field = body && typeof body === 'object' ? body.field : undefined;
    }
  }

  /** Calls the API; resolves to the parsed JSON body (null for none), rejects with ApiError for non-2xx. */
  async function call(method, path, body) {
    const headers = {Accept: 'application/json'};
    if (method !== 'GET' && token()) {
      headers.Authorization = 'Bearer ' + token();
    }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(path, {method, headers, body, cache: 'no-store', credentials: 'omit'});
    const text = await response.text();
    let parsed = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        parsed = text;
      }
    }
    if (!response.ok) {
      throw new ApiError(response.status, parsed);
    }
    return parsed;
  }

  const get = (path) => call('GET', path);
  const post = (path, body) => call('POST', path, body);

  let hideTimer = null;

  /** Shows a message line; errors stay until dismissed or replaced, notices go after a while. */
  function show(kind, text) {
    const box = document.getElementById('message');
    document.getElementById('message-text').textContent = text;
    box.className = 'message-' + kind;
    box.hidden = false;
    clearTimeout(hideTimer);
    if (kind === 'info') {
      hideTimer = setTimeout(clear, 8000);
    }
  }

  function clear() {
    document.getElementById('message').hidden = true;
  }

  const info = (text) => show('info', text);

  /** The server's answer, verbatim, with its status and the field it names. */
  function failure(what, error) {
    if (error instanceof ApiError) {
      let text = what + ' failed: HTTP ' + error.status + ': ' + error.message;
      if (error.field) {
        text += ' (field: ' + error.field + ')';
      }
      if (error.status === 401 && !token()) {
        text += ' (enter the API token at the top)';
      }
      show('error', text);
    } else {
      show('error', what + ' failed: ' + (error && error.message ? error.message : String(error)));
    }
  }

  /** "HTTP 404: no run 9" for an API answer, the browser's own message when the server was not reached. */
  function describe(error) {
    return error instanceof ApiError ? 'HTTP ' + error.status + ': ' + error.message
      : (error && error.message ? error.message : String(error));
  }

  Object.assign(ncj, {describe, token, setToken, ApiError, get, post, info, failure, clearMessage: clear,
    showError: (text) => show('error', text)});
})(window.ncj);
