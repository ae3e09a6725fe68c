// The quality-manager JSON API (session cookie; writes are JSON, see web/api/__init__.py).

export class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.message || body.error)) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

async function call(method, url, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const reply = await fetch(url, init);
  const type = reply.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await reply.json().catch(() => null) : await reply.text();
  if (!reply.ok) throw new ApiError(reply.status, typeof data === 'object' ? data : { message: data });
  return data;
}

const enc = encodeURIComponent;

export function api(base = '/api/procedures') {
  return {
    versions: (code) => call('GET', `${base}/${enc(code)}/versions`),
    bpmn: async (code, version) => {
      const reply = await fetch(`${base}/${enc(code)}/versions/${version}/bpmn`, { credentials: 'same-origin' });
      if (!reply.ok) throw new ApiError(reply.status, { message: await reply.text() });
      return reply.text();
    },
    saveDraft: (code, xml, note) => call('PUT', `${base}/${enc(code)}/draft`, { xml, note }),
    validate: (xml) => call('POST', `${base}/validate`, { xml }),
    diff: (code, from, to) => call('GET', `${base}/${enc(code)}/diff?from=${enc(from)}&to=${enc(to)}`),
    submit: (code, version) => call('POST', `${base}/${enc(code)}/versions/${version}/submit`, {})
  };
}

// 422 answers carry {problems: [...]}; other errors a message. Normalise to a problem list or null.
export function problemsOf(error) {
  const body = error && error.body;
  if (body && Array.isArray(body.problems)) return body.problems;
  return null;
}
