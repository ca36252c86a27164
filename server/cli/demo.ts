/**
 * `npm run demo -- --voters 40 [--kind member_acceptance] --data-dir DIR --out FILE`
 *
 * Runs a complete branch meeting through the real HTTP API on an ephemeral loopback port:
 * an administrator (created in the database, as `npm run admin` would) creates an organizer;
 * the organizer creates a meeting with a poll on two candidates, imports a roster, opens
 * check-in and prints slips; most voters check in with the same client code the browser runs
 * (one blinded request per candidate, with the room code); voting opens with the head count and
 * every check-in is signed at once; each device finalizes and verifies its tokens and casts all
 * its ballots anonymously in one request, checking the signed receipts; the poll is closed and
 * published; the public bundle is written to FILE for `npm run verify`, and the installation's
 * public key, as GET /api/public/signer answers it, to signer.json beside it, so that the bundle
 * can be verified pinned to that key: `npm run verify -- FILE --signer-file DIR/signer.json`.
 * (In a real installation the key comes from its notice, not from the server being checked.)
 */
import { serve } from '@hono/node-server';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { castPoll, checkInVoter, collectTokens, heldTokens, memoryStore, parseVotingFragment, submitSelfEvaluation, voterSlot } from '../../shared/protocol/voter-flow.ts';
import type { BundleV2 } from '../../shared/protocol/bundle.ts';
import { ABSTAIN, type Choice, type Question } from '../../shared/protocol/poll.ts';
import { POLL_KINDS, type PollKind } from '../../shared/tally/rules.ts';
import { createApp } from '../app.ts';
import { databaseFile } from '../config.ts';
import { loadOrCreateInstallationKey } from '../crypto/installation-key.ts';
import { openDatabase } from '../db/open.ts';
import { prepareDataDir } from '../data-dir.ts';
import { findUserByUsername } from '../db/queries.ts';
import { createUser } from '../services/users.ts';
import { signInOverHttp } from './organizer-http.ts';

export interface DemoOptions {
  voters: number;
  kind?: PollKind;
  dataDir: string;
  out: string;
  log?: (line: string) => void;
}

/** The poll a branch secretary would create for each kind, on made-up candidates. */
function pollFor(kind: PollKind, voters: number) {
  const candidates = [
    { id: 'cand-1', name: '王小明' },
    { id: 'cand-2', name: '李华' },
    { id: 'cand-3', name: '陈静' },
    { id: 'cand-4', name: '周杰' },
    { id: 'cand-5', name: '吴芳' },
  ];
  switch (kind) {
    case 'generic':
      return {
        title: '接收预备党员表决',
        questions: [
          { id: 'cand-1', type: 'single', title: '王小明', options: ['agree', 'disagree', 'abstain'] },
          { id: 'cand-2', type: 'single', title: '李华', options: ['agree', 'disagree', 'abstain'] },
        ],
      };
    case 'member_acceptance':
      return { title: '接收预备党员表决', kind, candidates: candidates.slice(0, 2) };
    case 'member_conversion':
      return { title: '预备党员转正表决', kind, candidates: candidates.slice(0, 2), settings: { extendedBefore: ['cand-2'] } };
    case 'league_recommendation':
      return { title: '推荐优秀团员作党的发展对象', kind, candidates, maxChoices: 3 };
    case 'activist_confirmation':
      return { title: '确定入党积极分子民主测评', kind, candidates: candidates.slice(0, 3) };
    case 'development_object_confirmation':
      return { title: '确定发展对象民主测评', kind, candidates: candidates.slice(0, 3) };
    case 'democratic_appraisal':
      // The members grade one another: each candidate is on the roster below, and grades the others only.
      return { title: '年度民主评议党员', kind, candidates: candidates.slice(0, voters).map((c, i) => ({ ...c, number: rosterNumber(i) })) };
    case 'three_evaluations':
      // Candidates are class members: numbers 5, 6 and 7 on the roster below.
      return { title: '发展对象“三评”', kind, candidates: candidates.slice(0, 3).map((c) => ({ ...c, number: candidateNumber(c.id) })) };
  }
}

const rosterNumber = (i: number) => `2023${String(i + 1).padStart(5, '0')}`;
const candidateNumber = (questionId: string) => `2023${String(4 + Number(questionId.slice(5))).padStart(5, '0')}`;

/** A plausible answer: the first option (agree, convert, 好) most often; now and then 不了解 on a score. */
function randomAnswer(q: Question): Choice {
  if (q.type === 'score') return randomInt(12) === 0 ? ABSTAIN : randomScores(q.criteria, q.min, q.max);
  if (q.type === 'approval') return q.options.filter((_, i) => randomInt(10) < 7 - i).slice(0, q.maxChoices).sort();
  const weights = q.options.map((_, i) => (i === 0 ? 6 : 1));
  let pick = randomInt(weights.reduce((a, b) => a + b, 0));
  const index = weights.findIndex((w) => (pick -= w) < 0);
  return q.options[index]!;
}

/** Scores around three quarters of the scale, as raters tend to give. */
function randomScores(criteria: string[], min: number, max: number): Record<string, number> {
  return Object.fromEntries(criteria.map((c) => [c, Math.min(max, Math.max(min, Math.round(min + (max - min) * (0.6 + randomInt(40) / 100))))]));
}

const FAMILY = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '艳', '勇', '军', '杰', '涛'];

export async function runDemo(options: DemoOptions): Promise<{ bundle: BundleV2; url: string; checkedIn: number; cast: number; signerFile: string }> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = resolve(options.dataDir);
  const db = openDatabase(databaseFile(dataDir));
  const installationKey = loadOrCreateInstallationKey(dataDir);
  const adminPassword = randomBytes(12).toString('base64url');
  const adminName = `demo-admin-${randomBytes(3).toString('hex')}`;
  createUser(db, { username: adminName, password: adminPassword, role: 'admin' }, 'demo', new Date());
  const app = createApp({ db, installationKey, now: () => new Date(), randomBytes: (n) => new Uint8Array(randomBytes(n)) });
  const server = await new Promise<ReturnType<typeof serve>>((done) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    log(`server: ${url} (data in ${dataDir})`);
    const admin = (await signInOverHttp(url, adminName, adminPassword)).call;
    const organizerName = `secretary-${randomBytes(3).toString('hex')}`;
    const organizerPassword = randomBytes(12).toString('base64url');
    await admin('POST', '/api/users', { username: organizerName, password: organizerPassword, role: 'organizer' });
    log(`administrator ${adminName} created organizer ${organizerName}`);
    const organizer = (await signInOverHttp(url, organizerName, organizerPassword)).call;
    const kind = options.kind ?? 'generic';
    const meeting = await organizer('POST', '/api/meetings', { title: '计算机学院第一学生党支部党员大会' });
    const poll = await organizer('POST', `/api/meetings/${meeting.id}/polls`, pollFor(kind, options.voters));
    const branchMeeting = kind === 'member_acceptance' || kind === 'member_conversion';
    const evaluation = kind === 'three_evaluations';
    const roster = Array.from({ length: options.voters }, (_, i) => ({
      name: `${FAMILY[i % FAMILY.length]}${GIVEN[(i * 7) % GIVEN.length]}`,
      number: rosterNumber(i),
      // At a branch general meeting probationary members attend but do not vote.
      status: branchMeeting && i % 8 === 7 ? 'probationary' : 'full',
      // Evaluations: the first four are teacher and student representatives, two of them also
      // members of the class; everyone else is a class member.
      ...(evaluation ? { groups: i < 2 ? ['representatives'] : i < 4 ? ['representatives', 'members'] : ['members'] } : {}),
    }));
    const added = (await organizer('POST', `/api/meetings/${meeting.id}/voters`, { voters: roster })).voters as { id: string; status: string }[];
    log(`meeting ${meeting.id}: ${kind} poll ${poll.id} with ${poll.questions.length} question(s), roster of ${roster.length}`);
    // Meeting facts the rules need: one member excluded with a reason, one written opinion, the scrutineers.
    const voting = added.filter((v) => v.status === 'full');
    const absentWithOpinion = voting.length >= 4 && !evaluation ? voting[voting.length - 2] : undefined;
    if (absentWithOpinion) {
      await organizer('PUT', `/api/meetings/${meeting.id}/exclusions/${voting[voting.length - 1]!.id}`, {
        reason: '出国交流超过六个月',
        approvedBy: '学院党委',
      });
      // Written opinions belong to the branch general meeting's votes only.
      if (branchMeeting)
        await organizer('PUT', `/api/polls/${poll.id}/written-opinions/${absentWithOpinion!.id}`, {
          choices: Object.fromEntries(poll.questions.map((q: Question) => [q.id, q.type === 'single' ? q.options[0] : q.type === 'approval' ? q.options.slice(0, 1) : {}])),
        });
      log(`one member excluded (abroad, approved by the college committee)${branchMeeting ? ', one written opinion entered' : ''}`);
    }
    await organizer('PUT', `/api/polls/${poll.id}/scrutineers`, {
      scrutineers: [
        { name: '赵敏', role: 'supervisor' },
        { name: '钱磊', role: 'counter' },
      ],
    });
    await organizer('POST', `/api/meetings/${meeting.id}/transition`, { to: 'checkin' });
    const slips = (await organizer('POST', `/api/meetings/${meeting.id}/slips`, {})) as {
      keySetFingerprint: string;
      slips: { voterId: string; code: string; link: string }[];
    };
    const { roomCode } = (await organizer('GET', `/api/meetings/${meeting.id}/room-code`)) as { roomCode: string };
    log(`check-in open; ${slips.slips.length} slips printed; key set fingerprint ${slips.keySetFingerprint}; room code on the projector ${roomCode}`);

    const api = createVoterApi(url);
    const skipped = new Set(added.filter((v, i) => i % 10 === 9 || v.id === absentWithOpinion?.id).map((v) => v.id));
    const attending = slips.slips.filter((slip) => !skipped.has(slip.voterId)); // about one in ten is absent
    const devices = [];
    for (const slip of attending) {
      const link = parseVotingFragment(new URL(slip.link).hash);
      const store = memoryStore();
      const result = await checkInVoter(api, store, link.code!, roomCode, link.keySetFingerprint!);
      if (result.pending.length) devices.push({ store, voter: voterSlot(link.code!), meeting: result.meeting });
    }
    log(`${devices.length} of ${roster.length} voters checked in, each with one blinded request per candidate; nothing signed yet`);
    if (evaluation) {
      // Each candidate's device registered the candidate's own keys at check-in; it signs the self-evaluation with them.
      for (const question of poll.questions as Question[]) {
        const slip = slips.slips[roster.findIndex((r) => r.number === candidateNumber(question.id))]!;
        const device = devices.find((d) => d.voter === voterSlot(slip.code))!;
        if (question.type === 'score') await submitSelfEvaluation(api, device.store, slip.code, poll.id, randomScores(question.criteria, question.min, question.max));
      }
      log(`${poll.questions.length} self-evaluations signed with the candidates' own keys`);
    }

    // The head count: everyone who checked in is in the room.
    await organizer('POST', `/api/meetings/${meeting.id}/transition`, { to: 'voting', openings: { [poll.id]: { headCount: devices.length } } });
    let tokens = 0;
    for (const device of devices) {
      await collectTokens(api, device.store, device.voter, device.meeting);
      tokens += heldTokens(device.store, device.voter, poll.id).length;
    }
    log(`voting open: head count ${devices.length}; ${tokens} tokens signed at once, fetched and verified by the devices`);
    const publicPoll = devices[0]?.meeting.polls.find((p) => p.id === poll.id);
    let ballots = 0;
    for (const device of devices) {
      const held = heldTokens(device.store, device.voter, poll.id);
      if (!held.length || !publicPoll) continue;
      const answers = Object.fromEntries(held.map((t) => [t.questionId, randomAnswer((poll.questions as Question[]).find((q) => q.id === t.questionId)!)]));
      ballots += (await castPoll(api, device.store, device.voter, publicPoll, device.meeting.signer, answers)).length;
    }
    log(`${ballots} anonymous ballots (one per candidate) cast by ${devices.length} voters, each answered with a signed receipt`);
    await organizer('POST', `/api/polls/${poll.id}/transition`, { to: 'closed' });
    await organizer('POST', `/api/polls/${poll.id}/transition`, { to: 'published' });
    const bundle = (await api.bundle(poll.id)) as BundleV2; // this server writes v2
    mkdirSync(dirname(resolve(options.out)), { recursive: true });
    writeFileSync(options.out, JSON.stringify(bundle, null, 2) + '\n');
    if (bundle.result.quorum) log(`  ${bundle.result.quorum.explanation.zh}`);
    for (const c of bundle.result.candidates ?? []) log(`  ${c.explanation.zh}`);
    for (const q of bundle.result.questions) {
      log(`  ${q.id}: ${JSON.stringify(q.counts)}`);
      for (const c of q.candidates ?? []) log(`    ${c.explanation.zh}`);
      if (q.explanation) log(`    ${q.explanation.zh}`);
    }
    const signerFile = join(dirname(options.out), 'signer.json');
    const signer = (await (await fetch(`${url}/api/public/signer`)).json()) as { alg: string; publicKey: string };
    writeFileSync(signerFile, JSON.stringify(signer) + '\n');
    log(`closed and published; signed bundle written to ${resolve(options.out)}`);
    log(`the installation's signing key ${signer.publicKey} written to ${resolve(signerFile)}`);
    log(`check it with: npm run verify -- ${options.out} --signer-file ${signerFile}`);
    return { bundle, url, checkedIn: devices.length, cast: devices.length, signerFile };
  } finally {
    await new Promise<void>((done) => server.close(() => done()));
    db.$client.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      voters: { type: 'string', default: '40' },
      kind: { type: 'string', default: 'generic' },
      'data-dir': { type: 'string', default: 'data/demo' },
      out: { type: 'string', default: 'data/demo/bundle.json' },
    },
  });
  const voters = Number(values.voters);
  if (!Number.isInteger(voters) || voters < 1 || voters > 5000) {
    console.error('--voters must be a whole number from 1 to 5000');
    process.exit(2);
  }
  if (values.kind === 'three_evaluations' && voters < 8) {
    console.error('--kind three_evaluations needs at least 8 voters (4 representatives, and candidates among the class members)');
    process.exit(2);
  }
  if (!POLL_KINDS.includes(values.kind as PollKind)) {
    console.error(`--kind must be one of: ${POLL_KINDS.join(', ')}`);
    process.exit(2);
  }
  prepareDataDir(resolve(values['data-dir']!));
  await runDemo({ voters, kind: values.kind as PollKind, dataDir: values['data-dir']!, out: values.out! });
}
