// Independent verifier of published ballot results (`anon-ballot-bundle/v2`, and
// `anon-ballot-bundle/v1` under the rules of "Version 1"), written only from
// docs/bundle-format.md and docs/protocol.md (and RFC 8785, RFC 9474, RFC 8032). Node.js 20,
// built-ins only: it imports nothing of the project, so that the documents alone are shown to be
// enough to check a result.
//
// Usage: node test/independent-verifier/verify-from-docs.mjs BUNDLE.json
//          [--signer BASE64|HEX] [--receipt HEX [--nonce HEX]]
//
// Prints one line per check, PASS/FAIL/SKIP NAME: detail, then "RESULT: bundle is VALID" or
// "INVALID"; exit 0 when every check passes, 1 otherwise (also 1 for a --receipt that is not
// found, or bad usage).
//  - version 2, the fifteen checks of "Verification", in order: format, signature, key_set,
//    token_keys, tokens, unique_nonces, ballot_order, receipts, issued, answers,
//    self_evaluations, recount, verdicts, record, cosignatures;
//  - version 1, the eleven checks of "Version 1": format, signature, token_keys, tokens,
//    unique_nonces, ballot_order, issued, choices, recount, verdicts, cosignatures.
// A bundle is verified under the rules of the version its `format` names, never the other's: a
// version 2 bundle relabelled v1 fails `format` (its members are not version 1's).
//
// `verdicts` recomputes quorum, thresholds, verdicts, caps, ranks and topGrade by "Rules" (also
// the median grade, cap and rank of democratic_appraisal), and for three_evaluations the
// averages, criteria, composite, band, rank, validity and withheld groups with exact BigInt
// fractions ("Three evaluations"). The explanation and warning sentences are checked for
// presence and shape ({ zh, en }) only, as the document allows.
//
// --receipt HEX looks a voter's receipt up, given whole (64 hex digits) or as a prefix of at least
// 16: version 2, the `receipt` of a ballot; version 1, the SHA-256 of a ballot's token. With
// --nonce HEX (version 2: the 32-byte nonce of the voter's token, 64 hex digits) a receipt that is
// not published while a ballot has that nonce under another receipt is reported CHANGED
// (docs/protocol.md §10: "in the bundle", "changed", "missing").
//
// Version 2's opening statement (`opening`, written when voting opened and co-signed then): check
// `record` compares it with the bundle (code opening_statement); check `cosignatures` verifies its
// co-signatures over `anon-ballot/opening/v2:` ‖ SHA-256(JCS(statement)) under the same rules as
// the bundle's. Co-signature problems carry the codes cosignature_repeated, cosigner_unknown and
// cosignature.
//
// Every Ed25519 signature (the bundle's, the co-signatures, the self-evaluations) is checked by
// the rule of the "Ed25519" section: canonical A and R, neither of small order, S < L, then
// node:crypto's cofactorless verification. The file is read as strict I-JSON ("JSON" section).
// Run as a script it verifies a file; imported, it only exports `parseStrictJson` and
// `ed25519VerifyStrict` (for tests that compare Ed25519 verifiers).

import { createHash, createPublicKey, verify as cryptoVerify, constants } from 'node:crypto';
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

// ---------------------------------------------------------------------------
// Strict JSON parser (RFC 8259 + I-JSON restrictions: no duplicate member
// names, no lone surrogates). Members are defined as own data properties so
// that a "__proto__" member cannot alter the prototype.
// ---------------------------------------------------------------------------
class JsonError extends Error {}

// Member names of every parsed object in the order they appear in the text (Object.keys
// would list integer-like names such as "1" first, whatever their position).
const keyOrder = new WeakMap();

export function parseStrictJson(text) {
  let i = 0;
  const fail = (msg) => { throw new JsonError(`${msg} at offset ${i}`); };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++; else break;
    }
  };
  const value = () => {
    ws();
    if (i >= text.length) fail('unexpected end of input');
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    fail(`unexpected character ${JSON.stringify(c)}`);
  };
  const literal = (word, v) => {
    if (text.startsWith(word, i)) { i += word.length; return v; }
    fail('invalid literal');
  };
  const number = () => {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m) fail('invalid number');
    i += m[0].length;
    const n = Number(m[0]);
    if (!Number.isFinite(n)) fail('number out of range');
    return n;
  };
  const string = () => {
    i++; // opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) { i++; break; }
      if (c < 0x20) fail('control character in string');
      if (c === 0x5c) {
        const e = text[i + 1];
        const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) { out += simple[e]; i += 2; continue; }
        if (e === 'u') {
          const h = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(h)) fail('invalid \\u escape');
          out += String.fromCharCode(parseInt(h, 16));
          i += 6;
          continue;
        }
        fail('invalid escape');
      }
      out += text[i];
      i++;
    }
    // reject lone surrogates (I-JSON, RFC 8785 §3.2.2.2)
    for (let k = 0; k < out.length; k++) {
      const u = out.charCodeAt(k);
      if (u >= 0xd800 && u <= 0xdbff) {
        const v = out.charCodeAt(k + 1);
        if (v >= 0xdc00 && v <= 0xdfff) { k++; continue; }
        fail('lone surrogate in string');
      }
      if (u >= 0xdc00 && u <= 0xdfff) fail('lone surrogate in string');
    }
    return out;
  };
  const array = () => {
    i++;
    const arr = [];
    ws();
    if (text[i] === ']') { i++; return arr; }
    for (;;) {
      arr.push(value());
      ws();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === ']') { i++; return arr; }
      fail('expected , or ]');
    }
  };
  const object = () => {
    i++;
    const obj = {};
    const order = [];
    keyOrder.set(obj, order);
    ws();
    if (text[i] === '}') { i++; return obj; }
    for (;;) {
      ws();
      if (text[i] !== '"') fail('expected member name');
      const k = string();
      if (Object.prototype.hasOwnProperty.call(obj, k)) fail(`duplicate member name ${JSON.stringify(k)}`);
      ws();
      if (text[i] !== ':') fail('expected :');
      i++;
      const v = value();
      Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
      order.push(k);
      ws();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === '}') { i++; return obj; }
      fail('expected , or }');
    }
  };
  const v = value();
  ws();
  if (i !== text.length) fail('trailing data after JSON value');
  return v;
}

// ---------------------------------------------------------------------------
// RFC 8785 JCS
// ---------------------------------------------------------------------------
function jcsString(s) {
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
    else if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(k + 1);
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) { out += s[k] + s[k + 1]; k++; }
      else throw new Error('JCS: lone surrogate');
    } else out += s[k];
  }
  return out + '"';
}

function jcsNumber(n) {
  if (!Number.isFinite(n)) throw new Error('JCS: non-finite number');
  if (Object.is(n, -0)) return '0';
  return String(n); // ECMAScript Number::toString, which is what RFC 8785 §3.2.2.3 prescribes
}

function compareUtf16(a, b) {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const d = a.charCodeAt(k) - b.charCodeAt(k);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function jcs(v) {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') return jcsNumber(v);
  if (typeof v === 'string') return jcsString(v);
  if (Array.isArray(v)) return '[' + v.map(jcs).join(',') + ']';
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort(compareUtf16);
    return '{' + keys.map((k) => jcsString(k) + ':' + jcs(v[k])).join(',') + '}';
  }
  throw new Error(`JCS: unsupported type ${typeof v}`);
}

// ---------------------------------------------------------------------------
// Strict base64 (RFC 4648 §4, padded) and base64url (§5, unpadded)
// ---------------------------------------------------------------------------
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function decodeGroups(body, alphabet) {
  // body: no padding; length % 4 must not be 1; trailing bits must be zero
  if (body.length % 4 === 1) throw new Error('invalid length');
  const vals = new Array(body.length);
  for (let k = 0; k < body.length; k++) {
    const x = alphabet.indexOf(body[k]);
    if (x < 0) throw new Error(`invalid character ${JSON.stringify(body[k])}`);
    vals[k] = x;
  }
  const out = [];
  let k = 0;
  for (; k + 4 <= vals.length; k += 4) {
    const n = (vals[k] << 18) | (vals[k + 1] << 12) | (vals[k + 2] << 6) | vals[k + 3];
    out.push((n >> 16) & 255, (n >> 8) & 255, n & 255);
  }
  const rem = vals.length - k;
  if (rem === 2) {
    if (vals[k + 1] & 0x0f) throw new Error('non-zero trailing bits');
    out.push(((vals[k] << 2) | (vals[k + 1] >> 4)) & 255);
  } else if (rem === 3) {
    if (vals[k + 2] & 0x03) throw new Error('non-zero trailing bits');
    const n = (vals[k] << 10) | (vals[k + 1] << 4) | (vals[k + 2] >> 2);
    out.push((n >> 8) & 255, n & 255);
  }
  return Buffer.from(out);
}

function b64decodeStrict(s) {
  if (typeof s !== 'string') throw new Error('not a string');
  if (s.length % 4 !== 0) throw new Error('length not a multiple of 4');
  let pad = 0;
  if (s.endsWith('==')) pad = 2; else if (s.endsWith('=')) pad = 1;
  const body = s.slice(0, s.length - pad);
  if (body.includes('=')) throw new Error('misplaced padding');
  return decodeGroups(body, B64);
}

function b64urlDecodeStrict(s) {
  if (typeof s !== 'string') throw new Error('not a string');
  if (s.includes('=')) throw new Error('padding not allowed');
  return decodeGroups(s, B64URL);
}

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------
const sha256 = (buf) => createHash('sha256').update(buf).digest();
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNonNegInt = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const ID_RE = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const HEX64_RE = /^[0-9a-f]{64}$/;
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const FORMAT_V1 = 'anon-ballot-bundle/v1';
const FORMAT_V2 = 'anon-ballot-bundle/v2';

// frame(p1, …, pn): each part as its length in bytes (4-byte big-endian) then its bytes; a text
// part as its UTF-8 bytes (docs/bundle-format.md, "Encodings"; docs/protocol.md §2).
function frame(...parts) {
  const out = [];
  for (const p of parts) {
    const bytes = typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    out.push(len, bytes);
  }
  return Buffer.concat(out);
}

class CheckError extends Error {}
function need(cond, msg) { if (!cond) throw new CheckError(msg); }
function exactKeys(o, required, optional, where) {
  need(isObj(o), `${where}: must be an object`);
  for (const k of required) need(has(o, k), `${where}: missing member "${k}"`);
  for (const k of Object.keys(o)) {
    need(required.includes(k) || optional.includes(k), `${where}: unexpected member "${k}"`);
  }
}

// ---------------------------------------------------------------------------
// checks
// ---------------------------------------------------------------------------
// Rule kinds (docs/bundle-format.md, "Rules").
const RULE_KINDS = ['generic', 'member_acceptance', 'member_conversion', 'league_recommendation',
  'activist_confirmation', 'development_object_confirmation', 'democratic_appraisal', 'three_evaluations'];
const GRADE_KINDS = ['activist_confirmation', 'development_object_confirmation'];
// "Three evaluations": the two anonymous groups (one token key each) and the candidate's own group
const TE = 'three_evaluations';
const DA = 'democratic_appraisal';
const TE_ANON = ['representatives', 'members'];
const TE_GROUPS = [...TE_ANON, 'self'];
const WITHHELD = 'withheld';
const ABSTAIN = 'abstain';
// version 2: the anonymity floor of published ballots for every kind but three_evaluations
const DEFAULT_ANONYMITY_FLOOR = 3;
// version 2: the token type (docs/protocol.md §2); version 1 used RFC 9578's 0x0002
const TOKEN_TYPE = { 1: 0x0002, 2: 0xba11 };
const FRACTIONS = { '1/2': [1n, 2n], '3/5': [3n, 5n], '2/3': [2n, 3n], '3/4': [3n, 4n], '4/5': [4n, 5n] };
const FRACTION_LIST = '"1/2", "3/5", "2/3", "3/4" or "4/5"';
const COMPARISONS = ['more_than', 'at_least'];
const BASES = ['expected', 'present', 'ballots'];

function checkId(v, where) {
  need(typeof v === 'string' && ID_RE.test(v), `${where}: invalid id ${JSON.stringify(v)} (must match ${ID_RE})`);
}
function checkInt(v, where) {
  need(isNonNegInt(v), `${where}: must be a non-negative integer below 2^53`);
}
function checkB64Bytes(v, len, where) {
  // canonical RFC 4648 §4 base64 (padded) of exactly `len` bytes
  let bytes;
  try { bytes = b64decodeStrict(v); } catch (err) {
    throw new CheckError(`${where}: not canonical base64 (${err.message})`);
  }
  need(bytes.length === len, `${where}: must be ${len} bytes, got ${bytes.length}`);
}
function checkB64(v, where) {
  // canonical RFC 4648 §4 base64 (padded), any length
  need(typeof v === 'string', `${where}: must be a (base64) string`);
  try { b64decodeStrict(v); } catch (err) {
    throw new CheckError(`${where}: not canonical base64 (${err.message})`);
  }
}
// A co-signature entry, of the bundle or of the opening statement: { name, role, publicKey,
// signature }. GUESS: the Members table gives no lengths for a co-signature's `publicKey` and
// `signature`; they are an Ed25519 key and signature (32 and 64 raw bytes, base64, as a
// scrutineer's `publicKey` and the installation's `signature`), so other lengths are refused here.
function checkCosignatureFormat(c, where) {
  exactKeys(c, ['name', 'role', 'publicKey', 'signature'], [], where);
  need(typeof c.name === 'string' && c.name.length > 0, `${where}.name: must be a non-empty string`);
  need(c.role === 'supervisor' || c.role === 'counter', `${where}.role: must be "supervisor" or "counter"`);
  checkB64Bytes(c.publicKey, 32, `${where}.publicKey`);
  checkB64Bytes(c.signature, 64, `${where}.signature`);
}
function checkSentence(v, where) {
  // `explanation` / warning: { zh, en }, sentences in Chinese and English
  exactKeys(v, ['zh', 'en'], [], where);
  need(typeof v.zh === 'string' && v.zh.length > 0, `${where}.zh: must be a non-empty string`);
  need(typeof v.en === 'string' && v.en.length > 0, `${where}.en: must be a non-empty string`);
}
function checkQuorumSetting(q, where) {
  exactKeys(q, ['fraction', 'comparison'], [], where);
  need(has(FRACTIONS, q.fraction), `${where}.fraction: must be ${FRACTION_LIST}`);
  need(COMPARISONS.includes(q.comparison), `${where}.comparison: must be "more_than" or "at_least"`);
}
function checkThresholdSetting(t, where) {
  exactKeys(t, ['base', 'fraction', 'comparison'], [], where);
  need(BASES.includes(t.base), `${where}.base: must be "expected", "present" or "ballots"`);
  need(has(FRACTIONS, t.fraction), `${where}.fraction: must be ${FRACTION_LIST}`);
  need(COMPARISONS.includes(t.comparison), `${where}.comparison: must be "more_than" or "at_least"`);
}
function checkAnswerShape(v, where) {
  // single: option id; approval: [option ids]; score: { criterionId: integer } (or, in ballots
  // of a published bundle, the string "withheld" — a string, so covered by the first case)
  const ok = typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')) ||
    (isObj(v) && Object.values(v).every(isNonNegInt));
  need(ok, `${where}: must be a string, an array of strings, or an object of integers (score)`);
}
function checkGrades(grades, where) {
  need(Array.isArray(grades) && grades.length >= 2 && grades.length <= 20,
    `${where}: must be an array of 2–20 grades (they are the options of single questions)`);
  const seen = new Set();
  grades.forEach((g, k) => {
    exactKeys(g, ['id', 'label'], [], `${where}[${k}]`);
    checkId(g.id, `${where}[${k}].id`);
    need(typeof g.label === 'string', `${where}[${k}].label: must be a string`);
    need(!seen.has(g.id), `${where}: duplicate grade id ${JSON.stringify(g.id)}`);
    // "no grade id is `abstain`" (abstaining, 不了解, is an option beside the grades)
    need(g.id !== ABSTAIN, `${where}[${k}].id: no grade id is "abstain"`);
    seen.add(g.id);
  });
}
function checkThreeEvaluationsRule(rule) {
  exactKeys(rule, ['kind', 'criteria', 'scale', 'weights', 'anonymityFloor', 'bands', 'participation'], [], `poll.rule (${TE})`);
  need(Array.isArray(rule.criteria) && rule.criteria.length >= 1, 'poll.rule.criteria: must be a non-empty array of { id, label }');
  const seen = new Set();
  rule.criteria.forEach((c, k) => {
    exactKeys(c, ['id', 'label'], [], `poll.rule.criteria[${k}]`);
    checkId(c.id, `poll.rule.criteria[${k}].id`);
    need(typeof c.label === 'string', `poll.rule.criteria[${k}].label: must be a string`);
    need(!seen.has(c.id), `poll.rule.criteria: duplicate criterion id ${JSON.stringify(c.id)}`);
    seen.add(c.id);
  });
  exactKeys(rule.scale, ['min', 'max'], [], 'poll.rule.scale');
  checkInt(rule.scale.min, 'poll.rule.scale.min');
  checkInt(rule.scale.max, 'poll.rule.scale.max');
  need(rule.scale.min < rule.scale.max, 'poll.rule.scale: min must be < max');
  exactKeys(rule.weights, TE_GROUPS, [], 'poll.rule.weights');
  for (const g of TE_GROUPS) checkInt(rule.weights[g], `poll.rule.weights.${g}`);
  const wsum = TE_GROUPS.reduce((a, g) => a + rule.weights[g], 0);
  need(wsum === 100, `poll.rule.weights: must sum to 100, got ${wsum}`);
  checkInt(rule.anonymityFloor, 'poll.rule.anonymityFloor');
  need(Array.isArray(rule.bands) && rule.bands.length >= 1, 'poll.rule.bands: must be a non-empty array of { id, label, min }');
  const bseen = new Set();
  rule.bands.forEach((bd, k) => {
    exactKeys(bd, ['id', 'label', 'min'], [], `poll.rule.bands[${k}]`);
    checkId(bd.id, `poll.rule.bands[${k}].id`);
    need(typeof bd.label === 'string', `poll.rule.bands[${k}].label: must be a string`);
    checkInt(bd.min, `poll.rule.bands[${k}].min`);
    need(!bseen.has(bd.id), `poll.rule.bands: duplicate band id ${JSON.stringify(bd.id)}`);
    bseen.add(bd.id);
  });
  if (rule.participation !== null) {
    exactKeys(rule.participation, ['group', 'fraction', 'comparison'], [], 'poll.rule.participation');
    // GUESS: the participation group is one of the two anonymous (rater) groups.
    need(TE_ANON.includes(rule.participation.group), 'poll.rule.participation.group: must be "representatives" or "members"');
    need(has(FRACTIONS, rule.participation.fraction), `poll.rule.participation.fraction: must be ${FRACTION_LIST}`);
    need(COMPARISONS.includes(rule.participation.comparison), 'poll.rule.participation.comparison: must be "more_than" or "at_least"');
  }
}

function checkRuleFormat(rule) {
  need(isObj(rule) && typeof rule.kind === 'string', 'poll.rule: must be an object with a string "kind"');
  need(RULE_KINDS.includes(rule.kind), `poll.rule.kind: unknown rule ${JSON.stringify(rule.kind)}`);
  const where = `poll.rule (${rule.kind})`;
  switch (rule.kind) {
    case 'generic':
      exactKeys(rule, ['kind'], [], where);
      break;
    case 'member_acceptance':
      exactKeys(rule, ['kind', 'quorum', 'pass'], [], where);
      checkQuorumSetting(rule.quorum, 'poll.rule.quorum');
      checkThresholdSetting(rule.pass, 'poll.rule.pass');
      break;
    case 'member_conversion':
      // "extendedBefore (…; default [])". GUESS: "with defaults filled in" would have it always
      // present; a bundle without it is read with the default rather than refused.
      exactKeys(rule, ['kind', 'quorum', 'pass'], ['extendedBefore'], where);
      checkQuorumSetting(rule.quorum, 'poll.rule.quorum');
      checkThresholdSetting(rule.pass, 'poll.rule.pass');
      if (has(rule, 'extendedBefore')) {
        need(Array.isArray(rule.extendedBefore), 'poll.rule.extendedBefore: must be an array of question ids');
        const seen = new Set();
        rule.extendedBefore.forEach((id, k) => {
          checkId(id, `poll.rule.extendedBefore[${k}]`);
          need(!seen.has(id), `poll.rule.extendedBefore: duplicate ${JSON.stringify(id)}`);
          seen.add(id);
        });
      }
      break;
    case 'league_recommendation':
      exactKeys(rule, ['kind', 'quorum', 'pass', 'capPercent'], ['capCount', 'capRounding'], where);
      checkQuorumSetting(rule.quorum, 'poll.rule.quorum');
      checkThresholdSetting(rule.pass, 'poll.rule.pass');
      checkInt(rule.capPercent, 'poll.rule.capPercent');
      // capRounding: "down" or "nearest"; absent (older bundles) means "down"
      if (has(rule, 'capRounding')) need(rule.capRounding === 'down' || rule.capRounding === 'nearest', 'poll.rule.capRounding: must be "down" or "nearest"');
      if (has(rule, 'capCount')) checkInt(rule.capCount, 'poll.rule.capCount');
      break;
    case DA:
      exactKeys(rule, ['kind', 'grades', 'quorum', 'topGradeCap'], [], where);
      checkGrades(rule.grades, 'poll.rule.grades');
      checkQuorumSetting(rule.quorum, 'poll.rule.quorum');
      exactKeys(rule.topGradeCap, ['numerator', 'denominator'], [], 'poll.rule.topGradeCap');
      checkInt(rule.topGradeCap.numerator, 'poll.rule.topGradeCap.numerator');
      checkInt(rule.topGradeCap.denominator, 'poll.rule.topGradeCap.denominator');
      need(rule.topGradeCap.denominator >= 1, 'poll.rule.topGradeCap.denominator: must be >= 1');
      break;
    case TE:
      checkThreeEvaluationsRule(rule);
      break;
    default: { // activist_confirmation, development_object_confirmation
      exactKeys(rule, ['kind', 'grades', 'attendance', 'topGrade'], [], where);
      // grades: "a list of { id, label }"
      checkGrades(rule.grades, 'poll.rule.grades');
      checkQuorumSetting(rule.attendance, 'poll.rule.attendance');
      checkThresholdSetting(rule.topGrade, 'poll.rule.topGrade');
    }
  }
}

function checkResultQuestionFormat(rq, q, kind, where) {
  const common = ['id', 'counts'];
  if (kind === 'generic' || kind === TE) {
    // three evaluations: `{ id, counts: { representatives: raters, members: raters } }`
    exactKeys(rq, common, [], where);
  } else if (kind === DA) {
    // "`democratic_appraisal` has no threshold setting and so no `threshold` nor `thresholdBase`".
    exactKeys(rq, [...common, 'writtenOpinions', 'quorumMet', 'verdict', 'explanation', 'grade', 'cap'], ['rank'], where);
    checkInt(rq.writtenOpinions, `${where}.writtenOpinions`);
    need(typeof rq.quorumMet === 'boolean', `${where}.quorumMet: must be a boolean`);
    need(typeof rq.verdict === 'string', `${where}.verdict: must be a string`);
    checkSentence(rq.explanation, `${where}.explanation`);
    if (rq.grade !== null) checkId(rq.grade, `${where}.grade`);
    checkInt(rq.cap, `${where}.cap`);
    if (has(rq, 'rank')) checkInt(rq.rank, `${where}.rank`);
  } else {
    const req = [...common, 'writtenOpinions', 'threshold', 'thresholdBase', 'quorumMet', 'verdict', 'explanation'];
    const opt = [];
    if (kind === 'league_recommendation') req.push('cap', 'candidates');
    if (GRADE_KINDS.includes(kind)) req.push('topGrade');
    if (kind === 'member_conversion') opt.push('warnings');
    exactKeys(rq, req, opt, where);
    checkInt(rq.writtenOpinions, `${where}.writtenOpinions`);
    checkInt(rq.threshold, `${where}.threshold`);
    exactKeys(rq.thresholdBase, ['base', 'value'], [], `${where}.thresholdBase`);
    need(BASES.includes(rq.thresholdBase.base), `${where}.thresholdBase.base: must be "expected", "present" or "ballots"`);
    checkInt(rq.thresholdBase.value, `${where}.thresholdBase.value`);
    need(typeof rq.quorumMet === 'boolean', `${where}.quorumMet: must be a boolean`);
    need(typeof rq.verdict === 'string', `${where}.verdict: must be a string`);
    checkSentence(rq.explanation, `${where}.explanation`);
    if (has(rq, 'warnings')) {
      need(Array.isArray(rq.warnings), `${where}.warnings: must be an array`);
      rq.warnings.forEach((w, k) => checkSentence(w, `${where}.warnings[${k}]`));
    }
    if (kind === 'league_recommendation') {
      checkInt(rq.cap, `${where}.cap`);
      need(Array.isArray(rq.candidates), `${where}.candidates: must be an array`);
      rq.candidates.forEach((c, k) => {
        const w = `${where}.candidates[${k}]`;
        exactKeys(c, ['id', 'votes', 'rank', 'verdict', 'explanation'], [], w);
        checkId(c.id, `${w}.id`);
        checkInt(c.votes, `${w}.votes`);
        checkInt(c.rank, `${w}.rank`);
        need(typeof c.verdict === 'string', `${w}.verdict: must be a string`);
        checkSentence(c.explanation, `${w}.explanation`);
      });
    }
    if (GRADE_KINDS.includes(kind)) {
      exactKeys(rq.topGrade, ['grade', 'votes', 'of'], [], `${where}.topGrade`);
      checkId(rq.topGrade.grade, `${where}.topGrade.grade`);
      checkInt(rq.topGrade.votes, `${where}.topGrade.votes`);
      checkInt(rq.topGrade.of, `${where}.topGrade.of`);
    }
  }
  need(rq.id === q.id, `${where}.id: expected ${JSON.stringify(q.id)} (order of poll.questions)`);
  need(isObj(rq.counts), `${where}.counts: must be an object`);
  if (q.type === 'score') {
    exactKeys(rq.counts, TE_ANON, [], `${where}.counts (raters per group)`);
    for (const g of TE_ANON) checkInt(rq.counts[g], `${where}.counts.${g}`);
    return;
  }
  for (const o of q.options) need(has(rq.counts, o), `${where}.counts: option ${JSON.stringify(o)} missing`);
  for (const [o, n] of Object.entries(rq.counts)) {
    need(q.options.includes(o), `${where}.counts: ${JSON.stringify(o)} is not an option`);
    checkInt(n, `${where}.counts[${JSON.stringify(o)}]`);
  }
}

const isNumOrNull = (v) => v === null || (typeof v === 'number' && Number.isFinite(v));

function checkCandidateFormat(c, q, where) {
  exactKeys(c, ['id', 'groups', 'composite', 'band', 'rank', 'valid', 'withheld', 'explanation'], [], where);
  need(c.id === q.id, `${where}.id: expected ${JSON.stringify(q.id)} (same order as poll.questions)`);
  exactKeys(c.groups, TE_GROUPS, [], `${where}.groups`);
  for (const g of TE_GROUPS) {
    const w = `${where}.groups.${g}`;
    const grp = c.groups[g];
    exactKeys(grp, ['raters', 'average', 'criteria'], [], w);
    checkInt(grp.raters, `${w}.raters`);
    need(isNumOrNull(grp.average), `${w}.average: must be a number or null`);
    // GUESS: "`average` and `criteria.<c>` (numbers or null)": `criteria` is always an object with
    // every criterion; an unshown group has null for each of them (not `criteria: null`).
    // (a question that is not a score question has no criteria: `verdicts` refuses it)
    if (q.type === 'score') exactKeys(grp.criteria, q.criteria, [], `${w}.criteria`);
    else need(isObj(grp.criteria), `${w}.criteria: must be an object`);
    for (const cr of Object.keys(grp.criteria)) need(isNumOrNull(grp.criteria[cr]), `${w}.criteria.${cr}: must be a number or null`);
  }
  need(isNumOrNull(c.composite), `${where}.composite: must be a number or null`);
  if (c.band !== null) checkId(c.band, `${where}.band`);
  if (c.rank !== null) checkInt(c.rank, `${where}.rank`);
  need(typeof c.valid === 'boolean', `${where}.valid: must be a boolean`);
  need(Array.isArray(c.withheld) && c.withheld.every((g) => TE_ANON.includes(g)),
    `${where}.withheld: must be an array of anonymous group names (${TE_ANON.join(', ')})`);
  checkSentence(c.explanation, `${where}.explanation`);
}

// Check 1 `format` (both versions): exactly the members of "Shape"/"Members" (version 1: as
// changed by "Version 1"), with their types.
function checkFormat(b, version) {
  const v2 = version === 2;
  // `candidateKeys`, `selfEvaluations` (and electorate.expectedByGroup, result.candidates) are
  // "three evaluations only"; the rule kind is read first to know which members the bundle must
  // have. Version 2: a three evaluations bundle has both (they are not marked optional). GUESS:
  // another kind's bundle may carry them as far as `format` goes — check 11 `self_evaluations`
  // is the one that says "only a `three_evaluations` bundle has `candidateKeys` or
  // `selfEvaluations`". Version 1 (its software had no candidate keys): `selfEvaluations` as
  // `{ questionId, scores }`, three evaluations only, no `candidateKeys`.
  const isTE = isObj(b) && isObj(b.poll) && isObj(b.poll.rule) && b.poll.rule.kind === TE;
  const top = v2
    ? ['format', 'poll', 'electorate', 'keySet', 'tokenKeys', 'ballots', 'writtenOpinions', 'exclusions',
      'scrutineers', 'opening', 'record', 'result', 'closedAt', 'signer', 'signature']
    : ['format', 'poll', 'electorate', 'tokenKeys', 'ballots', 'writtenOpinions', 'exclusions',
      'scrutineers', 'result', 'closedAt', 'signer', 'signature'];
  const teMembers = v2 ? ['candidateKeys', 'selfEvaluations'] : ['selfEvaluations'];
  exactKeys(b, [...top, ...(isTE ? teMembers : [])], ['cosignatures', ...(v2 && !isTE ? teMembers : [])],
    `bundle (version ${version}${isTE ? ', three_evaluations' : ''})`);
  const wantFormat = v2 ? FORMAT_V2 : FORMAT_V1;
  need(b.format === wantFormat, `format: expected ${JSON.stringify(wantFormat)}, got ${JSON.stringify(b.format)}`);

  // poll
  const p = b.poll;
  exactKeys(p, ['id', 'meetingId', 'title', 'kind', 'questions', 'rule', ...(v2 ? ['anonymityFloor'] : [])], [], 'poll');
  checkId(p.id, 'poll.id');
  checkId(p.meetingId, 'poll.meetingId');
  need(typeof p.title === 'string', 'poll.title: must be a string');
  need(typeof p.kind === 'string', 'poll.kind: must be a string');
  need(Array.isArray(p.questions) && p.questions.length >= 1, 'poll.questions: must be a non-empty array');
  const qids = new Set();
  p.questions.forEach((q, qi) => {
    const where = `poll.questions[${qi}]`;
    need(isObj(q), `${where}: must be an object`);
    need(['single', 'approval', 'score'].includes(q.type), `${where}.type: must be "single", "approval" or "score"`);
    // "no `score` question in a `generic` poll". The questions of the other kinds are the rule's
    // ("Rules", "Three evaluations"): `verdicts` checks them.
    need(!(p.rule?.kind === 'generic' && q.type === 'score'), `${where}.type: no "score" question in a generic poll`);
    if (q.type === 'score') {
      exactKeys(q, ['id', 'type', 'title', 'criteria', 'min', 'max'], ['criterionLabels'], where);
      checkId(q.id, `${where}.id`);
      need(!qids.has(q.id), `${where}.id: duplicate question id ${JSON.stringify(q.id)}`);
      qids.add(q.id);
      need(typeof q.title === 'string', `${where}.title: must be a string`);
      need(Array.isArray(q.criteria) && q.criteria.length >= 1 && q.criteria.length <= 12, `${where}.criteria: must be an array of 1–12 criterion ids`);
      const cseen = new Set();
      q.criteria.forEach((c, ci) => {
        checkId(c, `${where}.criteria[${ci}]`);
        if (v2) need(c !== WITHHELD, `${where}.criteria[${ci}]: no criterion id is "withheld"`);
        need(!cseen.has(c), `${where}.criteria: duplicate criterion id ${JSON.stringify(c)}`);
        cseen.add(c);
      });
      if (has(q, 'criterionLabels')) {
        need(isObj(q.criterionLabels), `${where}.criterionLabels: must be an object`);
        for (const [k, v] of Object.entries(q.criterionLabels)) {
          need(cseen.has(k), `${where}.criterionLabels: ${JSON.stringify(k)} is not a criterion id`);
          need(typeof v === 'string', `${where}.criterionLabels[${JSON.stringify(k)}]: must be a string`);
        }
      }
      checkInt(q.min, `${where}.min`);
      checkInt(q.max, `${where}.max`);
      need(q.min < q.max, `${where}: min ${q.min} must be < max ${q.max}`);
      return;
    }
    exactKeys(q, q.type === 'approval' ? ['id', 'type', 'title', 'options', 'maxChoices'] : ['id', 'type', 'title', 'options'], ['optionLabels'], where);
    checkId(q.id, `${where}.id`);
    need(!qids.has(q.id), `${where}.id: duplicate question id ${JSON.stringify(q.id)}`);
    qids.add(q.id);
    need(typeof q.title === 'string', `${where}.title: must be a string`);
    const [lo, hi] = q.type === 'single' ? [2, 20] : [1, 200];
    need(Array.isArray(q.options) && q.options.length >= lo && q.options.length <= hi,
      `${where}.options: must be an array of ${lo}–${hi} option ids for "${q.type}"`);
    const seen = new Set();
    q.options.forEach((o, oi) => {
      checkId(o, `${where}.options[${oi}]`);
      if (v2) need(o !== WITHHELD, `${where}.options[${oi}]: no option id is "withheld"`);
      need(!seen.has(o), `${where}.options: duplicate option id ${JSON.stringify(o)}`);
      seen.add(o);
    });
    if (has(q, 'optionLabels')) {
      need(isObj(q.optionLabels), `${where}.optionLabels: must be an object`);
      for (const [k, v] of Object.entries(q.optionLabels)) {
        need(seen.has(k), `${where}.optionLabels: ${JSON.stringify(k)} is not an option id`);
        need(typeof v === 'string', `${where}.optionLabels[${JSON.stringify(k)}]: must be a string`);
      }
    }
    if (q.type === 'approval') {
      need(Number.isSafeInteger(q.maxChoices) && q.maxChoices >= 1 && q.maxChoices <= q.options.length,
        `${where}.maxChoices: must be an integer 1..${q.options.length}`);
    }
  });
  checkRuleFormat(p.rule);
  need(p.kind === p.rule.kind, `poll.kind ${JSON.stringify(p.kind)} != poll.rule.kind ${JSON.stringify(p.rule.kind)}`);
  const kind = p.rule.kind;

  if (v2) checkInt(p.anonymityFloor, 'poll.anonymityFloor');

  // electorate
  const e = b.electorate;
  if (v2) {
    exactKeys(e, ['expected', 'headCount', 'headCountNote', 'checkedIn', 'struck', 'lateCheckIns', 'present',
      'submitted', 'declaredNotVoted', 'refusedOverIssued', ...(isTE ? ['expectedByGroup'] : [])], [], 'electorate');
    for (const k of ['expected', 'headCount', 'checkedIn', 'struck', 'lateCheckIns', 'present', 'submitted', 'refusedOverIssued']) {
      checkInt(e[k], `electorate.${k}`);
    }
    need(typeof e.headCountNote === 'string', 'electorate.headCountNote: must be a string');
    if (e.declaredNotVoted !== null) checkInt(e.declaredNotVoted, 'electorate.declaredNotVoted (an integer or null)');
  } else {
    exactKeys(e, ['expected', 'checkedIn', 'issued', ...(isTE ? ['expectedByGroup'] : [])], [], 'electorate');
    checkInt(e.expected, 'electorate.expected');
    checkInt(e.checkedIn, 'electorate.checkedIn');
    need(isObj(e.issued), 'electorate.issued: must be an object');
    for (const [g, n] of Object.entries(e.issued)) {
      checkId(g, 'electorate.issued: group');
      checkInt(n, `electorate.issued[${JSON.stringify(g)}]`);
    }
  }
  if (isTE) {
    // GUESS: "expected voters per group" has exactly the two token-key groups.
    exactKeys(e.expectedByGroup, TE_ANON, [], 'electorate.expectedByGroup');
    for (const g of TE_ANON) checkInt(e.expectedByGroup[g], `electorate.expectedByGroup.${g}`);
  }

  // keySet (version 2): { digest, keyIds }, lowercase hex
  if (v2) {
    exactKeys(b.keySet, ['digest', 'keyIds'], [], 'keySet');
    need(typeof b.keySet.digest === 'string' && HEX64_RE.test(b.keySet.digest), 'keySet.digest: must be 64 lowercase hex digits');
    need(Array.isArray(b.keySet.keyIds), 'keySet.keyIds: must be an array');
    b.keySet.keyIds.forEach((k, ki) => need(typeof k === 'string' && HEX64_RE.test(k), `keySet.keyIds[${ki}]: must be 64 lowercase hex digits`));
  }

  // tokenKeys: version 1 { group, keyId, spki }; version 2 { group, questionId, keyId, spki, issued }
  need(Array.isArray(b.tokenKeys), 'tokenKeys: must be an array');
  b.tokenKeys.forEach((k, ki) => {
    const where = `tokenKeys[${ki}]`;
    exactKeys(k, v2 ? ['group', 'questionId', 'keyId', 'spki', 'issued'] : ['group', 'keyId', 'spki'], [], where);
    checkId(k.group, `${where}.group`);
    if (v2) checkId(k.questionId, `${where}.questionId`);
    need(typeof k.keyId === 'string' && HEX64_RE.test(k.keyId), `${where}.keyId: must be 64 lowercase hex characters`);
    try { need(b64decodeStrict(k.spki).length > 0, 'empty'); } catch (err) {
      throw new CheckError(`${where}.spki: not canonical base64 (${err.message})`);
    }
    if (v2) checkInt(k.issued, `${where}.issued`);
  });

  // ballots: version 1 { token, choices }; version 2 { token, receipt, salt?, answer } (whether
  // `salt` must or must not be there, and its length, is check 8 `receipts`)
  need(Array.isArray(b.ballots), 'ballots: must be an array');
  b.ballots.forEach((bl, bi) => {
    const where = `ballots[${bi}]`;
    if (v2) exactKeys(bl, ['token', 'receipt', 'answer'], ['salt'], where);
    else exactKeys(bl, ['token', 'choices'], [], where);
    try { b64urlDecodeStrict(bl.token); } catch (err) {
      throw new CheckError(`${where}.token: not canonical unpadded base64url (${err.message})`);
    }
    if (v2) {
      need(typeof bl.receipt === 'string' && HEX64_RE.test(bl.receipt), `${where}.receipt: must be 64 lowercase hex digits`);
      if (has(bl, 'salt')) need(typeof bl.salt === 'string', `${where}.salt: must be a (base64) string`);
      checkAnswerShape(bl.answer, `${where}.answer`);
    } else {
      need(isObj(bl.choices), `${where}.choices: must be an object`);
      for (const [qid, v] of Object.entries(bl.choices)) checkAnswerShape(v, `${where}.choices[${JSON.stringify(qid)}]`);
    }
  });

  // writtenOpinions: { questionId, choice }, no names
  need(Array.isArray(b.writtenOpinions), 'writtenOpinions: must be an array');
  b.writtenOpinions.forEach((w, wi) => {
    const where = `writtenOpinions[${wi}]`;
    exactKeys(w, ['questionId', 'choice'], [], where);
    checkId(w.questionId, `${where}.questionId`);
    checkAnswerShape(w.choice, `${where}.choice`);
  });

  // candidateKeys (version 2): { questionId, signingKey, boxKey }, the keys base64. Their lengths
  // and what they must be ("a valid Ed25519 key not of small order", "32 bytes") are check 11's.
  if (has(b, 'candidateKeys')) {
    need(Array.isArray(b.candidateKeys), 'candidateKeys: must be an array');
    b.candidateKeys.forEach((ck, ci) => {
      const where = `candidateKeys[${ci}]`;
      exactKeys(ck, ['questionId', 'signingKey', 'boxKey'], [], where);
      checkId(ck.questionId, `${where}.questionId`);
      checkB64(ck.signingKey, `${where}.signingKey`);
      checkB64(ck.boxKey, `${where}.boxKey`);
    });
  }

  // selfEvaluations: { questionId, scores: { criterionId: integer }, signature } (version 1: no
  // signature); the signature base64 (what it must verify is check 11's)
  if (has(b, 'selfEvaluations')) {
    need(Array.isArray(b.selfEvaluations), 'selfEvaluations: must be an array');
    b.selfEvaluations.forEach((se, si) => {
      const where = `selfEvaluations[${si}]`;
      exactKeys(se, v2 ? ['questionId', 'scores', 'signature'] : ['questionId', 'scores'], [], where);
      checkId(se.questionId, `${where}.questionId`);
      need(isObj(se.scores) && Object.values(se.scores).every(isNonNegInt), `${where}.scores: must be an object of integers`);
      if (v2) checkB64(se.signature, `${where}.signature`);
    });
  }

  // exclusions: { reason, approvedBy }, no names
  need(Array.isArray(b.exclusions), 'exclusions: must be an array');
  b.exclusions.forEach((x, xi) => {
    const where = `exclusions[${xi}]`;
    exactKeys(x, ['reason', 'approvedBy'], [], where);
    need(typeof x.reason === 'string' && x.reason.length > 0, `${where}.reason: must be a non-empty string`);
    need(typeof x.approvedBy === 'string' && x.approvedBy.length > 0, `${where}.approvedBy: must be a non-empty string`);
    // their order ("sorted by their JCS form") is check 9 `issued`'s (version 2)
  });

  // scrutineers: { name, role, publicKey? } — publicKey: Ed25519 key, 32 raw bytes, base64
  need(Array.isArray(b.scrutineers), 'scrutineers: must be an array');
  b.scrutineers.forEach((s, si) => {
    const where = `scrutineers[${si}]`;
    exactKeys(s, ['name', 'role'], ['publicKey'], where);
    need(typeof s.name === 'string' && s.name.length > 0, `${where}.name: must be a non-empty string`);
    need(s.role === 'supervisor' || s.role === 'counter', `${where}.role: must be "supervisor" or "counter"`);
    if (has(s, 'publicKey')) checkB64Bytes(s.publicKey, 32, `${where}.publicKey`);
  });

  // cosignatures (optional, outside what the installation signed): { name, role, publicKey, signature }
  if (has(b, 'cosignatures')) {
    need(Array.isArray(b.cosignatures), 'cosignatures: must be an array');
    // "never empty (absent when nobody has co-signed)"; "in no particular order", so no order is checked
    need(b.cosignatures.length > 0, 'cosignatures: must not be empty (the member is absent when nobody has co-signed)');
    b.cosignatures.forEach((c, ci) => checkCosignatureFormat(c, `cosignatures[${ci}]`));
  }

  // opening (version 2): { statement, cosignatures }, inside what the installation signed. The
  // statement: { pollId, meetingId, headCount, headCountNote, checkedIn, struck, issued: [{ keyId,
  // issued }], keySetDigest, record: { seq, digest } }; whether it agrees with the bundle is check
  // 14 `record`'s. Its co-signatures are entries like the bundle's, "possibly empty".
  if (v2) {
    exactKeys(b.opening, ['statement', 'cosignatures'], [], 'opening');
    const st = b.opening.statement;
    exactKeys(st, ['pollId', 'meetingId', 'headCount', 'headCountNote', 'checkedIn', 'struck', 'issued', 'keySetDigest', 'record'], [], 'opening.statement');
    checkId(st.pollId, 'opening.statement.pollId');
    checkId(st.meetingId, 'opening.statement.meetingId');
    for (const k of ['headCount', 'checkedIn', 'struck']) checkInt(st[k], `opening.statement.${k}`);
    need(typeof st.headCountNote === 'string', 'opening.statement.headCountNote: must be a string');
    need(Array.isArray(st.issued), 'opening.statement.issued: must be an array');
    st.issued.forEach((x, xi) => {
      const where = `opening.statement.issued[${xi}]`;
      exactKeys(x, ['keyId', 'issued'], [], where);
      need(typeof x.keyId === 'string' && HEX64_RE.test(x.keyId), `${where}.keyId: must be 64 lowercase hex digits`);
      checkInt(x.issued, `${where}.issued`);
    });
    need(typeof st.keySetDigest === 'string' && HEX64_RE.test(st.keySetDigest), 'opening.statement.keySetDigest: must be 64 lowercase hex digits');
    exactKeys(st.record, ['seq', 'digest'], [], 'opening.statement.record');
    checkInt(st.record.seq, 'opening.statement.record.seq');
    need(typeof st.record.digest === 'string' && HEX64_RE.test(st.record.digest), 'opening.statement.record.digest: must be 64 lowercase hex digits');
    // "possibly empty; sorted by `publicKey`". GUESS: the order is not refused — no check of
    // "Verification" names it (each other "sorted" is a check's), and "sorted" is defined only for
    // option ids, tokens and key ids (by the base64 text or by the raw key bytes?).
    need(Array.isArray(b.opening.cosignatures), 'opening.cosignatures: must be an array');
    b.opening.cosignatures.forEach((c, ci) => checkCosignatureFormat(c, `opening.cosignatures[${ci}]`));
  }

  // record (version 2): { opening: { seq, digest }, close: { seq, digest } }
  if (v2) {
    exactKeys(b.record, ['opening', 'close'], [], 'record');
    for (const a of ['opening', 'close']) {
      exactKeys(b.record[a], ['seq', 'digest'], [], `record.${a}`);
      checkInt(b.record[a].seq, `record.${a}.seq`);
      need(typeof b.record[a].digest === 'string' && HEX64_RE.test(b.record[a].digest), `record.${a}.digest: must be 64 lowercase hex digits`);
    }
  }

  // result
  const r = b.result;
  if (kind === 'generic') exactKeys(r, ['ballotsCast', 'questions'], [], 'result (generic: no quorum)');
  else if (kind === TE) exactKeys(r, ['ballotsCast', 'questions', 'candidates'], [], 'result (three_evaluations: no quorum)');
  else exactKeys(r, ['ballotsCast', 'quorum', 'questions'], [], `result (${kind})`);
  checkInt(r.ballotsCast, 'result.ballotsCast');
  if (kind !== 'generic' && kind !== TE) {
    exactKeys(r.quorum, ['met', 'present', 'expected', 'needed', 'explanation'], [], 'result.quorum');
    need(typeof r.quorum.met === 'boolean', 'result.quorum.met: must be a boolean');
    checkInt(r.quorum.present, 'result.quorum.present');
    checkInt(r.quorum.expected, 'result.quorum.expected');
    checkInt(r.quorum.needed, 'result.quorum.needed');
    checkSentence(r.quorum.explanation, 'result.quorum.explanation');
  }
  need(Array.isArray(r.questions) && r.questions.length === p.questions.length,
    `result.questions: must be an array with one entry per poll question (${p.questions.length})`);
  r.questions.forEach((rq, qi) => checkResultQuestionFormat(rq, p.questions[qi], kind, `result.questions[${qi}]`));
  if (kind === TE) {
    need(Array.isArray(r.candidates) && r.candidates.length === p.questions.length,
      `result.candidates: must be an array with one entry per poll question (${p.questions.length})`);
    r.candidates.forEach((c, ci) => checkCandidateFormat(c, p.questions[ci], `result.candidates[${ci}]`));
  }

  // closedAt: ISO 8601 UTC
  need(typeof b.closedAt === 'string', 'closedAt: must be a string');
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/.exec(b.closedAt);
  need(m, `closedAt: not an ISO 8601 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.fff]Z): ${JSON.stringify(b.closedAt)}`);
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  need(d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3] &&
    d.getUTCHours() === +m[4] && d.getUTCMinutes() === +m[5] && d.getUTCSeconds() === +m[6],
  `closedAt: not a valid date/time: ${b.closedAt}`);

  // signer, signature
  exactKeys(b.signer, ['alg', 'publicKey'], [], 'signer');
  need(b.signer.alg === 'Ed25519', 'signer.alg: must be "Ed25519"');
  let pk;
  try { pk = b64decodeStrict(b.signer.publicKey); } catch (err) {
    throw new CheckError(`signer.publicKey: not canonical base64 (${err.message})`);
  }
  need(pk.length === 32, `signer.publicKey: must be 32 bytes, got ${pk.length}`);
  let sig;
  try { sig = b64decodeStrict(b.signature); } catch (err) {
    throw new CheckError(`signature: not canonical base64 (${err.message})`);
  }
  need(sig.length === 64, `signature: must be 64 bytes, got ${sig.length}`);
  return `${b.format}: rule ${kind}, ${p.questions.length} question(s), ${b.tokenKeys.length} token key(s), ` +
    `${b.ballots.length} ballot(s), ${b.writtenOpinions.length} written opinion(s), ` +
    (has(b, 'candidateKeys') ? `${b.candidateKeys.length} candidate key(s), ` : '') +
    (has(b, 'selfEvaluations') ? `${b.selfEvaluations.length} self-evaluation(s), ` : '') +
    `${b.exclusions.length} exclusion(s), ${b.scrutineers.length} scrutineer(s)` +
    (has(b, 'cosignatures') ? `, ${b.cosignatures.length} co-signature(s)` : ', no co-signatures') +
    (v2 ? `, ${b.opening.cosignatures.length} co-signature(s) of the opening statement` : '');
}

function parseKeyMaterial(s) {
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  return b64decodeStrict(s);
}

function checkSignature(b, expectedSigner) {
  const pk = b64decodeStrict(b.signer.publicKey);
  const sig = b64decodeStrict(b.signature);
  const unsigned = {};
  // signed bytes: the whole bundle without `signature` and without `cosignatures`
  for (const k of Object.keys(b)) if (k !== 'signature' && k !== 'cosignatures') unsigned[k] = b[k];
  const msg = Buffer.from(jcs(unsigned), 'utf8');
  // Check 2: the rule of the "Ed25519" section.
  const bad = ed25519VerifyStrict(pk, msg, sig, 'the JCS bytes');
  need(bad === null, `Ed25519 signature by ${b.signer.publicKey}: ${bad} (${msg.length} bytes signed)`);
  if (expectedSigner !== undefined) {
    let exp;
    try { exp = parseKeyMaterial(expectedSigner); } catch (err) {
      throw new CheckError(`--signer: cannot decode (${err.message})`);
    }
    need(exp.equals(pk), `signer.publicKey ${b.signer.publicKey} is not the expected key ${exp.toString('base64')}`);
    return `valid, signer is the expected key ${b.signer.publicKey}`;
  }
  return `valid over ${msg.length} JCS bytes; signer ${b.signer.publicKey} (NOT compared with an out-of-band key; pass --signer)`;
}

// ---------------------------------------------------------------------------
// Digest and co-signatures
// ---------------------------------------------------------------------------
// digest = SHA-256 of the JCS bytes of the bundle without `cosignatures` (`signature` included)
function bundleDigest(b) {
  const rest = {};
  for (const k of Object.keys(b)) if (k !== 'cosignatures') rest[k] = b[k];
  return sha256(Buffer.from(jcs(rest), 'utf8'));
}

const COSIGNATURE_PREFIX = Buffer.from('anon-ballot/cosignature/v1:', 'ascii');

// The opening statement's digest: SHA-256 of the JCS bytes of `opening.statement`; its
// co-signatures are over `anon-ballot/opening/v2:` followed by its 32 raw bytes ("Digest and
// co-signatures": its own label, so that neither kind of co-signature passes for the other).
function openingStatementDigest(b) {
  return sha256(Buffer.from(jcs(b.opening.statement), 'utf8'));
}
const OPENING_COSIGNATURE_PREFIX = Buffer.from('anon-ballot/opening/v2:', 'ascii');
const ED_P = 2n ** 255n - 19n;
const ED_L = 2n ** 252n + 27742317777372353535851937790883648493n;
const leBigInt = (buf) => {
  let n = 0n;
  for (let k = buf.length - 1; k >= 0; k--) n = (n << 8n) | BigInt(buf[k]);
  return n;
};

const modPow = (base, e, m) => {
  let r = 1n;
  let x = base % m;
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * x) % m;
    x = (x * x) % m;
  }
  return r;
};
const modP = (x) => ((x % ED_P) + ED_P) % ED_P;
const invP = (x) => modPow(modP(x), ED_P - 2n, ED_P);
const ED_D = modP(-121665n * invP(121666n)); // the curve's d = −121665/121666

// RFC 8032 §5.1.3 decoding: y < p; x² = (y² − 1)/(d·y² + 1) has a root (the point is on the
// curve: a quadratic residue or 0, by Euler's criterion); not x = 0 with the sign bit set (x = 0
// exactly when y = 1 or y = p − 1). (OpenSSL also refuses a point off the curve, but only when it
// verifies a signature: a candidate key that signed nothing is checked here.)
function ed25519PointEncodingProblem(bytes) {
  const n = leBigInt(bytes);
  const y = n & ((1n << 255n) - 1n);
  const sign = n >> 255n;
  if (y >= ED_P) return 'y is not below p (non-canonical encoding)';
  if (sign === 1n && (y === 1n || y === ED_P - 1n)) return 'x = 0 with the sign bit set (non-canonical encoding)';
  const y2 = (y * y) % ED_P;
  const x2 = modP((y2 - 1n) * invP(ED_D * y2 + 1n));
  if (x2 !== 0n && modPow(x2, (ED_P - 1n) / 2n, ED_P) !== 1n) return 'not a point of the curve (no x for this y)';
  return null;
}

// Check `cosignatures` (v2 check 15, v1 the last of eleven): "its key is not one of the eight
// points of small order". Ed25519 has exactly 8 points of small
// order (the torsion subgroup E[8], of order the cofactor 8). node:crypto offers no point
// arithmetic, so the key's 32-byte encoding is compared with their canonical encodings, listed
// here (hex, RFC 8032 little-endian y with x's sign in the top bit). Derived with BigInt
// arithmetic over p = 2^255 - 19, d = -121665/121666: order 1 is (0, 1); order 2 is (0, -1);
// order 4 are (±sqrt(-1), 0); order 8 are the points with 2P = (±sqrt(-1), 0), i.e. x^2 = -y^2
// and d·y^4 + 2·y^2 - 1 = 0. The same eight appear as ED25519_TORSION_SUBGROUP in
// @noble/curves and (with their non-canonical aliases) in libsodium's small-order blocklist
// (crypto_core/ed25519/ref10, ge25519_has_small_order). Only canonical encodings need listing:
// a non-canonical encoding (y ≥ p, or x = 0 with the sign bit set) is refused by strict
// decoding before this list is consulted.
const ED25519_SMALL_ORDER = new Map([
  ['0100000000000000000000000000000000000000000000000000000000000000', 1], // identity (0, 1)
  ['ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 2], // (0, -1)
  ['0000000000000000000000000000000000000000000000000000000000000000', 4], // (+sqrt(-1), 0), x even
  ['0000000000000000000000000000000000000000000000000000000000000080', 4], // (-sqrt(-1), 0), x odd
  ['26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', 8],
  ['26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', 8],
  ['c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 8],
  ['c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', 8],
]);

// Ed25519, the rule of the "Ed25519" section: A canonical and not of small order, R canonical and
// not of small order, S < L, then the cofactorless equation, which is what node:crypto (OpenSSL)
// checks: it recomputes R from S, k and A and compares the encodings. OpenSSL alone would accept
// a key or an R of small order (e.g. the identity key with R = identity, S = 0, over any message)
// and, in some versions, non-canonical keys, so those are refused here first. A or R that is no
// curve point: OpenSSL refuses such a key, and a computed R never equals such bytes.
// Returns null when valid, else why not.
export function ed25519VerifyStrict(pk, msg, sig, over = 'the digest') {
  if (pk.length !== 32 || sig.length !== 64) return 'public key or signature of the wrong length';
  const pkProblem = ed25519PointEncodingProblem(pk);
  if (pkProblem) return `public key: ${pkProblem}`;
  const order = ED25519_SMALL_ORDER.get(Buffer.from(pk).toString('hex'));
  if (order !== undefined) return `public key is a point of small order (order ${order})`;
  const r = sig.subarray(0, 32);
  const rProblem = ed25519PointEncodingProblem(r);
  if (rProblem) return `signature R: ${rProblem}`;
  const rOrder = ED25519_SMALL_ORDER.get(Buffer.from(r).toString('hex'));
  if (rOrder !== undefined) return `signature R is a point of small order (order ${rOrder})`;
  if (leBigInt(sig.subarray(32, 64)) >= ED_L) return 'signature S is not below L (non-canonical)';
  let key;
  try {
    key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, pk]), format: 'der', type: 'spki' });
  } catch (err) {
    return `public key is not a usable Ed25519 key (${err.message})`;
  }
  let ok = false;
  try { ok = cryptoVerify(null, msg, key, sig); } catch { ok = false; }
  return ok ? null : `signature does not verify over ${over}`;
}

// Check 11 `self_evaluations` (version 2): only a three_evaluations bundle has `candidateKeys` or
// `selfEvaluations`; there, each candidate key names a question of the poll, at most one per
// question, its signingKey a valid Ed25519 key not of small order and its boxKey 32 bytes; at most
// one self-evaluation per question, each with a candidate key for its question and a valid
// signature by it: Ed25519 (strict, as for co-signatures) over
// frame("anon-ballot/v2/self-evaluation", poll.id, questionId, JCS(scores)). Whether the scores
// are valid scores of the question is the rule's (`verdicts`), as before this check existed.
// The detail gives each candidate key's fingerprint ("Encodings"): the first 16 hex digits of
// SHA-256(frame("anon-ballot/v2/candidate-key", signingKey, boxKey)), as the projector shows it.
function candidateKeyFingerprint(signingKey, boxKey) {
  return sha256(frame('anon-ballot/v2/candidate-key', signingKey, boxKey)).toString('hex').slice(0, 16);
}

function checkSelfEvaluations(b) {
  const kind = b.poll.rule.kind;
  const members = ['candidateKeys', 'selfEvaluations'].filter((k) => has(b, k));
  if (kind !== TE) {
    // GUESS: "has" means the member is there, even as an empty array.
    need(members.length === 0, `a ${kind} bundle has ${members.map((k) => `${k} (${b[k].length} entr${b[k].length === 1 ? 'y' : 'ies'})`).join(' and ')}: only a three_evaluations bundle has candidateKeys or selfEvaluations`);
    return `no candidate keys, no self-evaluations (a ${kind} bundle has none)`;
  }
  const qids = new Set(b.poll.questions.map((q) => q.id));
  const problems = [];
  const keyOf = new Map(); // questionId -> { index, key (Buffer, or null when not a valid signing key) }
  const prints = [];
  b.candidateKeys.forEach((ck, ci) => {
    const where = `candidateKeys[${ci}] (${ck.questionId})`;
    if (!qids.has(ck.questionId)) problems.push(`${where}: ${JSON.stringify(ck.questionId)} is not a question of the poll`);
    else if (keyOf.has(ck.questionId)) problems.push(`${where}: a second candidate key for ${JSON.stringify(ck.questionId)} (also candidateKeys[${keyOf.get(ck.questionId).index}])`);
    const sk = b64decodeStrict(ck.signingKey);
    const bk = b64decodeStrict(ck.boxKey);
    let valid = false;
    if (sk.length !== 32) problems.push(`${where}.signingKey: ${sk.length} bytes, not an Ed25519 key (32)`);
    else {
      const bad = ed25519PointEncodingProblem(sk);
      const order = ED25519_SMALL_ORDER.get(sk.toString('hex'));
      if (bad) problems.push(`${where}.signingKey: not a valid Ed25519 key (${bad})`);
      else if (order !== undefined) problems.push(`${where}.signingKey: a point of small order (order ${order})`);
      else valid = true;
    }
    if (bk.length !== 32) problems.push(`${where}.boxKey: ${bk.length} bytes, not 32`);
    if (qids.has(ck.questionId) && !keyOf.has(ck.questionId)) {
      keyOf.set(ck.questionId, { index: ci, key: valid ? sk : null });
      if (sk.length === 32 && bk.length === 32) prints.push(`${ck.questionId} ${candidateKeyFingerprint(sk, bk)}`);
    }
  });
  const seen = new Map();
  b.selfEvaluations.forEach((se, si) => {
    const where = `selfEvaluations[${si}] (${se.questionId})`;
    if (seen.has(se.questionId)) problems.push(`${where}: a second self-evaluation for ${JSON.stringify(se.questionId)} (also selfEvaluations[${seen.get(se.questionId)}])`);
    else seen.set(se.questionId, si);
    const ck = keyOf.get(se.questionId);
    if (!ck) {
      problems.push(`${where}: no candidate key for its question` + (qids.has(se.questionId) ? '' : ` (${JSON.stringify(se.questionId)} is not a question of the poll)`) + ', so nothing shows the candidate made this statement');
      return;
    }
    if (ck.key === null) { problems.push(`${where}: the candidate key of its question (candidateKeys[${ck.index}]) is not a valid signing key`); return; }
    const sig = b64decodeStrict(se.signature);
    if (sig.length !== 64) { problems.push(`${where}.signature: ${sig.length} bytes, not 64`); return; }
    const msg = frame('anon-ballot/v2/self-evaluation', b.poll.id, se.questionId, jcs(se.scores));
    const bad = ed25519VerifyStrict(ck.key, msg, sig, 'the self-evaluation (poll, question, scores)');
    if (bad) problems.push(`${where}: Ed25519 signature by the candidate key candidateKeys[${ck.index}]: ${bad}`);
  });
  need(problems.length === 0, problems.slice(0, 8).join('; ') + (problems.length > 8 ? `; … ${problems.length - 8} more` : ''));
  const unstated = b.poll.questions.filter((q) => !seen.has(q.id)).map((q) => q.id);
  return `${b.selfEvaluations.length} self-evaluation(s), each signed by its candidate's own key; ` +
    `${b.candidateKeys.length} candidate key(s), fingerprints ${prints.join(', ') || 'none'}` +
    (unstated.length ? `; no self-evaluation for ${unstated.join(', ')}` : '');
}

// Check `cosignatures` (v2 check 15, v1 the last of eleven): no two scrutineers[] entries name
// the same key (whether or not anyone co-signed); then each list of co-signatures — the bundle's
// `cosignatures` over its digest, and (version 2) `opening.cosignatures` over the opening
// statement's — by `cosignatureProblems`.
function checkCosignatures(b, version) {
  const digest = bundleDigest(b);
  const withKey = b.scrutineers.filter((s) => has(s, 'publicKey'));
  const cos = has(b, 'cosignatures') ? b.cosignatures : [];
  const problems = [];
  // no two scrutineers[] entries name the same publicKey (whether or not anyone co-signed)
  const namedKeys = new Map(); // key bytes (hex) -> index of the first scrutineer naming it
  b.scrutineers.forEach((s, si) => {
    if (!has(s, 'publicKey')) return;
    const hex = b64decodeStrict(s.publicKey).toString('hex');
    if (namedKeys.has(hex)) {
      problems.push(`scrutineers[${si}] (${s.name}, ${s.role}): key ${s.publicKey} is also named by scrutineers[${namedKeys.get(hex)}] (${b.scrutineers[namedKeys.get(hex)].name}); no two scrutineers may name the same key`);
    } else namedKeys.set(hex, si);
  });
  const signedBy = cosignatureProblems(cos, 'cosignatures', withKey, Buffer.concat([COSIGNATURE_PREFIX, digest]), 'the digest', problems);
  const names = (list) => list.map((c) => `${c.name} (${c.role})`).join(', ');
  let summary = (cos.length === 0 ? 'no co-signatures' : `${cos.length} co-signature(s) valid: ${names(cos)}`) +
    `; ${signedBy.size} of ${withKey.length} scrutineer(s) with a key co-signed; digest ${digest.toString('hex')}`;
  let digests = `digest ${digest.toString('hex')}`;
  if (version === 2) {
    const opening = openingStatementDigest(b);
    const ocos = b.opening.cosignatures;
    const msg = Buffer.concat([OPENING_COSIGNATURE_PREFIX, opening]);
    const openedBy = cosignatureProblems(ocos, 'opening.cosignatures', withKey, msg, 'the opening statement\'s digest', problems);
    summary += `; the opening statement (digest ${opening.toString('hex')}): ` +
      (ocos.length === 0 ? 'no co-signatures' : `${ocos.length} co-signature(s) valid: ${names(ocos)}`) +
      `, ${openedBy.size} of ${withKey.length} scrutineer(s) with a key co-signed it`;
    digests += `; opening statement digest ${opening.toString('hex')}`;
  }
  need(problems.length === 0, `${problems.join('; ')} (${digests})`);
  return summary;
}

// One list of co-signatures (`where`: "cosignatures" or "opening.cosignatures") over the bytes
// `msg`: no key co-signs twice (code cosignature_repeated); each key is named in the signed
// scrutineers list with the same name and role (cosigner_unknown); each signature is valid by the
// rule of "Ed25519" (cosignature). Pushes onto `problems`; returns the indices (into `withKey`)
// of the scrutineers who co-signed validly.
function cosignatureProblems(list, where, withKey, msg, over, problems) {
  const seenKeys = new Map(); // key bytes (hex) -> index of the first co-signature with it
  const signedBy = new Set();
  list.forEach((c, ci) => {
    const at = `${where}[${ci}] (${c.name}, ${c.role})`;
    const pk = b64decodeStrict(c.publicKey);
    const hex = pk.toString('hex');
    if (seenKeys.has(hex)) {
      problems.push(`${at}: key ${c.publicKey} co-signs twice (also ${where}[${seenKeys.get(hex)}]) (code cosignature_repeated)`);
      return;
    }
    seenKeys.set(hex, ci);
    // the signed scrutineers list must name this key with the same name and role
    const si = withKey.findIndex((s) => s.name === c.name && s.role === c.role && b64decodeStrict(s.publicKey).equals(pk));
    if (si < 0) {
      problems.push(`${at}: key ${c.publicKey} is not named in the signed scrutineers list with this name and role (code cosigner_unknown)`);
      return;
    }
    const bad = ed25519VerifyStrict(pk, msg, b64decodeStrict(c.signature), over);
    if (bad) { problems.push(`${at}: ${bad} (code cosignature)`); return; }
    signedBy.add(si);
  });
  return signedBy;
}

// The published keys by key id (the first entry of a key id that is listed twice); the later
// checks find a ballot's key, group and question here. `token_keys` says whether they are sound.
function keyIndex(b) {
  const index = new Map();
  b.tokenKeys.forEach((k, ki) => {
    if (!index.has(k.keyId)) index.set(k.keyId, { ...k, index: ki });
  });
  return index;
}

// The key id a token names (bytes 66–97, hex), or undefined if it is too short to name one.
function tokenKeyId(tokenStr) {
  let bytes;
  try { bytes = b64urlDecodeStrict(tokenStr); } catch { return undefined; }
  return bytes.length >= 98 ? bytes.subarray(66, 98).toString('hex') : undefined;
}

// Check `token_keys`. Fills `keys`: keyId -> { group, questionId, key (KeyObject), nk, bits }.
// Version 1: each keyId the SHA-256 of its spki; groups and key ids unique. Version 2 (check 4):
// also each questionId a question of the poll, and no two keys sharing (group, questionId).
function checkTokenKeys(b, version, keys) {
  const pairs = new Map();
  const ids = new Set();
  const qids = new Set(b.poll.questions.map((q) => q.id));
  const problems = [];
  b.tokenKeys.forEach((k, ki) => {
    const where = `tokenKeys[${ki}] (${k.group}${version === 2 ? `, ${k.questionId}` : ''})`;
    const der = b64decodeStrict(k.spki);
    if (sha256(der).toString('hex') !== k.keyId) problems.push(`${where}: keyId is not the SHA-256 of its spki`);
    if (version === 2 && !qids.has(k.questionId)) problems.push(`${where}: questionId ${JSON.stringify(k.questionId)} is not a question of the poll`);
    const pair = version === 2 ? `${k.group}\u0000${k.questionId}` : k.group;
    if (pairs.has(pair)) {
      problems.push(`${where}: ${version === 2 ? '(group, questionId)' : 'group'} already has a key (tokenKeys[${pairs.get(pair)}])`);
    } else pairs.set(pair, ki);
    if (ids.has(k.keyId)) problems.push(`${where}: key id ${k.keyId} listed twice`);
    ids.add(k.keyId);
    let ko;
    try { ko = createPublicKey({ key: der, format: 'der', type: 'spki' }); } catch (err) {
      problems.push(`${where}: spki is not a valid SubjectPublicKeyInfo (${err.message})`);
      return;
    }
    if (ko.asymmetricKeyType !== 'rsa') { problems.push(`${where}: spki is not an rsaEncryption key (got ${ko.asymmetricKeyType})`); return; }
    if (!ko.export({ format: 'der', type: 'spki' }).equals(der)) problems.push(`${where}: spki is not in canonical DER form`);
    const bits = ko.asymmetricKeyDetails.modulusLength;
    if (!keys.has(k.keyId)) keys.set(k.keyId, { group: k.group, questionId: k.questionId, key: ko, nk: Math.ceil(bits / 8), bits });
  });
  need(problems.length === 0, problems.join('; '));
  const sizes = [...new Set([...keys.values()].map((k) => `${k.bits}-bit`))].join(', ');
  return version === 2
    ? `${b.tokenKeys.length} key(s) (${sizes} RSA), one per (group, question), each id the SHA-256 of its key`
    : `${b.tokenKeys.length} key(s) ${[...keys.values()].map((k) => `${k.group}:${k.bits}-bit`).join(', ')}`;
}

// Token context: version 1 SHA-256(UTF-8("anon-ballot/v1|" + poll.id + "|" + group)); version 2
// SHA-256(frame("anon-ballot/v2/token-context", poll.id, group, questionId)).
function tokenContext(b, version, entry) {
  return version === 2
    ? sha256(frame('anon-ballot/v2/token-context', b.poll.id, entry.group, entry.questionId))
    : sha256(Buffer.from(`anon-ballot/v1|${b.poll.id}|${entry.group}`, 'utf8'));
}

// decodes a ballot token; returns {bytes, nonce, keyId, entry} or throws CheckError(code)
// (docs/protocol.md §2: token_length, token_type, token_key_unknown)
function decodeToken(tokenStr, keys, version) {
  let bytes;
  try { bytes = b64urlDecodeStrict(tokenStr); } catch (err) { throw new CheckError(`token_decode (${err.message})`); }
  need(bytes.length >= 98, `token_length (${bytes.length} bytes)`);
  const type = bytes.readUInt16BE(0);
  need(type === TOKEN_TYPE[version], `token_type (0x${type.toString(16).padStart(4, '0')}, expected 0x${TOKEN_TYPE[version].toString(16).padStart(4, '0')})`);
  const keyId = bytes.subarray(66, 98).toString('hex');
  const entry = keys.get(keyId);
  need(entry, `token_key_unknown (${keyId})`);
  // version 2: "A token is exactly 98 + Nk bytes (354)", Nk = 256 (docs/protocol.md §1: 2048-bit
  // keys); version 1: 98 + the modulus length of its key
  const want = version === 2 ? 98 + 256 : 98 + entry.nk;
  need(bytes.length === want, `token_length (${bytes.length} bytes, expected ${want})`);
  if (version === 2) need(entry.bits === 2048, `token_key_size (its key has a ${entry.bits}-bit modulus; docs/protocol.md §1: 2048-bit)`);
  return { bytes, nonce: bytes.subarray(2, 34), context: bytes.subarray(34, 66), keyId, entry };
}

function checkTokens(b, version, keys) {
  const failures = [];
  b.ballots.forEach((bl, bi) => {
    try {
      const t = decodeToken(bl.token, keys, version);
      need(tokenContext(b, version, t.entry).equals(t.context), 'token_context');
      const ok = cryptoVerify('sha384', t.bytes.subarray(0, 98), {
        key: t.entry.key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 48,
      }, t.bytes.subarray(98));
      need(ok, 'token_signature');
    } catch (err) {
      if (!(err instanceof CheckError)) throw err;
      failures.push(`ballot ${bi}: ${err.message}`);
    }
  });
  need(failures.length === 0, failures.slice(0, 5).join('; ') + (failures.length > 5 ? `; … ${failures.length - 5} more` : ''));
  return `${b.ballots.length} token(s) valid` + (version === 2 ? ', each for this poll and its key\'s group and question' : '');
}

function checkUniqueNonces(b) {
  const seen = new Map();
  b.ballots.forEach((bl, bi) => {
    // nonce = bytes 2..33 of the token; needs only a structurally decodable token
    const bytes = b64urlDecodeStrict(bl.token);
    need(bytes.length >= 34, `ballot ${bi}: token too short to hold a nonce`);
    const n = bytes.subarray(2, 34).toString('hex');
    need(!seen.has(n), `ballot ${bi}: nonce ${n} already used by ballot ${seen.get(n)}`);
    seen.set(n, bi);
  });
  return `${seen.size} distinct nonce(s)`;
}

function checkBallotOrder(b) {
  let prev = null;
  b.ballots.forEach((bl, bi) => {
    const cur = b64urlDecodeStrict(bl.token);
    if (prev) need(Buffer.compare(prev, cur) < 0, `ballot ${bi} is not strictly after ballot ${bi - 1} in token-byte order`);
    prev = cur;
  });
  return 'strictly ascending by token bytes';
}


function checkIssued(b, keys) {
  const e = b.electorate;
  const perGroup = new Map();
  for (const k of keys.values()) perGroup.set(k.group, 0);
  b.ballots.forEach((bl, bi) => {
    const bytes = b64urlDecodeStrict(bl.token);
    need(bytes.length >= 98, `ballot ${bi}: token too short to name a key`);
    const k = keys.get(bytes.subarray(66, 98).toString('hex'));
    need(k, `ballot ${bi}: token under an unknown key`);
    perGroup.set(k.group, perGroup.get(k.group) + 1);
  });
  const keyGroups = new Set(b.tokenKeys.map((k) => k.group));
  for (const g of Object.keys(e.issued)) {
    need(keyGroups.has(g), `electorate.issued names group ${JSON.stringify(g)} which has no token key`);
  }
  const parts = [];
  for (const [g, n] of perGroup) {
    const issued = has(e.issued, g) ? e.issued[g] : 0;
    need(n <= issued, `group ${JSON.stringify(g)}: ${n} ballots > ${issued} tokens issued`);
    // a voter gets at most one token per group, so issued[g] <= checkedIn
    need(issued <= e.checkedIn, `group ${JSON.stringify(g)}: ${issued} tokens issued > ${e.checkedIn} voters checked in`);
    parts.push(`${g}: ${n} ballot(s) <= ${issued} issued`);
  }
  need(e.checkedIn <= e.expected, `checkedIn ${e.checkedIn} > expected ${e.expected}`);
  // every checked-in voter received at least one token
  const totalIssued = Object.values(e.issued).reduce((a, x) => a + x, 0);
  need(e.checkedIn <= totalIssued, `checkedIn ${e.checkedIn} > total tokens issued ${totalIssued}`);
  parts.push(`checkedIn ${e.checkedIn} <= expected ${e.expected}`);
  // written opinions come from absent expected voters: per question <= expected - checkedIn
  const absent = e.expected - e.checkedIn;
  for (const [qid, n] of writtenPerQuestion(b)) {
    need(n <= absent, `question ${JSON.stringify(qid)}: ${n} written opinion(s) > expected ${e.expected} - checkedIn ${e.checkedIn} = ${absent} absent voters`);
  }
  parts.push(`written opinions per question <= ${absent} absent`);
  return parts.join('; ');
}

// null if `v` is a valid canonical answer to question q, else a message ("Answers").
// `ctx`: 'ballot' (a published ballot's answer), 'written' (a written opinion) or 'self' (a
// self-evaluation's scores). Version 1: a ballot's score answer may be "withheld" (where it may
// be is checked by `recount`); there is no "abstain" on scores. Version 2: a score ballot may be
// "abstain" (不了解); "withheld" is left to the caller (check 10 `answers`), and is refused here.
// `canonical` false: what counting needs only (options and criteria that exist, once each, scores
// in range): neither the order of score members and approval options nor `maxChoices` is
// required; `choices`/`answers` refuse such an answer, `recount` still counts what it says.
function answerProblem(q, v, ctx, version, canonical = true) {
  if (v === WITHHELD) {
    if (version === 1 && ctx === 'ballot' && q.type === 'score') return null;
    return `"withheld" is not an answer here (question ${JSON.stringify(q.id)})`;
  }
  if (q.type === 'score') {
    if (v === ABSTAIN && version === 2 && ctx === 'ballot') return null;
    if (!isObj(v)) return `question ${JSON.stringify(q.id)} (score) needs { criterionId: integer }` + (version === 2 && ctx === 'ballot' ? ' or "abstain"' : '');
    const keys = keyOrder.get(v) ?? Object.keys(v);
    for (const k of keys) if (!q.criteria.includes(k)) return `${JSON.stringify(k)} is not a criterion of ${JSON.stringify(q.id)}`;
    for (const c of q.criteria) {
      if (!has(v, c)) return `criterion ${JSON.stringify(c)} of ${JSON.stringify(q.id)} not scored`;
      const x = v[c];
      if (!Number.isSafeInteger(x) || x < q.min || x > q.max) return `score ${JSON.stringify(x)} for ${JSON.stringify(q.id)}.${c} is not an integer from ${q.min} to ${q.max}`;
    }
    // "members sorted" is stated for a score answer; GUESS: not required of selfEvaluations[].scores
    if (ctx !== 'self' && canonical) {
      for (let k = 1; k < keys.length; k++) {
        if (compareUtf16(keys[k - 1], keys[k]) >= 0) return `score answer for ${JSON.stringify(q.id)}: criterion keys are not sorted`;
      }
    }
    return null;
  }
  if (q.type === 'single') {
    if (typeof v !== 'string') return `question ${JSON.stringify(q.id)} (single) needs one option id`;
    if (!q.options.includes(v)) return `${JSON.stringify(v)} is not an option of ${JSON.stringify(q.id)}`;
    return null;
  }
  if (!Array.isArray(v)) return `question ${JSON.stringify(q.id)} (approval) needs an array`;
  if (canonical && v.length > q.maxChoices) return `${v.length} choices for ${JSON.stringify(q.id)} > maxChoices ${q.maxChoices}`;
  for (let oi = 0; oi < v.length; oi++) {
    const o = v[oi];
    if (typeof o !== 'string' || !q.options.includes(o)) return `${JSON.stringify(o)} is not an option of ${JSON.stringify(q.id)}`;
    if (v.indexOf(o) !== oi) return `approval array for ${JSON.stringify(q.id)} names ${JSON.stringify(o)} twice`;
    if (canonical && oi > 0 && compareUtf16(v[oi - 1], o) >= 0) return `approval array for ${JSON.stringify(q.id)} is not sorted ascending`;
  }
  return null;
}

// Written opinions (both versions): each a valid answer (`single` or `approval`, canonical) to its
// question, "sorted by their JCS form" (equal entries may repeat: two absent voters may give the
// same opinion). Returns problems.
function writtenOpinionProblems(b, version) {
  const byId = new Map(b.poll.questions.map((q) => [q.id, q]));
  const problems = [];
  b.writtenOpinions.forEach((w, wi) => {
    const where = `written opinion ${wi}`;
    const q = byId.get(w.questionId);
    if (!q) { problems.push(`${where}: unknown question ${JSON.stringify(w.questionId)}`); return; }
    if (version === 2 && q.type === 'score') { problems.push(`${where}: a written opinion answers a single or approval question, ${JSON.stringify(q.id)} is a score question`); return; }
    const p = answerProblem(q, w.choice, 'written', version);
    if (p !== null) problems.push(`${where}: ${p}`);
    if (wi > 0 && compareUtf16(jcs(b.writtenOpinions[wi - 1]), jcs(w)) > 0) {
      problems.push(`${where}: writtenOpinions are not sorted by their JCS form`);
    }
  });
  return problems;
}

// Three evaluations (both versions): each self-evaluation valid scores for its question, at most
// one per candidate (`groups.self.raters` is "0 or 1"). Returns problems. Version 2's check 11
// `self_evaluations` checks who stated them (candidate keys, signatures) and at most one per
// question; that the scores are scores of the question, which the rule needs to give
// `groups.self`, no check names: GUESS, `verdicts` (applying the rule again), as in version 1.
// A second self-evaluation or one of an unknown question leaves the rule nothing to apply to, so
// `verdicts` fails with check 11.
function selfEvaluationProblems(b, version) {
  if (b.poll.rule.kind !== TE) return [];
  const byId = new Map(b.poll.questions.map((q) => [q.id, q]));
  const problems = [];
  const seen = new Set();
  b.selfEvaluations.forEach((se, si) => {
    const where = `selfEvaluations[${si}]`;
    const q = byId.get(se.questionId);
    if (!q) { problems.push(`${where}: unknown question ${JSON.stringify(se.questionId)}`); return; }
    if (seen.has(se.questionId)) problems.push(`${where}: a second self-evaluation for ${JSON.stringify(se.questionId)}`);
    seen.add(se.questionId);
    const p = answerProblem(q, se.scores, 'self', version);
    if (p !== null) problems.push(`${where}: ${p}`);
  });
  return problems;
}

// Version 1 check `choices`: each ballot answers every question exactly once with valid options
// in canonical form (a score question may be left out, but a ballot answers at least one);
// written opinions valid.
function checkChoices(b) {
  const qs = b.poll.questions;
  const byId = new Map(qs.map((q) => [q.id, q]));
  b.ballots.forEach((bl, bi) => {
    const where = `ballot ${bi}`;
    const c = bl.choices;
    for (const k of Object.keys(c)) need(byId.has(k), `${where}: answers unknown question ${JSON.stringify(k)}`);
    let answered = 0;
    for (const q of qs) {
      if (!has(c, q.id) && q.type === 'score') continue;
      need(has(c, q.id), `${where}: question ${JSON.stringify(q.id)} not answered`);
      answered++;
      const p = answerProblem(q, c[q.id], 'ballot', 1);
      need(p === null, `${where}: ${p}`);
    }
    need(answered >= 1, `${where}: answers no question`);
  });
  const problems = writtenOpinionProblems(b, 1);
  need(problems.length === 0, problems.join('; '));
  const partial = b.ballots.filter((bl) => qs.some((q) => !has(bl.choices, q.id))).length;
  return `${b.ballots.length} ballot(s) answer the question(s) canonically` +
    (partial ? ` (${partial} leave a score question out)` : ` (all ${qs.length})`) + '; ' +
    `${b.writtenOpinions.length} written opinion(s) valid and sorted`;
}

// ---------------------------------------------------------------------------
// Version 2 checks 3, 8, 9, 10, 14
// ---------------------------------------------------------------------------
// Check 3 `key_set`: keyIds sorted strictly ascending (lowercase hex of equal length: the string
// order is the byte order); digest = SHA-256(frame("anon-ballot/v2/key-set", k1, …, kn)) over the
// raw key ids; every tokenKeys[].keyId among them.
function checkKeySet(b) {
  const ids = b.keySet.keyIds;
  const problems = [];
  for (let k = 1; k < ids.length; k++) {
    if (!(ids[k - 1] < ids[k])) problems.push(`keySet.keyIds[${k}] is not strictly after keySet.keyIds[${k - 1}] (sorted ascending, distinct)`);
  }
  const digest = sha256(frame('anon-ballot/v2/key-set', ...ids.map((h) => Buffer.from(h, 'hex')))).toString('hex');
  if (digest !== b.keySet.digest) problems.push(`keySet.digest ${b.keySet.digest} is not the key set digest of keySet.keyIds (${digest})`);
  const inSet = new Set(ids);
  b.tokenKeys.forEach((k, ki) => {
    if (!inSet.has(k.keyId)) problems.push(`tokenKeys[${ki}] (${k.group}, ${k.questionId}): key id ${k.keyId} is not in the meeting's key set`);
  });
  need(problems.length === 0, problems.join('; '));
  return `${ids.length} key(s) in the meeting's key set, fingerprint ${digest.slice(0, 16)}; this poll's ${b.tokenKeys.length} key(s) among them`;
}

// Receipt = SHA-256(frame("anon-ballot/v2/receipt", token bytes, salt bytes, UTF-8 JCS(answer)))
function receiptOf(tokenBytes, saltBytes, answer) {
  return sha256(frame('anon-ballot/v2/receipt', tokenBytes, saltBytes, jcs(answer))).toString('hex');
}

// Check 8 `receipts`: no receipt twice; a "withheld" ballot has no salt; every other ballot has
// a salt of 32 bytes (canonical base64) and its receipt binds its token, salt and answer.
function checkReceipts(b) {
  const seen = new Map();
  const problems = [];
  let withheld = 0;
  b.ballots.forEach((bl, bi) => {
    const where = `ballot ${bi}`;
    if (seen.has(bl.receipt)) problems.push(`${where}: receipt ${bl.receipt} already published for ballot ${seen.get(bl.receipt)}`);
    else seen.set(bl.receipt, bi);
    if (bl.answer === WITHHELD) {
      withheld++;
      if (has(bl, 'salt')) problems.push(`${where}: a "withheld" ballot publishes a salt`);
      return;
    }
    if (!has(bl, 'salt')) { problems.push(`${where}: a shown ballot has no salt`); return; }
    let salt;
    try { salt = b64decodeStrict(bl.salt); } catch (err) { problems.push(`${where}: salt is not canonical base64 (${err.message})`); return; }
    if (salt.length !== 32) { problems.push(`${where}: salt is ${salt.length} bytes, not 32`); return; }
    const want = receiptOf(b64urlDecodeStrict(bl.token), salt, bl.answer);
    if (want !== bl.receipt) problems.push(`${where}: receipt ${bl.receipt} does not bind its token, salt and answer (they give ${want})`);
  });
  need(problems.length === 0, problems.slice(0, 8).join('; ') + (problems.length > 8 ? `; … ${problems.length - 8} more` : ''));
  return `${b.ballots.length - withheld} receipt(s) bind their token, salt and answer; ${withheld} ballot(s) withheld (receipt only); no receipt twice`;
}

// Written opinions per question id (every entry, valid or not).
function writtenPerQuestion(b) {
  const w = new Map(b.poll.questions.map((q) => [q.id, 0]));
  for (const wo of b.writtenOpinions) w.set(wo.questionId, (w.get(wo.questionId) ?? 0) + 1);
  return w;
}

// Ballots per published key id (by the key id their token names).
function ballotsPerKey(b) {
  const n = new Map(b.tokenKeys.map((k) => [k.keyId, 0]));
  for (const bl of b.ballots) {
    const id = tokenKeyId(bl.token);
    if (n.has(id)) n.set(id, n.get(id) + 1);
  }
  return n;
}

// Check 9 `issued` (version 2), as listed in "Verification".
function checkIssuedV2(b) {
  const e = b.electorate;
  const problems = [];
  const perKey = ballotsPerKey(b);
  const seen = new Set();
  for (const k of b.tokenKeys) {
    if (seen.has(k.keyId)) continue;
    seen.add(k.keyId);
    const n = perKey.get(k.keyId);
    const where = `key (${k.group}, ${k.questionId})`;
    if (n > k.issued) problems.push(`${where}: ${n} ballot(s) > ${k.issued} token(s) issued`);
    if (k.issued > e.checkedIn) problems.push(`${where}: ${k.issued} token(s) issued > ${e.checkedIn} checked in`);
    if (n > e.submitted) problems.push(`${where}: ${n} ballot(s) > ${e.submitted} submitted`);
  }
  const unnamed = b.ballots.length - [...perKey.values()].reduce((a, x) => a + x, 0);
  if (e.submitted > e.checkedIn) problems.push(`submitted ${e.submitted} > checkedIn ${e.checkedIn}`);
  if (e.lateCheckIns > e.checkedIn) problems.push(`lateCheckIns ${e.lateCheckIns} > checkedIn ${e.checkedIn}`);
  const atOpening = e.checkedIn - e.lateCheckIns;
  if (atOpening > e.headCount) problems.push(`checkedIn − lateCheckIns = ${atOpening} > headCount ${e.headCount} (more checked in at the opening than counted in the room)`);
  // "not blank": GUESS: empty or only white space (JavaScript's \s, which includes U+3000)
  if (e.headCount > atOpening && /^\s*$/.test(e.headCountNote)) {
    problems.push(`headCount ${e.headCount} > checkedIn − lateCheckIns = ${atOpening}, but headCountNote is blank`);
  }
  if (e.present !== e.headCount + e.lateCheckIns) problems.push(`present ${e.present} != headCount ${e.headCount} + lateCheckIns ${e.lateCheckIns}`);
  if (e.present > e.expected) problems.push(`present ${e.present} > expected ${e.expected}`);
  const absent = e.expected - e.present;
  for (const [qid, n] of writtenPerQuestion(b)) {
    if (n > absent) problems.push(`question ${JSON.stringify(qid)}: ${n} written opinion(s) > expected − present = ${absent}`);
  }
  // `exclusions` sorted by their JCS form (UTF-16 code units; equal entries may repeat)
  b.exclusions.forEach((x, xi) => {
    if (xi > 0 && compareUtf16(jcs(b.exclusions[xi - 1]), jcs(x)) > 0) problems.push(`exclusions[${xi}]: exclusions are not sorted by their JCS form`);
  });
  need(problems.length === 0, problems.join('; '));
  const notes = [];
  if (e.declaredNotVoted !== null && e.submitted > e.checkedIn - e.declaredNotVoted) {
    notes.push(`WARNING: ${e.submitted} submitted > checkedIn ${e.checkedIn} − declaredNotVoted ${e.declaredNotVoted}: more ballots came back than voters say they cast`);
  }
  // … or more ballots than Σ issued − D × m, m = the least (keys of a group − 1) over the groups.
  if (e.declaredNotVoted !== null) {
    const keysOfGroup = new Map();
    for (const k of b.tokenKeys) keysOfGroup.set(k.group, (keysOfGroup.get(k.group) ?? 0) + 1);
    const m = keysOfGroup.size === 0 ? 0 : Math.min(...[...keysOfGroup.values()].map((n) => Math.max(0, n - 1)));
    const room = b.tokenKeys.reduce((sum, k) => sum + k.issued, 0) - e.declaredNotVoted * m;
    if (b.ballots.length > room)
      notes.push(`WARNING: ${b.ballots.length} ballots > Σ issued − declaredNotVoted × ${m} = ${room}: more ballots came back than the others could cast`);
  }
  if (e.refusedOverIssued !== 0) notes.push(`${e.refusedOverIssued} submission(s) refused over the tokens issued (refusedOverIssued)`);
  if (e.struck !== 0) notes.push(`${e.struck} check-in(s) struck at the opening`);
  if (unnamed > 0) notes.push(`${unnamed} ballot(s) name no published key (see tokens)`);
  return `every key within its tokens issued (≤ checkedIn ${e.checkedIn}) and within submitted ${e.submitted}; ` +
    `head count ${e.headCount}, ${e.checkedIn} checked in (${e.lateCheckIns} late), present ${e.present} ≤ expected ${e.expected}; ` +
    `written opinions per question ≤ ${absent}; ${b.exclusions.length} exclusion(s) sorted` + (notes.length ? '; ' + notes.join('; ') : '');
}

// The floor "Withheld ballots" applies: the rule's anonymityFloor for three_evaluations, 3 for
// every other kind.
const ruleFloor = (rule) => (rule.kind === TE ? rule.anonymityFloor : DEFAULT_ANONYMITY_FLOOR);

// Check 10 `answers` (version 2).
function checkAnswers(b) {
  const problems = [];
  const floor = ruleFloor(b.poll.rule);
  if (b.poll.anonymityFloor !== floor) problems.push(`poll.anonymityFloor ${b.poll.anonymityFloor} is not the rule's floor ${floor}`);
  const qById = new Map(b.poll.questions.map((q) => [q.id, q]));
  const index = keyIndex(b);
  // each ballot: "withheld" or a valid answer to its key's question, in canonical form
  const perKey = new Map(); // keyId -> answers
  b.ballots.forEach((bl, bi) => {
    const key = index.get(tokenKeyId(bl.token));
    if (!key) { problems.push(`ballot ${bi}: its token names no published key, so it answers no question (see tokens)`); return; }
    const q = qById.get(key.questionId);
    if (!q) { problems.push(`ballot ${bi}: its key's question ${JSON.stringify(key.questionId)} is not a question of the poll`); return; }
    if (!perKey.has(key.keyId)) perKey.set(key.keyId, []);
    perKey.get(key.keyId).push(bl.answer);
    if (bl.answer === WITHHELD) return;
    const p = answerProblem(q, bl.answer, 'ballot', 2);
    if (p !== null) problems.push(`ballot ${bi} (${key.group}, ${q.id}): ${p}`);
  });
  // each key withheld exactly as "Withheld ballots" requires
  let withheldKeys = 0;
  for (const [keyId, answers] of perKey) {
    const key = index.get(keyId);
    const q = qById.get(key.questionId);
    const where = `key (${key.group}, ${q.id})`;
    const nWithheld = answers.filter((a) => a === WITHHELD).length;
    if (q.type === 'single') {
      if (nWithheld > 0) problems.push(`${where}: ${nWithheld} "withheld" answer(s) on a single question, which is never withheld`);
      continue;
    }
    const raters = q.type === 'score' ? answers.filter((a) => a !== ABSTAIN).length : answers.length;
    if (raters >= 1 && raters < floor) {
      withheldKeys++;
      const shown = answers.filter((a) => a !== ABSTAIN && a !== WITHHELD).length;
      if (shown > 0) problems.push(`${where}: ${raters} rater(s) < anonymityFloor ${floor}, yet ${shown} answer(s) shown: each must be published as "withheld"`);
    } else if (nWithheld > 0) {
      problems.push(`${where}: ${nWithheld} "withheld" answer(s), but its ${raters} rater(s) are not under the floor ${floor}`);
    }
  }
  problems.push(...writtenOpinionProblems(b, 2));
  need(problems.length === 0, problems.slice(0, 8).join('; ') + (problems.length > 8 ? `; … ${problems.length - 8} more` : ''));
  return `${b.ballots.length} ballot(s) each answer the one question of its key, canonically; anonymity floor ${floor}` +
    (withheldKeys ? `; ${withheldKeys} key(s) under the floor, their ballots withheld as required` : '; no key under the floor') +
    `; ${b.writtenOpinions.length} written opinion(s) valid and sorted`;
}

// Check 14 `record`: close.seq ≥ opening.seq (the digests are checked against the unit's exported
// record, which is not in the bundle); the opening statement agrees with the bundle (code
// `opening_statement`): its pollId and meetingId are the poll's, its headCount, headCountNote and
// struck the electorate's, its checkedIn is checkedIn − lateCheckIns, its issued lists exactly the
// ids of tokenKeys, sorted and distinct, each with at most that key's issued (exactly that when
// lateCheckIns is 0), and its record is record.opening. A keySetDigest other than keySet.digest is
// reported, not refused (another poll of the meeting may have created keys later).
function checkRecord(b) {
  const { opening, close } = b.record;
  need(close.seq >= opening.seq, `record.close.seq ${close.seq} < record.opening.seq ${opening.seq}`);
  const st = b.opening.statement;
  const e = b.electorate;
  const problems = [];
  const same = (member, stated, published, where) => {
    if (stated !== published) problems.push(`opening.statement.${member} ${JSON.stringify(stated)} != ${where} ${JSON.stringify(published)}`);
  };
  same('pollId', st.pollId, b.poll.id, 'poll.id');
  same('meetingId', st.meetingId, b.poll.meetingId, 'poll.meetingId');
  same('headCount', st.headCount, e.headCount, 'electorate.headCount');
  same('headCountNote', st.headCountNote, e.headCountNote, 'electorate.headCountNote');
  same('struck', st.struck, e.struck, 'electorate.struck');
  // "check-ins signed at the opening, late ones not included"
  same('checkedIn', st.checkedIn, e.checkedIn - e.lateCheckIns, 'electorate.checkedIn − electorate.lateCheckIns');
  // issued: exactly the ids of tokenKeys (the first entry of a key id listed twice: `token_keys`
  // refuses that), sorted by key id — raw bytes, which lowercase hex compares alike — and distinct
  const issuedAtClose = new Map();
  for (const k of b.tokenKeys) if (!issuedAtClose.has(k.keyId)) issuedAtClose.set(k.keyId, k.issued);
  const listed = new Set();
  let tokens = 0;
  st.issued.forEach((x, xi) => {
    const where = `opening.statement.issued[${xi}]`;
    if (xi > 0 && !(st.issued[xi - 1].keyId < x.keyId)) problems.push(`${where}: key id ${x.keyId} is not after ${st.issued[xi - 1].keyId} (sorted by key id, distinct)`);
    if (!issuedAtClose.has(x.keyId)) { problems.push(`${where}: key id ${x.keyId} is not one of tokenKeys`); return; }
    listed.add(x.keyId);
    tokens += x.issued;
    const all = issuedAtClose.get(x.keyId);
    if (x.issued > all) problems.push(`${where}: ${x.issued} token(s) issued at the opening > ${all} issued in all (tokenKeys)`);
    else if (e.lateCheckIns === 0 && x.issued !== all) problems.push(`${where}: ${x.issued} token(s) issued at the opening, but ${all} in all and no late check-in`);
  });
  for (const id of issuedAtClose.keys()) if (!listed.has(id)) problems.push(`opening.statement.issued: key ${id} of tokenKeys is not listed`);
  if (st.record.seq !== opening.seq || st.record.digest !== opening.digest) {
    problems.push(`opening.statement.record #${st.record.seq} (${st.record.digest}) != record.opening #${opening.seq} (${opening.digest})`);
  }
  need(problems.length === 0, `the opening statement disagrees with the bundle: ${problems.join('; ')} (code opening_statement)`);
  const keySet = st.keySetDigest === b.keySet.digest
    ? `the meeting's key set then was keySet (fingerprint ${st.keySetDigest.slice(0, 16)})`
    : `the meeting's key set then was ${st.keySetDigest.slice(0, 16)}, not keySet ${b.keySet.digest.slice(0, 16)} (another poll of the meeting created keys later: reported, not refused)`;
  return `anchored up to #${opening.seq} (${opening.digest.slice(0, 16)}) at the opening and #${close.seq} (${close.digest.slice(0, 16)}) at close; ` +
    'the digests check only against the unit\'s exported record, not in the bundle; ' +
    `the opening statement agrees with the bundle: head count ${st.headCount}, ${st.checkedIn} checked in at the opening, ${st.struck} struck, ` +
    `${st.issued.length} key(s) with ${tokens} token(s) issued at the opening; ${keySet}`;
}

// ---------------------------------------------------------------------------
// Counting (checks recount and verdicts, both versions)
// ---------------------------------------------------------------------------
// The answers counted under each question: Map qid -> [{ answer, group, bi }]. Version 1: every
// question a ballot answers (its `choices`), the group of its token's key. Version 2: the one
// question of the ballot's key ("A ballot counts only under its key's question"); a ballot whose
// token names no published key counts nowhere (check `tokens` reports it).
function answersByQuestion(b, version) {
  const index = keyIndex(b);
  const out = new Map(b.poll.questions.map((q) => [q.id, []]));
  b.ballots.forEach((bl, bi) => {
    const key = index.get(tokenKeyId(bl.token));
    if (version === 1) {
      for (const q of b.poll.questions) if (has(bl.choices, q.id)) out.get(q.id).push({ answer: bl.choices[q.id], group: key?.group, bi });
    } else if (key && out.has(key.questionId)) {
      out.get(key.questionId).push({ answer: bl.answer, group: key.group, bi });
    }
  });
  return out;
}

// Single and approval questions: counts from the ballots plus written opinions. Answers that are
// not valid are not counted (`choices`/`answers` report them). Version 2: the withheld answers of
// an approval question are stand-ins ("Withheld ballots"): with r[o] = published count − shown
// ballots and written opinions choosing o, the k-th withheld ballot chooses o when k < r[o].
// Per question: { counts (stand-ins included), shown (without them), written, invalid, ballots,
// withheld }.
function recount(b, version, byQ) {
  const out = new Map();
  b.poll.questions.forEach((q, qi) => {
    if (q.type === 'score') return;
    const slot = { counts: Object.fromEntries(q.options.map((o) => [o, 0])), written: 0, invalid: 0, ballots: byQ.get(q.id).length, withheld: 0 };
    const add = (v, ctx) => {
      if (version === 2 && ctx === 'ballot' && v === WITHHELD && q.type === 'approval') { slot.withheld++; return; }
      if (answerProblem(q, v, ctx, version, false) !== null) { slot.invalid++; return; }
      for (const o of (Array.isArray(v) ? v : [v])) slot.counts[o]++;
      if (ctx === 'written') slot.written++;
    };
    for (const e of byQ.get(q.id)) add(e.answer, 'ballot');
    for (const w of b.writtenOpinions) if (w.questionId === q.id) add(w.choice, 'written');
    slot.shown = { ...slot.counts };
    if (slot.withheld > 0) {
      const published = b.result.questions[qi].counts;
      for (const o of q.options) {
        const r = published[o] - slot.shown[o];
        // the stand-ins k = 0 … withheld−1 that choose o: those with k < r
        slot.counts[o] += Math.min(Math.max(r, 0), slot.withheld);
      }
    }
    out.set(q.id, slot);
  });
  return out;
}

// Score questions ("Three evaluations"): per question, per group of representatives, members and
// self: raters n, the sum S of all scores, the per-criterion sums (BigInt), how many answers are
// "withheld", "abstain" (version 2: not raters) or not valid. A ballot's group is its key's group.
function recountScores(b, version, byQ) {
  const out = new Map();
  const problems = [];
  const qs = b.poll.questions.filter((q) => q.type === 'score');
  const blank = (q) => ({ n: 0, withheld: 0, abstain: 0, invalid: 0, S: 0n, crit: Object.fromEntries(q.criteria.map((c) => [c, 0n])) });
  for (const q of qs) out.set(q.id, Object.fromEntries(TE_GROUPS.map((g) => [g, blank(q)])));
  const addScores = (slot, v) => {
    for (const c of Object.keys(slot.crit)) { slot.crit[c] += BigInt(v[c]); slot.S += BigInt(v[c]); }
  };
  for (const q of qs) {
    for (const { answer: v, group, bi } of byQ.get(q.id)) {
      if (!TE_ANON.includes(group)) { problems.push(`ballot ${bi}: its token names no key of group representatives or members`); continue; }
      const slot = out.get(q.id)[group];
      if (version === 2 && v === ABSTAIN) { slot.abstain++; continue; }
      slot.n++; // "a `"withheld"` answer counts"
      if (v === WITHHELD) slot.withheld++;
      else if (answerProblem(q, v, 'ballot', version, false) !== null) slot.invalid++;
      else addScores(slot, v);
    }
  }
  if (b.poll.rule.kind === TE) {
    for (const se of b.selfEvaluations) {
      const q = qs.find((x) => x.id === se.questionId);
      if (!q) continue;
      const slot = out.get(q.id).self;
      slot.n++;
      if (answerProblem(q, se.scores, 'self', version, false) !== null) slot.invalid++;
      else addScores(slot, se.scores);
    }
  }
  return { scores: out, problems };
}

// The parts of `result` that counting gives: ballotsCast, and per question the counts — single
// and approval: per option, with the stand-ins of withheld approvals; score ("Three evaluations"):
// raters per anonymous group. An answer that is not valid cannot be counted under the rule: it is
// a problem too. `candidates` (check `verdicts`, three evaluations): also the raters of
// result.candidates[].groups, the candidate's own group (self-evaluations) included; `recount`
// compares result.questions only (the candidates are the rule's result). A question is counted
// by its type, whatever the kind (that the kind has the questions it needs is `verdicts`'s).
// Returns problems.
function countProblems(b, version, byQ, { candidates }) {
  const r = b.result;
  const problems = [];
  const see = version === 2 ? 'answers' : 'choices';
  const isTE = b.poll.rule.kind === TE;
  if (r.ballotsCast !== b.ballots.length) problems.push(`result.ballotsCast ${r.ballotsCast} != ${b.ballots.length} ballots`);
  const rc = recount(b, version, byQ);
  const { scores } = recountScores(b, version, byQ);
  b.poll.questions.forEach((q, qi) => {
    const rq = r.questions[qi];
    if (q.type === 'score') {
      const sc = scores.get(q.id);
      for (const g of candidates && isTE ? TE_GROUPS : TE_ANON) {
        if (sc[g].invalid) problems.push(`question ${JSON.stringify(q.id)} group ${g}: ${sc[g].invalid} answer(s) not valid, which the rule cannot count (see ${g === 'self' ? 'verdicts' : see})`);
      }
      for (const g of TE_ANON) {
        if (rq.counts[g] !== sc[g].n) problems.push(`result.questions[${qi}] (${q.id}).counts.${g}: published ${rq.counts[g]}, recounted ${sc[g].n} rater(s)`);
      }
      if (candidates && isTE) {
        for (const g of TE_GROUPS) {
          const pub = r.candidates[qi].groups[g].raters;
          if (pub !== sc[g].n) problems.push(`result.candidates[${qi}] (${q.id}).groups.${g}.raters: published ${pub}, recounted ${sc[g].n}`);
        }
      }
      return;
    }
    const slot = rc.get(q.id);
    if (slot.invalid) problems.push(`question ${JSON.stringify(q.id)}: ${slot.invalid} answer(s) not valid, which the rule cannot count (see ${see})`);
    for (const o of q.options) {
      const published = rq.counts[o];
      if (published !== slot.counts[o]) {
        problems.push(`result.questions[${qi}] (${q.id}).counts.${o}: published ${published}, recounted ${slot.counts[o]}` +
          (slot.withheld ? ` (${slot.shown[o]} shown and written, ${slot.withheld} withheld: the stand-ins can give back ${slot.shown[o]}–${slot.shown[o] + slot.withheld})` : ''));
      }
    }
  });
  return problems;
}

function checkRecount(b, version) {
  const r = b.result;
  need(r.ballotsCast === b.ballots.length, `result.ballotsCast ${r.ballotsCast} != ${b.ballots.length} ballots`);
  const byQ = answersByQuestion(b, version);
  const isTE = b.poll.rule.kind === TE;
  const problems = countProblems(b, version, byQ, { candidates: false });
  const { scores, problems: groupProblems } = recountScores(b, version, byQ);
  problems.push(...groupProblems);
  if (isTE && version === 1) {
    // GUESS: a written opinion has no group, so nothing in "Three evaluations" can count it, while
    // written opinions are "counted in the result": a version 1 three-evaluations bundle must have
    // none. (Version 2: a written opinion answers a single or approval question, check `answers`.)
    if (b.writtenOpinions.length > 0) {
      problems.push(`${b.writtenOpinions.length} written opinion(s): three evaluations count ballots per group and self-evaluations only; a written opinion cannot be counted`);
    }
    // Version 1: where "withheld" may stand is checked here: group g is withheld (1 ≤ n < floor)
    // exactly when every answer of g is "withheld". (Version 2: check `answers`.)
    const floor = b.poll.rule.anonymityFloor;
    for (const q of b.poll.questions.filter((x) => x.type === 'score')) {
      for (const g of TE_ANON) {
        const s = scores.get(q.id)[g];
        const isWithheld = s.n >= 1 && s.n < floor;
        if (isWithheld && s.withheld !== s.n) {
          problems.push(`question ${JSON.stringify(q.id)}: group ${g} is withheld (${s.n} rater(s) < floor ${floor}) but ${s.n - s.withheld} of its answers are not redacted to "withheld"`);
        }
        if (!isWithheld && s.withheld > 0) {
          problems.push(`question ${JSON.stringify(q.id)}: ${s.withheld} "withheld" answer(s) from group ${g}, which is shown (${s.n} rater(s), floor ${floor})`);
        }
      }
    }
  }
  need(problems.length === 0, [...new Set(problems)].join('; '));
  if (isTE) {
    const parts = b.poll.questions.map((q) => {
      const sc = scores.get(q.id);
      if (!sc) return `${q.id} ${JSON.stringify(r.questions.find((rq) => rq.id === q.id).counts)}`;
      const g = (x) => `${sc[x].n}${sc[x].withheld ? ' (withheld)' : ''}${sc[x].abstain ? ` + ${sc[x].abstain} abstain` : ''}`;
      return `${q.id} {representatives ${g('representatives')}, members ${g('members')}, self ${sc.self.n}}`;
    });
    return `ballotsCast ${r.ballotsCast}; raters ` + parts.join('; ');
  }
  const standIns = [...recount(b, version, byQ).values()].reduce((a, x) => a + x.withheld, 0);
  return `ballotsCast ${r.ballotsCast}, ${b.writtenOpinions.length} written opinion(s); ` +
    r.questions.map((rq) => `${rq.id} ${JSON.stringify(rq.counts)}`).join('; ') +
    (standIns ? `; ${standIns} withheld approval ballot(s) read as stand-ins: the counts are consistent (nothing more can be checked without revealing them)` : '');
}

// ---------------------------------------------------------------------------
// Rules (docs/bundle-format.md, "Rules"): integer computations only
// ---------------------------------------------------------------------------
// needed = smallest v meeting the fraction of B, never less than 1
function neededVotes(B, setting) {
  const [num, den] = FRACTIONS[setting.fraction];
  const x = BigInt(B) * num;
  if (setting.comparison === 'more_than') return Number(x / den + 1n);
  const ceil = (x + den - 1n) / den;
  return Number(ceil < 1n ? 1n : ceil);
}

function sameSet(a, b) {
  return a.length === b.length && a.every((x) => b.includes(x));
}

// ---------------------------------------------------------------------------
// exact non-negative fractions (BigInt) for "Three evaluations"
// ---------------------------------------------------------------------------
const bgcd = (a, b) => { while (b) [a, b] = [b, a % b]; return a; };
function frac(n, d) {
  if (d === 0n) throw new Error('division by zero');
  const g = bgcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}
const fadd = (x, y) => frac(x.n * y.d + y.n * x.d, x.d * y.d);
const fmul = (x, k) => frac(x.n * k, x.d);
const fdiv = (x, k) => frac(x.n, x.d * k);
const fcmp = (x, y) => { const a = x.n * y.d, b = y.n * x.d; return a < b ? -1 : a > b ? 1 : 0; };
const fstr = (x) => (x.d === 1n ? `${x.n}` : `${x.n}/${x.d}`);
// "the exact fraction rounded half up to 2 decimals", as the JSON number that decimal denotes
function round2(x) {
  const h = (200n * x.n + x.d) / (2n * x.d); // floor(100·x + 1/2), x >= 0
  return Number(`${h / 100n}.${(h % 100n).toString().padStart(2, '0')}`);
}

// "Three evaluations": groups, averages, criteria, composite, band, rank, valid, withheld
function checkVerdictsThreeEvaluations(b, version, byQ, counted) {
  const rule = b.poll.rule;
  const r = b.result;
  const qs = b.poll.questions;
  const problems = [...counted, ...selfEvaluationProblems(b, version)];
  const cmp = (where, published, computed) => {
    if (JSON.stringify(published) !== JSON.stringify(computed)) problems.push(`${where}: published ${JSON.stringify(published)}, recomputed ${JSON.stringify(computed)}`);
  };

  // structure: one score question per candidate with the rule's criteria and scale; version 1:
  // two token keys, groups `representatives` and `members`; version 2: "keys for the groups
  // `representatives` and `members` of each question"
  if (version === 1) {
    const keyGroups = b.tokenKeys.map((k) => k.group);
    if (!sameSet(keyGroups, TE_ANON)) problems.push(`tokenKeys: three_evaluations needs exactly two keys, groups representatives and members (got ${keyGroups.join(', ') || 'none'})`);
  } else {
    for (const k of b.tokenKeys) {
      if (!TE_ANON.includes(k.group)) problems.push(`tokenKeys: key of group ${JSON.stringify(k.group)}: three_evaluations has keys of the groups representatives and members only`);
    }
    for (const q of qs) {
      for (const g of TE_ANON) {
        if (!b.tokenKeys.some((k) => k.group === g && k.questionId === q.id)) problems.push(`tokenKeys: no key for (${g}, ${q.id})`);
      }
    }
  }
  const critIds = rule.criteria.map((c) => c.id);
  for (const q of qs) {
    // "One `score` question per candidate"
    if (q.type !== 'score') { problems.push(`question ${JSON.stringify(q.id)}: three_evaluations has one score question per candidate, not a ${q.type} question`); continue; }
    // GUESS: the question's criteria are the rule's criteria (same set; order not required)
    if (!sameSet(q.criteria, critIds)) problems.push(`question ${JSON.stringify(q.id)}: criteria ${q.criteria.join(', ')} are not the rule's ${critIds.join(', ')}`);
    if (q.min !== rule.scale.min || q.max !== rule.scale.max) problems.push(`question ${JSON.stringify(q.id)}: min/max ${q.min}/${q.max} differ from poll.rule.scale ${rule.scale.min}/${rule.scale.max}`);
  }
  need(problems.length === 0, problems.join('; '));

  const { scores } = recountScores(b, version, byQ);
  const C = BigInt(critIds.length);
  const floor = rule.anonymityFloor;
  const W = rule.weights;
  const part = rule.participation;

  // participation: base = expectedByGroup[group] − 1, needed as for a threshold
  let partNeeded = null, partBase = null;
  if (part !== null) {
    // GUESS: a group of 0 expected would give base −1; it is taken as 0 (needed is then 1).
    partBase = Math.max(0, b.electorate.expectedByGroup[part.group] - 1);
    partNeeded = neededVotes(partBase, part);
  }

  const computed = qs.map((q, qi) => {
    const sc = scores.get(q.id);
    const where = `result.candidates[${qi}] (${q.id})`;
    const pub = r.candidates[qi];
    let num = null; // Σ w·S/(n·C) over shown groups with positive weight
    let wsum = 0n;
    const withheld = [];
    for (const g of TE_GROUPS) {
      const s = sc[g];
      const anonymous = g !== 'self';
      const shown = s.n >= 1 && (!anonymous || s.n >= floor);
      if (anonymous && s.n >= 1 && s.n < floor) withheld.push(g);
      let average = null;
      const crit = Object.fromEntries(q.criteria.map((c) => [c, null]));
      if (shown) {
        if (s.withheld || s.invalid) { problems.push(`${where}: group ${g} has "withheld" or invalid answers (see recount); its numbers cannot be recomputed`); continue; }
        const nB = BigInt(s.n);
        const avg = frac(s.S, nB * C);
        average = round2(avg);
        for (const c of q.criteria) crit[c] = round2(frac(s.crit[c], nB));
        if (W[g] > 0) {
          const term = fmul(avg, BigInt(W[g]));
          num = num === null ? term : fadd(num, term);
          wsum += BigInt(W[g]);
        }
      }
      const pg = pub.groups[g];
      cmp(`${where}.groups.${g}.average`, pg.average, average);
      for (const c of q.criteria) cmp(`${where}.groups.${g}.criteria.${c}`, pg.criteria[c], crit[c]);
    }
    const composite = num === null ? null : fdiv(num, wsum);
    let band = null;
    if (composite !== null) {
      const hit = rule.bands.find((bd) => fcmp(frac(BigInt(bd.min), 1n), composite) <= 0);
      band = hit ? hit.id : null; // GUESS: no band reached (only possible if the last min > 0) → null
    }
    // GUESS: with `participation` null every candidate is valid
    const valid = part === null ? true : sc[part.group].n >= partNeeded; // raters (recounted; see recount)
    cmp(`${where}.composite`, pub.composite, composite === null ? null : round2(composite));
    cmp(`${where}.band`, pub.band, band);
    cmp(`${where}.valid`, pub.valid, valid);
    // GUESS: `withheld` lists the groups in the order representatives, members
    cmp(`${where}.withheld`, pub.withheld, withheld);
    return { q, composite, band, valid, withheld };
  });
  computed.forEach((c, qi) => {
    let rank = null;
    if (c.valid && c.composite !== null) {
      rank = 1 + computed.filter((o) => o.valid && o.composite !== null && fcmp(o.composite, c.composite) > 0).length;
    }
    c.rank = rank;
    cmp(`result.candidates[${qi}] (${c.q.id}).rank`, r.candidates[qi].rank, rank);
  });
  need(problems.length === 0, problems.join('; '));
  const partText = part === null ? 'participation: none' :
    `participation: ${part.group} raters ${part.comparison} ${part.fraction} of ${partBase} (expectedByGroup − 1) → ${partNeeded} needed`;
  return `rule three_evaluations: ${partText}; ` + computed.map((c) =>
    `${c.q.id}: composite ${c.composite === null ? 'null' : `${round2(c.composite)} (exact ${fstr(c.composite)})`}, ` +
    `band ${c.band}, rank ${c.rank}, ${c.valid ? 'valid' : 'not valid'}` +
    (c.withheld.length ? `, withheld ${c.withheld.join('+')}` : '')).join('; ') +
    ' (explanation sentences present, not compared)';
}

// "Democratic appraisal, per member"
function democraticAppraisal(b, rc, met) {
  const rule = b.poll.rule;
  const qs = b.poll.questions;
  const grades = rule.grades.map((g) => g.id);
  const best = grades[0];
  const { numerator, denominator } = rule.topGradeCap;
  const cap = Math.max(1, Number(BigInt(qs.length) * BigInt(numerator) / BigInt(denominator)));
  const per = qs.map((q) => {
    const { counts, written } = rc.get(q.id);
    const V = grades.reduce((a, g) => a + counts[g], 0);
    let grade = null;
    if (V > 0) {
      let cum = 0;
      for (const g of grades) {
        cum += counts[g];
        if (cum * 2 > V) { grade = g; break; }
      }
    }
    return { q, counts, written, V, grade };
  });
  const tops = per.filter((p) => p.grade === best);
  for (const p of per) {
    if (p.grade === best) {
      const v = p.counts[best];
      p.rank = 1 + tops.filter((o) => o.counts[best] > v).length;
      const ahead = p.rank - 1;
      const tied = tops.filter((o) => o.counts[best] === v).length;
      p.verdictIfQuorum = ahead + tied <= cap ? best : ahead < cap ? 'tied_at_cap' : 'over_cap';
    } else {
      p.verdictIfQuorum = p.grade === null ? 'no_grade' : p.grade;
    }
    p.verdict = met ? p.verdictIfQuorum : 'no_quorum';
  }
  return { cap, per, best };
}

function checkVerdicts(b, version) {
  const rule = b.poll.rule;
  const kind = rule.kind;
  const r = b.result;
  const byQ = answersByQuestion(b, version);
  // "applying `poll.rule` again gives exactly `result`": the counts too (so a miscount fails
  // `verdicts` as well as `recount`)
  const counted = countProblems(b, version, byQ, { candidates: true });
  if (kind === 'generic') {
    need(counted.length === 0, counted.join('; '));
    return 'rule generic: no verdicts, no quorum; result { id, counts } per question as the rule gives it';
  }
  if (kind === TE) return checkVerdictsThreeEvaluations(b, version, byQ, counted);

  const E = b.electorate.expected;
  // the quorum's `present` and the threshold base `present`: version 1 electorate.checkedIn,
  // version 2 electorate.present (head count + late check-ins)
  const C = version === 2 ? b.electorate.present : b.electorate.checkedIn;
  const rc = recount(b, version, byQ);
  const problems = [...counted];
  const cmp = (where, published, computed) => {
    if (published !== computed) problems.push(`${where}: published ${JSON.stringify(published)}, recomputed ${JSON.stringify(computed)}`);
  };
  // base `ballots`: "the ballots under the question's keys plus its written opinions" (version 1:
  // every ballot answers every single and approval question)
  const baseValue = (base, qid) => (base === 'expected' ? E : base === 'present' ? C : rc.get(qid).ballots + rc.get(qid).written);

  // quorum (attendance for the grading rules): base expected, votes present
  const quorumSetting = GRADE_KINDS.includes(kind) ? rule.attendance : rule.quorum;
  const qNeeded = neededVotes(E, quorumSetting);
  const met = C >= qNeeded;
  cmp('result.quorum.met', r.quorum.met, met);
  cmp('result.quorum.present', r.quorum.present, C);
  cmp('result.quorum.expected', r.quorum.expected, E);
  cmp('result.quorum.needed', r.quorum.needed, qNeeded);

  // rule-specific question structure
  const qs = b.poll.questions;
  const extended = new Set(kind === 'member_conversion' ? (rule.extendedBefore ?? []) : []);
  for (const id of extended) {
    if (!qs.some((q) => q.id === id)) problems.push(`poll.rule.extendedBefore: ${JSON.stringify(id)} is not a question id`);
  }
  if (kind === 'league_recommendation') {
    if (qs.length !== 1 || qs[0].type !== 'approval') problems.push('league_recommendation: the poll must have exactly one approval question');
  } else {
    for (const q of qs) {
      let want;
      if (kind === 'member_acceptance') want = ['agree', 'disagree', 'abstain'];
      else if (kind === 'member_conversion') want = extended.has(q.id) ? ['convert', 'cancel', 'abstain'] : ['convert', 'extend', 'cancel', 'abstain'];
      else {
        // grading kinds: "the grade ids and `abstain` (不了解)". GUESS for version 1, whose software
        // wrote the grade ids alone and whose section lists no difference here: either is taken.
        want = [...rule.grades.map((g) => g.id), ABSTAIN];
        if (version === 1 && !q.options.includes(ABSTAIN)) want = want.slice(0, -1);
      }
      if (q.type !== 'single' || !sameSet(q.options, want)) {
        problems.push(`question ${JSON.stringify(q.id)}: ${kind} needs a single question with options ${want.join(' / ')}`);
      }
    }
  }
  need(problems.length === 0, problems.join('; '));

  if (kind === DA) {
    const { cap, per, best } = democraticAppraisal(b, rc, met);
    const summary = [`quorum ${met ? 'met' : 'not met'} (${C} present, ${qNeeded} needed of ${E})`, `cap ${cap}`];
    per.forEach((p, qi) => {
      const rq = r.questions[qi];
      const where = `result.questions[${qi}] (${p.q.id})`;
      cmp(`${where}.writtenOpinions`, rq.writtenOpinions, p.written);
      cmp(`${where}.quorumMet`, rq.quorumMet, met);
      cmp(`${where}.grade`, rq.grade, p.grade);
      cmp(`${where}.cap`, rq.cap, cap);
      // "`rank` when the grade is the best grade" — GUESS: with or without quorum
      if (p.grade === best) cmp(`${where}.rank`, has(rq, 'rank') ? rq.rank : undefined, p.rank);
      else if (has(rq, 'rank')) problems.push(`${where}.rank: present (${rq.rank}) but the grade is ${JSON.stringify(p.grade)}, not the best grade`);
      cmp(`${where}.verdict`, rq.verdict, p.verdict);
      summary.push(`${p.q.id}: grade ${p.grade} of V=${p.V}` + (p.grade === best ? ` (${p.counts[best]} ${best}, rank ${p.rank})` : '') + ` → ${p.verdict}`);
    });
    need(problems.length === 0, problems.join('; '));
    return `rule ${kind}: ` + summary.join('; ') + ' (explanation sentences present, not compared)';
  }

  const threshSetting = GRADE_KINDS.includes(kind) ? rule.topGrade : rule.pass;
  const summary = [`quorum ${met ? 'met' : 'not met'} (${C} present, ${qNeeded} needed of ${E})`];
  qs.forEach((q, qi) => {
    const rq = r.questions[qi];
    const where = `result.questions[${qi}] (${q.id})`;
    const { counts, written } = rc.get(q.id);
    const B = baseValue(threshSetting.base, q.id);
    const need_ = neededVotes(B, threshSetting);
    cmp(`${where}.writtenOpinions`, rq.writtenOpinions, written);
    cmp(`${where}.thresholdBase.base`, rq.thresholdBase.base, threshSetting.base);
    cmp(`${where}.thresholdBase.value`, rq.thresholdBase.value, B);
    cmp(`${where}.threshold`, rq.threshold, need_);
    cmp(`${where}.quorumMet`, rq.quorumMet, met);

    let verdict;
    if (kind === 'member_acceptance') {
      verdict = !met ? 'no_quorum' : counts.agree >= need_ ? 'passed' : 'failed';
    } else if (kind === 'member_conversion') {
      if (!met) verdict = 'no_quorum';
      else {
        const reaching = ['convert', 'extend', 'cancel'].filter((o) => has(counts, o) && counts[o] >= need_);
        const best = reaching.filter((o) => reaching.every((x) => x === o || counts[o] > counts[x]));
        verdict = best.length === 1 ? best[0] : 'no_decision';
      }
      // "Candidates in extendedBefore carry warnings: a non-empty array …; no other question has warnings"
      if (extended.has(q.id) && !(has(rq, 'warnings') && rq.warnings.length > 0)) {
        problems.push(`${where}: candidate in extendedBefore carries no warnings`);
      }
      if (!extended.has(q.id) && has(rq, 'warnings')) problems.push(`${where}: warnings on a candidate not in extendedBefore`);
    } else if (kind === 'league_recommendation') {
      verdict = met ? 'decided' : 'no_quorum';
      const B = (BigInt(E) + BigInt(b.exclusions.length)) * BigInt(rule.capPercent);
      const cap = has(rule, 'capCount') ? rule.capCount
        : Math.max(1, Number((rule.capRounding === 'nearest' ? B + 50n : B) / 100n));
      cmp(`${where}.cap`, rq.cap, cap);
      const votes = q.options.map((o) => counts[o]);
      const passing = votes.filter((v) => v >= need_);
      const want = q.options.map((o, k) => {
        const v = votes[k];
        const rank = 1 + votes.filter((x) => x > v).length;
        let cv;
        if (!met || v < need_) cv = 'not_recommended';
        else {
          const ahead = passing.filter((x) => x > v).length;
          const tied = passing.filter((x) => x === v).length;
          cv = ahead + tied <= cap ? 'recommended' : ahead < cap ? 'tied_at_cap' : 'not_recommended';
        }
        return { id: o, votes: v, rank, verdict: cv };
      });
      if (rq.candidates.length !== want.length) {
        problems.push(`${where}.candidates: ${rq.candidates.length} entries, expected one per option (${want.length})`);
      } else {
        want.forEach((w, k) => {
          const c = rq.candidates[k];
          cmp(`${where}.candidates[${k}].id`, c.id, w.id);
          cmp(`${where}.candidates[${k}].votes`, c.votes, w.votes);
          cmp(`${where}.candidates[${k}].rank`, c.rank, w.rank);
          cmp(`${where}.candidates[${k}].verdict`, c.verdict, w.verdict);
        });
      }
      summary.push(`${q.id}: cap ${cap}, ` + want.map((w) => `${w.id} ${w.votes} #${w.rank} ${w.verdict}`).join(', '));
    } else {
      const top = rule.grades[0].id;
      // `of`: the number of grades given (abstentions are not grades)
      const of = rule.grades.reduce((a, g) => a + counts[g.id], 0);
      cmp(`${where}.topGrade.grade`, rq.topGrade.grade, top);
      cmp(`${where}.topGrade.votes`, rq.topGrade.votes, counts[top]);
      cmp(`${where}.topGrade.of`, rq.topGrade.of, of);
      verdict = met && counts[top] >= need_ ? 'indicator_met' : 'indicator_not_met';
    }
    cmp(`${where}.verdict`, rq.verdict, verdict);
    summary.push(`${q.id}: ${verdict} (needs ${need_} of ${threshSetting.base} ${B})`);
  });
  need(problems.length === 0, problems.join('; '));
  return `rule ${kind}: ` + summary.join('; ') + ' (explanation/warning sentences present, not compared)';
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------
function usage(msg) {
  if (msg) console.error(msg);
  console.error('usage: node verify-from-docs.mjs BUNDLE.json [--signer BASE64|HEX] [--receipt HEX [--nonce HEX]]');
  process.exit(1);
}

const CHECKS_V1 = ['format', 'signature', 'token_keys', 'tokens', 'unique_nonces', 'ballot_order', 'issued', 'choices', 'recount', 'verdicts', 'cosignatures'];
const CHECKS_V2 = ['format', 'signature', 'key_set', 'token_keys', 'tokens', 'unique_nonces', 'ballot_order', 'receipts', 'issued', 'answers', 'self_evaluations', 'recount', 'verdicts', 'record', 'cosignatures'];

// A voter's receipt looked up. Version 2 (docs/protocol.md §10): the receipt among the published
// ballots ("in the bundle"); else, with the voter's nonce, a ballot whose token has it under
// another receipt ("changed"); else "missing". Version 1: the receipt is the SHA-256 of a token.
function lookUpReceipt(b, version, receipt, nonce) {
  const want = receipt.toLowerCase();
  const receiptOfBallot = (bl) => (version === 1 ? sha256(b64urlDecodeStrict(bl.token)).toString('hex') : bl.receipt);
  const hits = b.ballots.map((bl, bi) => [{ ...bl, receipt: receiptOfBallot(bl) }, bi]).filter(([bl]) => bl.receipt.startsWith(want));
  if (hits.length > 1) return { ok: false, status: 'AMBIGUOUS', text: `the prefix ${want} matches ${hits.length} ballots; give more digits` };
  if (hits.length === 1) {
    const [bl, bi] = hits[0];
    if (version === 1) return { ok: true, status: 'FOUND', text: `${bl.receipt} is ballot ${bi}` };
    const shown = bl.answer === WITHHELD ? 'answer withheld under the anonymity floor' : `answer ${jcs(bl.answer)}`;
    return { ok: true, status: 'FOUND', text: `${bl.receipt} is ballot ${bi} (${shown})` };
  }
  if (nonce !== undefined && version === 2) {
    const n = nonce.toLowerCase();
    const bi = b.ballots.findIndex((bl) => {
      try { return b64urlDecodeStrict(bl.token).subarray(2, 34).toString('hex') === n; } catch { return false; }
    });
    if (bi >= 0) {
      return { ok: false, status: 'CHANGED', text: `the token with nonce ${n} is ballot ${bi}, published under receipt ${b.ballots[bi].receipt}, not ${want}: the ballot was CHANGED after the ballot box signed the voter's receipt` };
    }
  }
  return { ok: false, status: 'MISSING', text: `${want} is NOT among the ${b.ballots.length} published ballots` + (nonce !== undefined ? ', nor is the nonce' : '') };
}

function main(argv) {
  let file, receipt, signer, nonce;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const m = /^--(receipt|signer|nonce)(?:=(.*))?$/.exec(a);
    if (m) {
      let v = m[2];
      if (v === undefined) {
        if (k + 1 >= argv.length) usage(`${a} needs a value`);
        v = argv[++k];
      }
      if (m[1] === 'receipt') receipt = v; else if (m[1] === 'signer') signer = v; else nonce = v;
    } else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else if (file === undefined) file = a;
    else usage('more than one bundle file given');
  }
  if (file === undefined) usage();
  if (receipt !== undefined && !/^[0-9a-fA-F]{16,64}$/.test(receipt)) usage('--receipt must be a receipt in hex: 64 digits, or a prefix of at least 16');
  if (nonce !== undefined && !/^[0-9a-fA-F]{64}$/.test(nonce)) usage('--nonce must be the 32-byte nonce of a token in hex (64 digits)');
  if (nonce !== undefined && receipt === undefined) usage('--nonce goes with --receipt');

  let allOk = true;
  const report = (ok, name, detail) => {
    console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`);
    if (!ok) allOk = false;
  };

  let bundle;
  try {
    const raw = readFileSync(file);
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw);
    bundle = parseStrictJson(text);
  } catch (err) {
    report(false, 'format', `cannot read bundle as strict UTF-8 JSON: ${err.message}`);
    for (const n of CHECKS_V2.slice(1)) console.log(`SKIP ${n}: format check failed`);
    console.log('RESULT: bundle is INVALID');
    return 1;
  }

  // The version is the one `format` names: "anon-ballot-bundle/v1" is verified under "Version 1",
  // anything else under version 2 (whose format check refuses any other label).
  const version = isObj(bundle) && bundle.format === FORMAT_V1 ? 1 : 2;
  const names = version === 1 ? CHECKS_V1 : CHECKS_V2;
  try {
    report(true, 'format', checkFormat(bundle, version));
  } catch (err) {
    if (!(err instanceof CheckError)) throw err;
    report(false, 'format', err.message);
    for (const n of names.slice(1)) console.log(`SKIP ${n}: format check failed`);
    console.log('RESULT: bundle is INVALID');
    return 1;
  }

  const keys = new Map();
  const run = (name, fn) => {
    try { report(true, name, fn()); } catch (err) {
      if (!(err instanceof CheckError)) throw err;
      report(false, name, err.message);
    }
  };
  if (version === 1) {
    run('signature', () => checkSignature(bundle, signer));
    run('token_keys', () => checkTokenKeys(bundle, 1, keys));
    run('tokens', () => checkTokens(bundle, 1, keys));
    run('unique_nonces', () => checkUniqueNonces(bundle));
    run('ballot_order', () => checkBallotOrder(bundle));
    run('issued', () => checkIssued(bundle, keys));
    run('choices', () => checkChoices(bundle));
    run('recount', () => checkRecount(bundle, 1));
    run('verdicts', () => checkVerdicts(bundle, 1));
    run('cosignatures', () => checkCosignatures(bundle, 1));
  } else {
    run('signature', () => checkSignature(bundle, signer));
    run('key_set', () => checkKeySet(bundle));
    run('token_keys', () => checkTokenKeys(bundle, 2, keys));
    run('tokens', () => checkTokens(bundle, 2, keys));
    run('unique_nonces', () => checkUniqueNonces(bundle));
    run('ballot_order', () => checkBallotOrder(bundle));
    run('receipts', () => checkReceipts(bundle));
    run('issued', () => checkIssuedV2(bundle));
    run('answers', () => checkAnswers(bundle));
    run('self_evaluations', () => checkSelfEvaluations(bundle));
    run('recount', () => checkRecount(bundle, 2));
    run('verdicts', () => checkVerdicts(bundle, 2));
    run('record', () => checkRecord(bundle));
    run('cosignatures', () => checkCosignatures(bundle, 2));
  }

  const bundleOk = allOk;
  let receiptOk = true;
  let receiptStatus = '';
  if (receipt !== undefined) {
    const found = lookUpReceipt(bundle, version, receipt, nonce);
    receiptOk = found.ok;
    receiptStatus = found.status ?? 'NOT FOUND';
    report(receiptOk, 'receipt', found.text);
  }

  console.log(`RESULT: bundle is ${bundleOk ? 'VALID' : 'INVALID'}` +
    (receipt === undefined ? '' : `; receipt ${receiptStatus}`));
  return bundleOk && receiptOk ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
