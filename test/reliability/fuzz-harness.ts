/**
 * Hostile input against every route of /api/openapi.json, on the real server process.
 *
 * The target: the server as a child process (child-server.ts) with an organizer and an
 * administrator, and meetings whose polls sit in draft, voting and published, so real ids, a real
 * voting code and a real token are at hand. Requests are generated with fast-check: a route from
 * the OpenAPI document with its path parameters filled by real ids or hostile strings; sometimes
 * another method; a body that is a mutated valid body, any JSON value, any object, random bytes,
 * raw text, deep nesting or nothing; a content type that is often JSON and sometimes not; no
 * session, the organizer's or the administrator's (with and without the CSRF token), a forged
 * cookie, or a cross-site Origin. A fixed list adds what random generation rarely reaches:
 * 10,000 nested arrays and objects on every route with a body; bodies just under and over the
 * size limits and a 3 MB chunked upload without a length on three routes.
 *
 * What must hold for every request (`sendAndCheck`):
 *   - no 5xx, and the server process is still there (an oversized upload may be answered by
 *     closing the connection; then the server must still answer the next request);
 *   - every error body is exactly `{ "error": { "code", "message" } }`, JSON (a limit's 429 adds
 *     `messageZh` and `retryAfterSeconds`, and nothing else);
 *   - a 4xx wrote nothing: `PRAGMA data_version` of a read-only connection to the database file
 *     is unchanged, and when it changed, per-table content hashes name the tables written (a
 *     refused sign-in too: the limits count in memory);
 *   - a route that takes a JSON body never succeeds on a body that is not JSON (read leniently:
 *     a leading byte-order mark and invalid UTF-8 are left to their own test) or not sent as JSON;
 *   - the security headers are on every response.
 * Problems are collected by kind and route rather than stopping at the first, so one run lists
 * every distinct failure; the seed reproduces the run.
 */
import { openReadOnly } from '../../server/db/kept-statements.ts';
import fc from 'fast-check';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseFile } from '../../server/config.ts';
import { toBase64 } from '../../shared/encoding.ts';
import { createOrganizerAccount, ORGANIZER, signIn, startChildServer, type ChildServer, type OrganizerSession } from './child-server.ts';
import { ballotsOf, castOverHttp, checkInAll, openMeetingForCheckin } from './meeting-over-http.ts';

export interface RouteSpec {
  method: string;
  /** OpenAPI path, e.g. /api/meetings/{id}/voters */
  template: string;
  params: string[];
  hasBody: boolean;
  key: string;
}

type Auth = 'none' | 'organizer' | 'admin' | 'no-csrf' | 'forged-cookie' | 'cross-site';

export interface FuzzRequest {
  route: RouteSpec;
  method: string;
  path: string;
  auth: Auth;
  contentType: string | undefined;
  body: string | Uint8Array | 'chunked-3mb' | undefined;
  /** Every path parameter is a plain id (a hostile one may lead the request to another route). */
  plainPath: boolean;
  label: string;
}

export interface FuzzTarget {
  server: ChildServer;
  dataDir: string;
  routes: RouteSpec[];
  realIds: string[];
  /** Real ids by kind, to fill each path parameter with an id of the right kind most of the time. */
  idsByKind: { meeting: string[]; poll: string[]; voter: string[]; question: string[] };
  templates: Map<string, unknown[]>;
  sessions: { organizer: OrganizerSession; admin: OrganizerSession };
  close(): Promise<void>;
}

const ADMIN = 'orgdept';

/** Starts the server and sets up the meetings the fuzzer aims at. */
export async function startFuzzTarget(): Promise<FuzzTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'anon-ballot-fuzz-'));
  createOrganizerAccount(dataDir);
  createOrganizerAccount(dataDir, ADMIN, 'admin');
  const server = await startChildServer(dataDir);
  try {
    const draft = await openMeetingForCheckin(server.url, 3, { open: 'draft' });
    const voting = await openMeetingForCheckin(server.url, 4);
    const votingTokens = await checkInAll(server.url, { ...voting, slips: voting.slips.slice(0, 2) });
    await castOverHttp(server.url, ballotsOf(votingTokens[0]!, { c1: 'agree', c2: 'agree' }));
    const checkin = await openMeetingForCheckin(server.url, 3);
    const closed = await openMeetingForCheckin(server.url, 2);
    const closedTokens = await checkInAll(server.url, { ...closed, slips: closed.slips.slice(0, 1) });
    await castOverHttp(server.url, ballotsOf(closedTokens[0]!, { c1: 'disagree', c2: 'abstain' }));
    await closed.org.call('POST', `/api/polls/${closed.pollId}/transition`, { to: 'closed' });
    await closed.org.call('POST', `/api/polls/${closed.pollId}/transition`, { to: 'published' });

    const voterIds = (
      await Promise.all([draft, voting].map((m) => m.org.call('GET', `/api/meetings/${m.meetingId}/voters`)))
    ).flatMap((r) => (r.voters as { id: string }[]).map((v) => v.id));
    // Meetings, polls (draft, voting, published), voters, and the question ids of the polls.
    const realIds = [draft.meetingId, voting.meetingId, checkin.meetingId, closed.meetingId, draft.pollId, voting.pollId, checkin.pollId, closed.pollId, ...voterIds, 'c1', 'c2'];

    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    const routes: RouteSpec[] = Object.entries(doc.paths).flatMap(([template, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        template,
        params: [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        hasBody: operation.requestBody !== undefined,
        key: `${method.toUpperCase()} ${template}`,
      })),
    );

    // Checked-in voters' codes: slips printed again revoke only the codes of voters not checked in.
    const code = new URL(voting.slips[0]!.link).hash.match(/c=([^&]+)/)![1]!;
    const checkinCode = new URL(checkin.slips[0]!.link).hash.match(/c=([^&]+)/)![1]!;
    const question = (id: string) => ({ id, type: 'single', title: id, options: ['agree', 'disagree', 'abstain'] });
    const templates = new Map<string, unknown[]>([
      ['POST /api/session', [{ username: 'nobody-here', password: 'wrong password' }]],
      ['POST /api/users', [{ username: 'new-organizer', password: 'long enough password', role: 'organizer' }]],
      ['POST /api/meetings', [{ title: 'Branch meeting' }]],
      ['POST /api/meetings/{id}/voters', [{ voters: [{ name: 'A', number: '1', groups: ['members'], status: 'full' }] }]],
      [
        'POST /api/meetings/{id}/polls',
        [
          { title: 'Poll', questions: [question('a'), { id: 'r', type: 'approval', title: 'R', options: ['x', 'y'], maxChoices: 1 }] },
          { title: 'Poll', kind: 'member_acceptance', candidates: [{ id: 'cand-1', name: 'A' }], settings: { quorum: { fraction: '2/3' } } },
          { title: 'Poll', kind: 'league_recommendation', candidates: [{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }], maxChoices: 1 },
        ],
      ],
      ['POST /api/meetings/{id}/transition', [{ to: 'checkin' }]],
      ['POST /api/meetings/{id}/slips', [{ voterIds }]],
      ['PUT /api/meetings/{id}/exclusions/{voterId}', [{ reason: 'abroad for a year', approvedBy: 'College committee' }]],
      ['PATCH /api/polls/{id}', [{ title: 'New title', questions: [question('c1')] }]],
      ['POST /api/polls/{id}/transition', [{ to: 'voting', headCount: 0 }, { to: 'voting', headCount: 2, headCountNote: 'one came late', strike: voterIds.slice(0, 1) }]],
      ['PUT /api/polls/{id}/declared-not-voted', [{ count: 1 }]],
      ['PUT /api/meetings/{id}/late-check-in', [{ allowed: true, exposureAccepted: true }]],
      ['PUT /api/polls/{id}/written-opinions/{voterId}', [{ choices: { c1: 'agree', c2: 'disagree' } }]],
      ['PUT /api/polls/{id}/scrutineers', [{ scrutineers: [{ name: 'Zhao', role: 'supervisor' }] }]],
      ['PUT /api/polls/{id}/decisions/{questionId}', [{ step: 'committee_decision', outcome: 'confirmed', decidedBy: 'Branch committee', date: '2026-11-30', note: 'minutes p. 3' }]],
      ['POST /api/checkin/lookup', [{ code }]],
      [
        'POST /api/checkin',
        [
          {
            code: checkinCode,
            roomCode: checkin.roomCode,
            requests: ['c1', 'c2'].map((questionId) => ({ pollId: checkin.pollId, group: 'members', questionId, blindedMessage: toBase64(randomBytes(256)) })),
          },
        ],
      ],
      ['POST /api/checkin/status', [{ checkinId: 'abcdefghijklmnopqrstuvwxyz' }]],
      ['POST /api/ballots', [{ ballots: ballotsOf(votingTokens[1]!, { c1: 'agree', c2: 'abstain' }) }]],
    ]);

    return {
      server,
      dataDir,
      routes,
      realIds,
      idsByKind: {
        meeting: [draft.meetingId, voting.meetingId, checkin.meetingId, closed.meetingId],
        poll: [draft.pollId, voting.pollId, checkin.pollId, closed.pollId],
        voter: voterIds,
        question: ['c1', 'c2'],
      },
      templates,
      sessions: { organizer: draft.org, admin: await signIn(server.url, ADMIN, ORGANIZER.password) },
      async close() {
        if (!server.hasExited()) await server.kill('SIGKILL');
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

// ---- hostile values ----

/** Characters that break naive code: lone surrogates, NUL, bidi override, BOM, quotes, percent. */
const hostileChar = fc.oneof(
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\u0000', '\u202e', '\ufeff', '"', '\\', '<', '%', '\n', '🗳️'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const hostileString = fc.oneof(
  // Mostly plausible text with one bad character in it, so it gets past the schema's length and type checks.
  fc.tuple(fc.string({ maxLength: 12 }), hostileChar, fc.string({ maxLength: 12 })).map((parts) => parts.join('')),
  fc.string({ unit: hostileChar, maxLength: 40 }),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', '   ', '__proto__', 'constructor', 'null', '-1', 'NaN', 'x'.repeat(201), 'x'.repeat(5000), '../../etc/passwd', 'members', 'agree'),
);
const hostileNumber = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.constantFrom('1e999', '-1e999', '-0', '0', '0.5', '-1', '200', '201', '5001', '9007199254740993', '1e-7'),
);
export const deepArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
export const deepObjects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** JSON text for values JavaScript objects cannot hold as literals (own __proto__, deep nesting). */
const hostileJsonText = fc.oneof(
  fc.jsonValue({ maxDepth: 3, stringUnit: hostileChar }).map((v) => JSON.stringify(v)),
  hostileString.map((s) => JSON.stringify(s)),
  fc.constantFrom(
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    deepArrays(1000),
    deepObjects(1000),
    '1e999',
    '-0',
    '9007199254740993',
    '1.5',
    '-1',
    'true',
    'null',
    '[]',
    '{}',
    JSON.stringify('x'.repeat(60_000)),
    JSON.stringify(Array.from({ length: 3000 }, (_, i) => `v${i}`)),
  ),
);

const PLACEHOLDER_VALUE = '\u0000fuzz-placeholder\u0000';
/** How the placeholder value reads once stringified; replaced by the hostile JSON text. */
const PLACEHOLDER = JSON.stringify(PLACEHOLDER_VALUE);

type Path = (string | number)[];
function pathsOf(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return [path, ...value.flatMap((v, i) => pathsOf(v, [...path, i]))];
  if (value && typeof value === 'object') return [path, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...path, k]))];
  return [path];
}

export interface Mutation {
  pick: number;
  /** retype: a leaf replaced by a hostile value of its own type (reaches past type checks); replace: by any hostile JSON. */
  op: 'retype' | 'replace' | 'delete' | 'add';
  key: string;
  json: string;
  text: string;
  number: string;
}

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom('retype' as const, 'retype' as const, 'retype' as const, 'replace' as const, 'replace' as const, 'delete' as const, 'add' as const),
  key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'extra'), hostileString),
  json: hostileJsonText,
  text: hostileString,
  number: hostileNumber,
});

/**
 * A valid body with one change: a value replaced by hostile JSON (spliced in as text, so own
 * `__proto__` keys and deep nesting survive), a key removed, or a hostile key added.
 */
export function mutate(template: unknown, m: Mutation): string {
  const clone = structuredClone(template) as any;
  const paths = pathsOf(clone);
  const leaves = paths.filter((p) => {
    const v = p.reduce((n: any, step) => n[step], clone);
    return v === null || typeof v !== 'object';
  });
  const path = (m.op === 'retype' && leaves.length ? leaves : paths)[m.pick % (m.op === 'retype' && leaves.length ? leaves : paths).length]!;
  const current = path.reduce((n: any, step) => n[step], clone);
  const replacement =
    m.op === 'retype' ? (typeof current === 'string' ? JSON.stringify(m.text) : typeof current === 'number' ? m.number : m.json) : m.json;
  if (m.op === 'replace' || m.op === 'retype') {
    if (path.length === 0) return replacement;
    const parent = path.slice(0, -1).reduce((node: any, step) => node[step], clone);
    parent[path.at(-1)!] = PLACEHOLDER_VALUE;
  } else if (m.op === 'delete') {
    if (path.length === 0) return '';
    const parent = path.slice(0, -1).reduce((node: any, step) => node[step], clone);
    if (Array.isArray(parent)) parent.splice(Number(path.at(-1)), 1);
    else delete parent[path.at(-1)!];
    return JSON.stringify(clone);
  } else {
    if (Array.isArray(current)) current.push(PLACEHOLDER_VALUE);
    else if (current && typeof current === 'object')
      Object.defineProperty(current, m.key, { value: PLACEHOLDER_VALUE, enumerable: true, configurable: true, writable: true });
    else return JSON.stringify(clone);
  }
  return JSON.stringify(clone).replace(PLACEHOLDER, () => replacement);
}

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'application/json;',
  'APPLICATION/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/vnd.api+json',
  'application/json, text/plain',
  'application/jsonx',
];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Header-safe text: fetch refuses header values outside Latin-1 or with line breaks. */
const headerText = fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((s) => s.replace(/[\r\n\u0000-\u001f\u007f]/g, ''));

/** encodeURIComponent, with lone surrogates (which it refuses) replaced as a URL parser would. */
const encodeSegment = (s: string) => encodeURIComponent(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\ufffd'));

export function requestArbitrary(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  const { meeting, poll, voter, question } = target.idsByKind;
  const segment = (kind: string[]) =>
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...kind) },
      { weight: 2, arbitrary: fc.constantFrom(...target.realIds) },
      { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9]{16}$/) },
      { weight: 2, arbitrary: hostileString.map(encodeSegment) },
      { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%00', '%2F', '%2e%2e', '..', 'a%20b', '%ZZ') },
    );
  const kindOf = (template: string, param: string) =>
    param === 'voterId' ? voter : param === 'questionId' ? question : /\/polls\/\{id\}/.test(template) ? poll : meeting;
  return fc.constantFrom(...target.routes).chain((route) => {
    const templates = target.templates.get(route.key) ?? [{}];
    const body = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.tuple(fc.constantFrom(...templates), mutationArbitrary).map(([template, m]) => mutate(template, m)),
      },
      { weight: 2, arbitrary: fc.jsonValue({ stringUnit: hostileChar }).map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 1, arbitrary: fc.object({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }) },
      { weight: 1, arbitrary: hostileString },
      { weight: 1, arbitrary: fc.constantFrom(undefined, deepArrays(10_000), deepObjects(10_000), '['.repeat(30_000)) },
    );
    return fc.record({
      method: fc.oneof({ weight: 19, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
      params: fc.tuple(...route.params.map((param) => segment(kindOf(route.template, param)))),
      auth: fc.constantFrom<Auth>('none', 'organizer', 'organizer', 'organizer', 'admin', 'admin', 'no-csrf', 'forged-cookie', 'cross-site'),
      contentType: fc.oneof(
        { weight: 8, arbitrary: fc.constant('application/json') },
        { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: headerText },
      ),
      body,
    }).map(({ method, params, auth, contentType, body }) => {
      let i = 0;
      const path = route.template.replace(/\{\w+\}/g, () => params[i++]!);
      const noBody = method === 'GET' || method === 'HEAD';
      return {
        route,
        method,
        path,
        auth,
        contentType,
        body: noBody ? undefined : body,
        plainPath: params.every((p) => /^[A-Za-z0-9_-]+$/.test(p)),
        label: `${method} ${path.slice(0, 120)} auth=${auth} type=${contentType} body=${describeBody(noBody ? undefined : body)}`,
      };
    });
  });
}

function describeBody(body: FuzzRequest['body']): string {
  if (body === undefined) return '(none)';
  if (body === 'chunked-3mb') return '(3 MB chunked)';
  if (typeof body === 'string') return body.length > 160 ? `${JSON.stringify(body.slice(0, 160))}… (${body.length} chars)` : JSON.stringify(body);
  return `(${body.length} random bytes)`;
}

/**
 * Cases random generation rarely reaches. Extreme nesting on every route that takes a body; the
 * size limits on three routes (the limit is one middleware chosen by path: the roster import's
 * 2 MB, the cast's and the check-in's sized from the largest poll in server/body-limits.ts, the
 * 64 KB of every other route).
 */
export function fixedHostileRequests(target: FuzzTarget): FuzzRequest[] {
  const [, votingMeeting, , , votingPoll, , voter] = target.realIds;
  const fill = (route: RouteSpec) => {
    const ids = route.template.startsWith('/api/polls') ? [votingPoll!, voter!] : [votingMeeting!, voter!];
    let i = 0;
    return route.template.replace(/\{\w+\}/g, () => ids[i++ % 2]!);
  };
  const request = (route: RouteSpec, label: string, body: FuzzRequest['body'], auth: Auth = 'organizer'): FuzzRequest => {
    const path = fill(route);
    return { route, method: route.method, path, auth, contentType: 'application/json', body, plainPath: true, label: `${route.method} ${path} auth=${auth}: ${label}` };
  };
  const requests: FuzzRequest[] = [];
  for (const route of target.routes.filter((r) => r.hasBody)) {
    const template = target.templates.get(route.key)?.[0] ?? {};
    const deepInField = mutate(template, { pick: 1, op: 'replace', key: 'x', json: deepArrays(10_000), text: '', number: '0' });
    requests.push(
      request(route, '10,000 nested arrays', deepArrays(10_000)),
      request(route, '10,000 nested objects', deepObjects(10_000)),
      request(route, '30,000 unclosed brackets', '['.repeat(30_000)),
      request(route, '10,000 nested arrays in a field', deepInField),
      request(route, 'own __proto__ and constructor keys', '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}'),
      request(route, 'a byte-order mark before valid JSON', `\ufeff${JSON.stringify(template)}`),
    );
  }
  const sized = target.routes.filter((r) => ['POST /api/ballots', 'POST /api/meetings/{id}/voters', 'POST /api/meetings'].includes(r.key));
  for (const route of sized)
    for (const auth of ['organizer', 'none'] as const)
      requests.push(
        request(route, 'a string just under 64 KB', JSON.stringify({ title: 'x'.repeat(60_000), token: 'z' }), auth),
        request(route, 'a string over 64 KB', JSON.stringify({ title: 'x'.repeat(70_000) }), auth),
        request(route, 'a 1.9 MB array of numbers', JSON.stringify({ voters: Array.from({ length: 380_000 }, (_, i) => i) }), auth),
        request(route, '2.5 MB of JSON', JSON.stringify({ voters: 'v'.repeat(2_500_000) }), auth),
        request(route, '3 MB chunked without a length', 'chunked-3mb', auth),
      );
  return requests;
}

// ---- sending and checking ----

/** Fingerprints of the database file, read through a separate read-only connection. */
export function openDatabaseWatch(dataDir: string) {
  const db = openReadOnly(databaseFile(dataDir));
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((t) => t.name);
  const hashes = () =>
    new Map(
      tables.map((name) => {
        const hash = createHash('sha256');
        // all(), not iterate(): an iterator the collector frees aborts Node 24 (server/db/kept-statements.ts).
        for (const row of db.prepare(`SELECT * FROM "${name}"`).raw().all() as unknown[][])
          hash.update(JSON.stringify(row.map((v) => (Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? String(v) : v))));
        return [name, hash.digest('hex')];
      }),
    );
  let last = hashes();
  let version = db.pragma('data_version', { simple: true });
  return {
    /** Tables whose content changed since the previous call (empty when nothing was committed). */
    changedTables(): string[] {
      const now = db.pragma('data_version', { simple: true });
      if (now === version) return [];
      version = now;
      const current = hashes();
      const changed = tables.filter((t) => current.get(t) !== last.get(t));
      last = current;
      return changed.length ? changed : ['(a commit that changed no row)'];
    },
    close: () => db.close(),
  };
}

function headersFor(request: FuzzRequest, session: OrganizerSession | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  if (session && request.auth !== 'forged-cookie') headers.cookie = session.cookie;
  if (session && request.auth !== 'no-csrf') headers['x-csrf-token'] = session.csrfToken;
  if (request.auth === 'forged-cookie') headers.cookie = `ab_session=${randomBytes(32).toString('base64url')}`;
  if (request.auth === 'cross-site') headers.origin = 'https://evil.example';
  return headers;
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * Sends one request on a connection of its own (node:http, no keep-alive), so a connection the
 * server closes after refusing an oversized upload never carries the next request; and the early
 * 413 is still read even though the upload is cut short.
 */
function send(url: string, method: string, headers: Record<string, string>, body: FuzzRequest['body']): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const outgoing: Record<string, string> = { ...headers };
    const bytes = body === undefined || body === 'chunked-3mb' ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    if (bytes) outgoing['content-length'] = String(bytes.length);
    const req = httpRequest(url, { method, headers: outgoing, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (body === 'chunked-3mb') {
      // Transfer-Encoding: chunked, 64 KB at a time, without a Content-Length.
      let sent = 0;
      const chunk = Buffer.alloc(64 * 1024, 0x5b);
      const pump = () => {
        while (sent < 3 * 1024 * 1024 && !answered && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    } else req.end(bytes);
  });
}

export interface FuzzProblem {
  kind: string;
  route: string;
  example: string;
}

/** Sends one request and returns the problems it shows (empty when all is well) and the status. */
export async function sendAndCheck(
  target: FuzzTarget,
  watch: ReturnType<typeof openDatabaseWatch>,
  request: FuzzRequest,
): Promise<{ status: number; problems: FuzzProblem[] }> {
  const problems: FuzzProblem[] = [];
  const problem = (kind: string, detail: string) => problems.push({ kind, route: request.route.key, example: `${request.label} → ${detail}` });
  // Signing out ends the session: give that route a session of its own.
  const signsOut = request.method === 'DELETE' && request.path === '/api/session';
  const base = request.auth === 'admin' ? target.sessions.admin : request.auth === 'none' ? undefined : target.sessions.organizer;
  const session = base && signsOut ? await signIn(target.server.url, request.auth === 'admin' ? ADMIN : ORGANIZER.username) : base;
  watch.changedTables();

  let response: RawResponse;
  try {
    response = await send(`${target.server.url}${request.path}`, request.method, headersFor(request, session), request.body);
  } catch (error) {
    // The server may close the connection on an oversized upload before answering; fine, if it
    // is still there and wrote nothing.
    const oversized = request.body === 'chunked-3mb' || (request.body?.length ?? 0) > 64 * 1024;
    const alive = !target.server.hasExited() && (await fetch(`${target.server.url}/api/public/signer`).then((r) => r.ok, () => false));
    if (!alive) problem('server crashed', String(error));
    else if (!oversized) problem('connection failed', String(error));
    const written = watch.changedTables();
    if (written.length) problem('a refused request wrote', `connection closed, but wrote ${written.join(', ')}`);
    return { status: 0, problems };
  }
  const { status, text } = response;
  const written = watch.changedTables();

  if (status >= 500) problem('5xx', `${status} ${text.slice(0, 200)}`);
  for (const header of ['content-security-policy', 'x-content-type-options', 'x-frame-options'])
    if (response.headers[header] === undefined) problem('missing security header', `${status} without ${header}`);
  if (request.method !== 'HEAD' && status >= 400) {
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const shaped =
      body &&
      typeof body === 'object' &&
      Object.keys(body).join() === 'error' &&
      (Object.keys(body.error ?? {}).sort().join() === 'code,message' ||
        (status === 429 && Object.keys(body.error ?? {}).sort().join() === 'code,message,messageZh,retryAfterSeconds')) &&
      typeof body.error.code === 'string' &&
      typeof body.error.message === 'string';
    if (!shaped) problem('error body not { error: { code, message } }', `${status} ${text.slice(0, 200)}`);
    if (!/^application\/json/.test(response.headers['content-type'] ?? '')) problem('error not sent as JSON', `${status} ${response.headers['content-type']}`);
  }
  if (status >= 400 && status < 500 && written.length) problem('a refused request wrote', `${status} ${text.slice(0, 120)} but wrote ${written.join(', ')}`);
  if (status < 300 && request.route.hasBody && request.method === request.route.method && request.plainPath) {
    const isJsonType = /^application\/json(\s*;|$)/i.test(request.contentType ?? '');
    // Read as leniently as the server may: invalid UTF-8 replaced, a leading byte-order mark
    // ignored (RFC 8259 §8.1 allows both; strict UTF-8 has its own test).
    let parses = request.body !== undefined && request.body !== 'chunked-3mb';
    try {
      const text = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body as Uint8Array);
      JSON.parse(text.replace(/^\ufeff/, ''));
    } catch {
      parses = false;
    }
    if (!isJsonType || !parses) problem('accepted a body that is not JSON', `${status} ${text.slice(0, 120)}`);
  }
  return { status, problems };
}

export interface FuzzRun {
  seed: number;
  requests: number;
  statuses: Record<number, number>;
  /** Requests sent per route key ("POST /api/ballots"). */
  perRoute: Record<string, number>;
  /** Requests whose connection the server closed before answering (oversized uploads only, or they are problems). */
  closedWithoutAnswer: string[];
  /** Distinct problems: the first example of each kind on each route, and how often it happened. */
  problems: (FuzzProblem & { count: number })[];
}

/** Sends the fixed hostile cases and then `runs` generated requests. */
export async function runFuzz(target: FuzzTarget, options: { runs: number; seed?: number; fixed?: boolean }): Promise<FuzzRun> {
  // Status 0 in `statuses`: the server closed the connection on an oversized upload (see sendAndCheck).
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const generated = fc.sample(requestArbitrary(target), { numRuns: options.runs, seed });
  const requests = [...(options.fixed === false ? [] : fixedHostileRequests(target)), ...generated];
  const watch = openDatabaseWatch(target.dataDir);
  const statuses: Record<number, number> = {};
  const closedWithoutAnswer: string[] = [];
  const perRoute: Record<string, number> = {};
  const found = new Map<string, FuzzProblem & { count: number }>();
  try {
    for (const request of requests) {
      const { status, problems } = await sendAndCheck(target, watch, request);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 0) closedWithoutAnswer.push(request.label);
      perRoute[request.route.key] = (perRoute[request.route.key] ?? 0) + 1;
      for (const p of problems) {
        const key = `${p.kind}|${p.route}`;
        const seen = found.get(key);
        if (seen) seen.count++;
        else found.set(key, { ...p, count: 1 });
      }
      if (target.server.hasExited()) break;
    }
  } finally {
    watch.close();
  }
  return { seed, requests: requests.length, statuses, perRoute, closedWithoutAnswer, problems: [...found.values()] };
}
