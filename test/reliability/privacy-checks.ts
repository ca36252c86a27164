/**
 * The checks of the privacy audit (DOMAIN §7: the server must not be able to tell who cast which
 * ballot, even with its own database and logs), as functions over an open SQLite file and a list
 * of log lines. Each returns what it found wrong, so a test asserts an empty list and the same
 * functions can be shown to catch a planted leak (privacy-audit.test.ts does both).
 *
 *   ballotsShape      ballots has exactly nonce, poll_id, key_id, token, salt, answer (hidden
 *                     columns included), candidate_comments exactly id, poll_id, question_id,
 *                     text; both are WITHOUT ROWID, and no trigger anywhere could copy a ballot
 *   issuancesShape    the sign-in sheet (checkins, issuance_requests) has exactly its columns:
 *                     who, which poll and key, the blinded request and its signature; no time
 *   timeLikeValues    no cell of ballots or of the sign-in sheet looks like a date or an epoch time
 *   secretsOutsideBallots  no other table (nor the bundle, apart from its list of ballots) holds a
 *                     token, a nonce, a receipt, a salt, or the SHA-256 of one, in any usual encoding
 *   auditPerVoterActs no audit action is as frequent as ballots or check-ins, and none names one
 *   linesNamingSecrets  no log line holds any of the secrets
 */
import type Database from 'better-sqlite3';
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64, toBase64Url, toHex, utf8 } from '../../shared/encoding.ts';

export const BALLOT_COLUMNS = ['nonce', 'poll_id', 'key_id', 'token', 'salt', 'answer'];
/** The sign-in sheet: its tables and their exact columns. */
export const SIGN_IN_SHEET: Record<string, string[]> = {
  checkins: ['poll_id', 'voter_id', 'checkin_id', 'state', 'late', 'approved_by'],
  issuance_requests: ['key_id', 'voter_id', 'blinded_message', 'blind_signature'],
};

const columnsOf = (db: Database.Database, table: string) =>
  (db.prepare(`SELECT name FROM pragma_table_xinfo(?)`).all(table) as { name: string }[]).map((c) => c.name);

/** Tables written by anonymous requests: their exact columns. */
export const ANONYMOUS_TABLES: Record<string, string[]> = {
  ballots: BALLOT_COLUMNS,
  candidate_comments: ['id', 'poll_id', 'question_id', 'text'],
};

export function ballotsShape(db: Database.Database): string[] {
  const problems: string[] = [];
  for (const [name, allowed] of Object.entries(ANONYMOUS_TABLES)) {
    const columns = columnsOf(db, name);
    if (columns.join() !== allowed.join()) problems.push(`${name} has columns ${columns.join(', ')}; only ${allowed.join(', ')} may be there`);
    const table = db.prepare(`SELECT wr FROM pragma_table_list WHERE name = ?`).get(name) as { wr: number } | undefined;
    if (table?.wr !== 1) problems.push(`${name} is not WITHOUT ROWID: its rowid records the arrival order`);
  }
  const triggers = db.prepare(`SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'`).all() as { name: string; tbl_name: string }[];
  for (const t of triggers) problems.push(`trigger ${t.name} on ${t.tbl_name}`);
  return problems;
}

export function issuancesShape(db: Database.Database): string[] {
  return Object.entries(SIGN_IN_SHEET).flatMap(([table, allowed]) => {
    const columns = columnsOf(db, table);
    return columns.join() === allowed.join() ? [] : [`${table} has columns ${columns.join(', ')}; only ${allowed.join(', ')} may be there`];
  });
}

const DATE_TEXT = /\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}/;
const isEpochLike = (n: number) => (n >= 1e9 && n < 1e10) || (n >= 1e12 && n < 1e13);

export function timeLikeValues(db: Database.Database): string[] {
  const problems: string[] = [];
  for (const table of ['ballots', ...Object.keys(SIGN_IN_SHEET)]) {
    for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
      for (const [column, value] of Object.entries(row)) {
        if ((typeof value === 'number' || typeof value === 'bigint') && isEpochLike(Number(value))) problems.push(`${table}.${column} holds ${value}, an epoch time?`);
        if (typeof value === 'string' && DATE_TEXT.test(value)) problems.push(`${table}.${column} holds ${value.slice(0, 40)}, a date?`);
      }
    }
  }
  return problems;
}

export interface Needle {
  /** What it is, e.g. "receipt of ballot 3 (hex)". */
  label: string;
  text?: string;
  bytes?: Buffer;
}

/** A published ballot's secrets: its token bytes, its receipt, and its salt when shown. */
export interface BallotSecrets {
  token: Uint8Array;
  receipt: Uint8Array;
  salt?: Uint8Array;
}

/**
 * Every way a ballot's secrets might be written down: the token, its nonce, its receipt, its
 * salt, the SHA-256 of the token (the v1 receipt), of the nonce and of the receipt's text; as raw
 * bytes, hex (either case), base64 and base64url. Prefixes of 16 bytes are enough to name one and
 * cannot match by chance.
 */
export function ballotNeedles(ballots: readonly BallotSecrets[]): Needle[] {
  const needles: Needle[] = [];
  ballots.forEach(({ token, receipt, salt }, i) => {
    const nonce = token.slice(2, 34);
    const values: [string, Uint8Array][] = [
      ['token', token],
      ['nonce', nonce],
      ['receipt', receipt],
      ['hash of the token', sha256(token)],
      ['hash of the nonce', sha256(nonce)],
      ['hash of the receipt text', sha256(utf8(toHex(receipt)))],
      ...(salt ? ([['salt', salt]] as [string, Uint8Array][]) : []),
    ];
    for (const [what, value] of values) needles.push(...encodings(`${what} of ballot ${i}`, value));
  });
  return needles;
}

/** A secret that is already text (a voting code): itself, and the hex and base64 of its UTF-8. */
export function textNeedles(label: string, secret: string): Needle[] {
  return [{ label, text: secret }, ...encodings(label, utf8(secret))];
}

export function encodings(label: string, value: Uint8Array): Needle[] {
  const head = value.slice(0, 16);
  return [
    { label: `${label} (bytes)`, bytes: Buffer.from(head) },
    { label: `${label} (hex)`, text: toHex(head) },
    { label: `${label} (HEX)`, text: toHex(head).toUpperCase() },
    // Whole base64 quantums only (15 bytes → 20 characters), so the prefix is exact.
    { label: `${label} (base64)`, text: toBase64(value.slice(0, 15)) },
    { label: `${label} (base64url)`, text: toBase64Url(value.slice(0, 15)) },
  ];
}

function found(cell: unknown, needles: readonly Needle[]): Needle | undefined {
  if (Buffer.isBuffer(cell)) {
    const asText = cell.toString('latin1');
    return needles.find((n) => (n.bytes && cell.includes(n.bytes)) || (n.text && asText.includes(n.text)));
  }
  if (typeof cell === 'string') return needles.find((n) => n.text !== undefined && cell.includes(n.text));
  return undefined;
}

/**
 * Looks for the needles in every column of every table but `ballots`. The published bundle
 * (polls.bundle) lists every ballot's token by design, sorted by token: its `ballots` member is
 * left out, the rest of it is searched.
 */
export function secretsOutsideBallots(db: Database.Database, needles: readonly Needle[]): string[] {
  const problems: string[] = [];
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'ballots'`).all() as { name: string }[]).map((t) => t.name);
  for (const table of tables) {
    for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
      for (const [column, value] of Object.entries(row)) {
        let cell = value;
        if (table === 'polls' && column === 'bundle' && typeof value === 'string') {
          const { ballots: _published, ...rest } = JSON.parse(value) as Record<string, unknown>;
          cell = JSON.stringify(rest);
        }
        const needle = found(cell, needles);
        if (needle) problems.push(`${table}.${column} holds the ${needle.label}`);
      }
    }
  }
  return problems;
}

/** Audit actions that happen once per voter act: as many as the ballots or check-ins, or named after one. */
export function auditPerVoterActs(db: Database.Database, counts: { ballots: number; checkIns: number }): string[] {
  const rows = db.prepare(`SELECT action, count(*) AS n FROM audit_log GROUP BY action`).all() as { action: string; n: number }[];
  const problems: string[] = [];
  for (const { action, n } of rows) {
    if (n >= Math.min(counts.ballots, counts.checkIns)) problems.push(`audit action ${action} occurs ${n} times, as often as voters act`);
    if (/cast|ballot|receipt|token|check_?in(?!_)|issue|spend|vote$/i.test(action) && action !== 'open_checkin') problems.push(`audit action ${action} is about a voter's act`);
  }
  return problems;
}

export function linesNamingSecrets(lines: readonly string[], needles: readonly Needle[]): string[] {
  return lines.flatMap((line) => {
    const needle = found(line, needles);
    return needle ? [`the line "${line.slice(0, 120)}" holds the ${needle.label}`] : [];
  });
}
