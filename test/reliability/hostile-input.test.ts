/**
 * Hostile input against every route of /api/openapi.json on the real server process (the
 * generator and the checks are in fuzz-harness.ts): the fixed extreme cases and 700 generated
 * requests. About 20 s alone on the 2-core machine, up to 50 s beside the rest of `npm test`;
 * the soak run sends 10,000 (hostile-input.soak.ts). A failure names the fast-check seed:
 * FUZZ_SEED=<seed> npx vitest run test/reliability/hostile-input.test.ts replays the same requests
 * (against a fresh server, so ids differ but the shapes are the same).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabaseWatch, runFuzz, startFuzzTarget, type FuzzTarget } from './fuzz-harness.ts';

let target: FuzzTarget;
beforeAll(async () => {
  target = await startFuzzTarget();
});
afterAll(async () => {
  await target?.close();
});

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const describeProblems = (problems: { kind: string; route: string; example: string; count: number }[]) =>
  problems.map((p) => `${p.kind} on ${p.route} (${p.count}×), e.g. ${p.example.slice(0, 400)}`);

/** A request with the organizer's session, answered as { status, body }. */
async function asOrganizer(method: string, path: string, body: string | Uint8Array) {
  const { cookie, csrfToken } = target.sessions.organizer;
  const response = await fetch(`${target.server.url}${path}`, {
    method,
    headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
    body: body as BodyInit,
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('hostile input against every route of the OpenAPI document', () => {
  it('extreme nesting and sizes on every route that takes a body: no 5xx, JSON errors, nothing written', async () => {
    const run = await runFuzz(target, { runs: 0, fixed: true, ...(seed === undefined ? {} : { seed }) });
    expect(describeProblems(run.problems)).toEqual([]);
    // Only oversized uploads may end with a closed connection instead of an answer.
    expect(run.closedWithoutAnswer.filter((label) => !/chunked|MB/.test(label))).toEqual([]);
    expect(run.statuses[413]).toBeGreaterThan(0);
  });

  it('700 generated requests: no 5xx, no crash, every error { error: { code, message } }, no row written on a 4xx', async () => {
    const run = await runFuzz(target, { runs: 700, fixed: false, ...(seed === undefined ? {} : { seed }) });
    expect(describeProblems(run.problems), `fast-check seed ${run.seed}`).toEqual([]);
    // Every route of the document was exercised, and the requests reached past the gates.
    expect(Object.keys(run.perRoute).sort()).toEqual(target.routes.map((r) => r.key).sort());
    expect(run.statuses[400]).toBeGreaterThan(0);
    expect(run.statuses[200]).toBeGreaterThan(0);
    expect(target.server.hasExited()).toBe(false);
    expect(target.server.lines.filter((l) => /internal error/.test(l.text)).map((l) => l.text)).toEqual([]);
  });
});

describe('text the bundle cannot carry', () => {
  // JSON escapes can carry a lone UTF-16 surrogate ("\udfff"); RFC 8785 cannot canonicalize it, so
  // the audit log (and, at close, the bundle signature) refuses it. It must be refused at the edge:
  // the strict JSON reader of every body does (shared/strict-json.ts).
  it('a meeting title with a lone surrogate is a 400, not a 500, and writes nothing', async () => {
    const watch = openDatabaseWatch(target.dataDir);
    try {
      const response = await asOrganizer('POST', '/api/meetings', '{"title":"Branch \\udfff meeting"}');
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('lone_surrogate');
      expect(watch.changedTables()).toEqual([]);
    } finally {
      watch.close();
    }
  });

  it('a poll whose question title has a lone surrogate is refused at creation, or can still be closed', async () => {
    const org = target.sessions.organizer;
    const meeting = await org.call('POST', '/api/meetings', { title: 'Surrogates' });
    const created = await asOrganizer(
      'POST',
      `/api/meetings/${meeting.id}/polls`,
      '{"title":"Poll","questions":[{"id":"q","type":"single","title":"Candidate \\udc00","options":["agree","disagree"]}]}',
    );
    if (created.status === 400) return expect(created.body.error.code).toBe('lone_surrogate');
    expect(created.status).toBe(201);
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters: [{ name: 'A', number: '1' }] });
    await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'checkin' });
    await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'voting' });
    // Otherwise the ballots of this poll could never be counted.
    const closed = await asOrganizer('POST', `/api/polls/${created.body.id}/transition`, '{"to":"closed"}');
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
  });
});

describe('bytes that are not UTF-8', () => {
  it('a JSON body with invalid UTF-8 is refused, not stored with replacement characters', async () => {
    const watch = openDatabaseWatch(target.dataDir);
    try {
      // {"title":"<ff fe c0>"}
      const body = new Uint8Array([0x7b, 0x22, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x22, 0x7d]);
      const response = await asOrganizer('POST', '/api/meetings', body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_utf8');
      expect(watch.changedTables()).toEqual([]);
    } finally {
      watch.close();
    }
  });
});
