import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestServer } from '../helpers/test-server.ts';
import { createMeeting } from '../helpers/meeting.ts';

let t: TestServer;
let ctx: Awaited<ReturnType<typeof createMeeting>>;
beforeAll(async () => {
  t = startTestApp();
  ctx = await createMeeting(t, { voters: 2 });
});
afterAll(() => t.close());

/** Row counts of every table, to show a refused request wrote nothing. */
function snapshot() {
  const tables = t.deps.db.$client.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_\\_%' ESCAPE '\\'`).all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, (t.deps.db.$client.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]));
}

async function send(method: string, path: string, body: string | undefined, contentType = 'application/json', auth = true) {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (auth) Object.assign(headers, { cookie: ctx.org.cookie, 'x-csrf-token': ctx.org.csrfToken });
  const response = await t.app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
  const json = (await response.json()) as any;
  return { status: response.status, json };
}

describe('bad input gets a clear 4xx and changes nothing', () => {
  const routes = (): [string, string][] => [
    ['POST', '/api/session'],
    ['POST', '/api/users'],
    ['POST', '/api/meetings'],
    ['POST', `/api/meetings/${ctx.meetingId}/voters`],
    ['POST', `/api/meetings/${ctx.meetingId}/polls`],
    ['POST', `/api/meetings/${ctx.meetingId}/transition`],
    ['POST', `/api/meetings/${ctx.meetingId}/slips`],
    ['PATCH', `/api/polls/${ctx.pollId}`],
    ['POST', `/api/polls/${ctx.pollId}/transition`],
    ['POST', '/api/checkin/lookup'],
    ['POST', '/api/checkin'],
    ['POST', '/api/ballots'],
  ];
  const bodies: [string, string, string?][] = [
    ['malformed JSON', '{"title": '],
    ['a JSON array', '[1,2,3]'],
    ['a JSON string', '"hello"'],
    ['null', 'null'],
    ['unknown keys', '{"unexpected": true, "title": "x", "to": "checkin", "code": "x"}'],
    ['wrong types', '{"title": 5, "to": 7, "code": [], "token": {}, "voters": "all", "username": 1, "password": 2}'],
    ['an over-long string', JSON.stringify({ title: 'x'.repeat(5000), code: 'y'.repeat(5000), token: 'z'.repeat(5000) })],
    ['form content type', 'title=x', 'application/x-www-form-urlencoded'],
    ['text content type', '{"title":"x"}', 'text/plain'],
  ];

  it('refuses every malformed body on every route with a JSON error, never a 5xx', async () => {
    for (const [method, path] of routes()) {
      for (const [label, body, type] of bodies) {
        const before = snapshot();
        const { status, json } = await send(method!, path!, body, type);
        expect(status, `${method} ${path} with ${label}`).toBeGreaterThanOrEqual(400);
        expect(status, `${method} ${path} with ${label}`).toBeLessThan(500);
        expect(json.error, `${method} ${path} with ${label}`).toMatchObject({ code: expect.any(String), message: expect.any(String) });
        expect(snapshot(), `${method} ${path} with ${label}`).toEqual(before);
      }
    }
  });

  it('answers 415 for a non-JSON content type and 400 naming the field for a schema error', async () => {
    const form = await send('POST', '/api/meetings', 'title=x', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
    const missing = await send('POST', '/api/meetings', '{}');
    expect(missing.status).toBe(400);
    expect(missing.json.error.code).toBe('invalid_body');
    expect(missing.json.error.message).toMatch(/title/);
    const extra = await send('POST', `/api/meetings/${ctx.meetingId}/slips`, '{"voterIds": [], "all": true}');
    expect(extra.status).toBe(400);
    expect(extra.json.error.message).toMatch(/all/);
  });

  it('refuses bodies over the 64 KB limit with 413 on routes whose bodies do not grow with the poll', async () => {
    const before = snapshot();
    const huge = JSON.stringify({ code: 'A'.repeat(70 * 1024) });
    for (const path of ['/api/checkin/lookup', '/api/checkin/status', '/api/self-evaluations', '/api/meetings']) {
      const response = await t.app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(huge.length), cookie: ctx.org.cookie, 'x-csrf-token': ctx.org.csrfToken },
        body: huge,
      });
      expect(response.status, path).toBe(413);
      expect(((await response.json()) as any).error.code).toBe('payload_too_large');
    }
    expect(snapshot()).toEqual(before);
  });

  it('refuses, before parsing, a body nested deeper or holding more values than any request of the API, even at the size of the largest cast', async () => {
    const before = snapshot();
    const castLimit = (await import('../../server/body-limits.ts')).CAST_BODY_LIMIT;
    const nested = '['.repeat(castLimit / 2 - 8) + ']'.repeat(castLimit / 2 - 8);
    const deep = await send('POST', '/api/ballots', nested);
    expect([deep.status, deep.json.error.code, deep.json.error.message]).toEqual([400, 'invalid_body', 'the JSON nests deeper than 16 levels, which no request of this API does']);
    const many = await send('POST', '/api/ballots', `{"ballots":[${'{},'.repeat(150_000)}{}]}`);
    expect([many.status, many.json.error.message]).toEqual([400, 'the JSON holds more than 100000 values, which no request of this API does']);
    // Brackets and commas inside strings are text, not structure.
    const inString = await send('POST', '/api/ballots', JSON.stringify({ ballots: [{ token: '['.repeat(40) + ','.repeat(40), salt: 'x', answer: 'agree' }] }));
    expect(inString.json.error.message).not.toMatch(/nests deeper|more than 100000/);
    expect(snapshot()).toEqual(before);
  });

  it('rejects a roster with a duplicate number as a whole, naming the line', async () => {
    const before = snapshot();
    const { status, json } = await send(
      'POST',
      `/api/meetings/${ctx.meetingId}/voters`,
      JSON.stringify({ voters: [{ name: 'A', number: 'X1' }, { name: 'B', number: 'X1' }] }),
    );
    expect(status).toBe(409);
    expect(json.error.message).toMatch(/line 2/);
    expect(snapshot()).toEqual(before);
  });

  it('rejects questions with duplicate ids or an impossible maxChoices', async () => {
    const q = (id: string) => ({ id, type: 'single', title: id, options: ['agree', 'disagree', 'abstain'] });
    for (const questions of [[q('a'), q('a')], [{ id: 'r', type: 'approval', title: 'r', options: ['x'], maxChoices: 2 }], []]) {
      const { status, json } = await send('POST', `/api/meetings/${ctx.meetingId}/polls`, JSON.stringify({ title: 'P', questions }));
      expect(status).toBe(400);
      expect(json.error.code).toBe('invalid_body');
    }
  });

  it('refuses a body that names a member twice (a Mallory title before the real one) with 400 duplicate_member, and changes nothing', async () => {
    const pollBefore = (await send('GET', `/api/polls/${ctx.pollId}`, undefined)).json;
    const before = snapshot();
    // JSON.parse keeps the last title, a first-wins reader (or a person) the first: the server reads neither.
    const edit = await send('PATCH', `/api/polls/${ctx.pollId}`, '{"title":"Mallory","title":"接收预备党员"}');
    expect([edit.status, edit.json.error.code]).toEqual([400, 'duplicate_member']);
    expect(edit.json.error.message).toMatch(/duplicate member title/);
    // The same name unescaped and escaped is the same name; a duplicate deep inside is found too.
    const escaped = await send('POST', '/api/meetings', '{"title":"Mallory","\\u0074itle":"第一党支部"}');
    expect([escaped.status, escaped.json.error.code]).toEqual([400, 'duplicate_member']);
    const deep = await send('POST', `/api/meetings/${ctx.meetingId}/voters`, '{"voters":[{"name":"A","number":"9","name":"B"}]}');
    expect([deep.status, deep.json.error.code, deep.json.error.message]).toEqual([400, 'duplicate_member', expect.stringContaining('voters[0].name')]);
    expect(snapshot()).toEqual(before);
    expect((await send('GET', `/api/polls/${ctx.pollId}`, undefined)).json).toEqual(pollBefore);
  });

  it('refuses bodies that are not UTF-8 or hold a lone surrogate, with their own codes, and changes nothing', async () => {
    const before = snapshot();
    const notUtf8 = await t.app.request('/api/meetings', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: ctx.org.cookie, 'x-csrf-token': ctx.org.csrfToken },
      body: new Uint8Array([...new TextEncoder().encode('{"title":"'), 0xff, 0xfe, ...new TextEncoder().encode('"}')]),
    });
    expect([notUtf8.status, ((await notUtf8.json()) as any).error.code]).toEqual([400, 'invalid_utf8']);
    const lone = await send('POST', '/api/meetings', '{"title":"Branch \\udfff meeting"}');
    expect([lone.status, lone.json.error.code]).toEqual([400, 'lone_surrogate']);
    expect(snapshot()).toEqual(before);
  });

  it('answers unknown API routes and unknown ids with 404 JSON', async () => {
    expect((await send('GET', '/api/nothing-here', undefined)).status).toBe(404);
    expect((await send('GET', '/api/polls/doesnotexist', undefined)).json.error.code).toBe('not_found');
    expect((await send('GET', '/api/public/polls/doesnotexist/bundle', undefined, 'application/json', false)).status).toBe(404);
  });

  it('serves an OpenAPI document generated from the same schemas', async () => {
    const response = await t.app.request('/api/openapi.json');
    const doc = (await response.json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    const cast = doc.paths['/api/ballots'].post;
    expect(cast.requestBody.content['application/json'].schema.required).toEqual(['ballots']);
    expect(cast.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/checkin', '/api/meetings/{id}/voters', '/api/public/polls/{id}/bundle']));
  });
});
