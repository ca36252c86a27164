// Independent verifier for `anon-ballot-bundle/v1`, written only from
// docs/bundle-format.md and docs/protocol.md. Node.js 20, built-ins only.
//
// Usage: node test/independent-verifier/verify-from-docs.mjs BUNDLE.json
//          [--receipt HEX] [--signer BASE64|HEX]
// Prints one line per check (the eleven checks of docs/bundle-format.md, "Verification":
// format, signature, token_keys, tokens, unique_nonces, ballot_order, issued, choices,
// recount, verdicts, cosignatures); exit 0 if every check passes, 1 otherwise (also 1 for a
// --receipt that is not among the ballots, or bad usage). The `verdicts` check recomputes quorum,
// thresholds, verdicts, caps, ranks and topGrade by the "Rules" section (also the median
// grade, cap and rank of democratic_appraisal), and for three_evaluations the averages,
// criteria, composite, band, rank, validity and withheld groups with exact BigInt fractions
// ("Three evaluations"); `recount` also checks the raters per group and where "withheld"
// answers may stand. The explanation and warning sentences are only checked for presence and
// shape ({ zh, en }), as the document allows. The `cosignatures` check ("Digest and
// co-signatures", check 11) refuses two scrutineers naming the same key, a co-signature that
// does not verify (strict decoding) or whose key the signed scrutineers list does not name with
// the same name and role, a key of small order, and a key co-signing twice; it prints the
// bundle's digest in hex (to match against the tally sheet) and how many of the scrutineers
// with a key have co-signed. Every Ed25519 signature (the bundle's and the co-signatures) is
// checked by the rule of the "Ed25519" section: canonical A and R, neither of small order,
// S < L, then node:crypto's cofactorless verification. The file is read as strict I-JSON
// ("JSON" section). Run as a script it verifies a file; imported, it only exports
// `parseStrictJson` and `ed25519VerifyStrict` (for tests that compare Ed25519 verifiers).

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
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

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
const FRACTIONS = { '1/2': [1n, 2n], '2/3': [2n, 3n] };
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
function checkSentence(v, where) {
  // `explanation` / warning: { zh, en }, sentences in Chinese and English
  exactKeys(v, ['zh', 'en'], [], where);
  need(typeof v.zh === 'string' && v.zh.length > 0, `${where}.zh: must be a non-empty string`);
  need(typeof v.en === 'string' && v.en.length > 0, `${where}.en: must be a non-empty string`);
}
function checkQuorumSetting(q, where) {
  exactKeys(q, ['fraction', 'comparison'], [], where);
  need(has(FRACTIONS, q.fraction), `${where}.fraction: must be "1/2" or "2/3"`);
  need(COMPARISONS.includes(q.comparison), `${where}.comparison: must be "more_than" or "at_least"`);
}
function checkThresholdSetting(t, where) {
  exactKeys(t, ['base', 'fraction', 'comparison'], [], where);
  need(BASES.includes(t.base), `${where}.base: must be "expected", "present" or "ballots"`);
  need(has(FRACTIONS, t.fraction), `${where}.fraction: must be "1/2" or "2/3"`);
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
    need(has(FRACTIONS, rule.participation.fraction), 'poll.rule.participation.fraction: must be "1/2" or "2/3"');
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
      // GUESS: the document gives no default for extendedBefore; absent is read as [].
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
      exactKeys(rule, ['kind', 'quorum', 'pass', 'capPercent'], ['capCount'], where);
      checkQuorumSetting(rule.quorum, 'poll.rule.quorum');
      checkThresholdSetting(rule.pass, 'poll.rule.pass');
      checkInt(rule.capPercent, 'poll.rule.capPercent');
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
      // GUESS: the document lists grades as "[good 好, fairly_good 较好, …]"; each is read as { id, label }.
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
    // GUESS: the "Rules" text lists `threshold` and `thresholdBase` for every rule with verdicts,
    // but democratic_appraisal has no threshold setting; they are read as absent here.
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
    exactKeys(grp.criteria, q.criteria, [], `${w}.criteria`);
    for (const cr of q.criteria) need(isNumOrNull(grp.criteria[cr]), `${w}.criteria.${cr}: must be a number or null`);
  }
  need(isNumOrNull(c.composite), `${where}.composite: must be a number or null`);
  if (c.band !== null) checkId(c.band, `${where}.band`);
  if (c.rank !== null) checkInt(c.rank, `${where}.rank`);
  need(typeof c.valid === 'boolean', `${where}.valid: must be a boolean`);
  need(Array.isArray(c.withheld) && c.withheld.every((g) => TE_ANON.includes(g)),
    `${where}.withheld: must be an array of anonymous group names (${TE_ANON.join(', ')})`);
  checkSentence(c.explanation, `${where}.explanation`);
}

function checkFormat(b) {
  // `selfEvaluations` (and electorate.expectedByGroup, result.candidates) exist for three
  // evaluations only; the rule kind is read first to know which members the bundle must have.
  const isTE = isObj(b) && isObj(b.poll) && isObj(b.poll.rule) && b.poll.rule.kind === TE;
  exactKeys(b, ['format', 'poll', 'electorate', 'tokenKeys', 'ballots', 'writtenOpinions', 'exclusions',
    'scrutineers', 'result', 'closedAt', 'signer', 'signature', ...(isTE ? ['selfEvaluations'] : [])], ['cosignatures'],
  isTE ? 'bundle (three_evaluations)' : 'bundle');
  need(b.format === 'anon-ballot-bundle/v1', `format: expected "anon-ballot-bundle/v1", got ${JSON.stringify(b.format)}`);

  // poll
  const p = b.poll;
  exactKeys(p, ['id', 'meetingId', 'title', 'kind', 'questions', 'rule'], [], 'poll');
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
    // GUESS: score questions belong to three evaluations ("One `score` question per candidate") and
    // three evaluations has nothing else; other rules count options, which a score question lacks.
    if (isTE) need(q.type === 'score', `${where}.type: three_evaluations has one "score" question per candidate`);
    else need(q.type !== 'score', `${where}.type: "score" questions exist only in three_evaluations`);
    if (q.type === 'score') {
      exactKeys(q, ['id', 'type', 'title', 'criteria', 'min', 'max'], ['criterionLabels'], where);
      checkId(q.id, `${where}.id`);
      need(!qids.has(q.id), `${where}.id: duplicate question id ${JSON.stringify(q.id)}`);
      qids.add(q.id);
      need(typeof q.title === 'string', `${where}.title: must be a string`);
      need(Array.isArray(q.criteria) && q.criteria.length >= 1, `${where}.criteria: must be a non-empty array of criterion ids`);
      const cseen = new Set();
      q.criteria.forEach((c, ci) => {
        checkId(c, `${where}.criteria[${ci}]`);
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

  // electorate
  const e = b.electorate;
  exactKeys(e, ['expected', 'checkedIn', 'issued', ...(isTE ? ['expectedByGroup'] : [])], [], 'electorate');
  checkInt(e.expected, 'electorate.expected');
  checkInt(e.checkedIn, 'electorate.checkedIn');
  need(isObj(e.issued), 'electorate.issued: must be an object');
  for (const [g, n] of Object.entries(e.issued)) {
    checkId(g, 'electorate.issued: group');
    checkInt(n, `electorate.issued[${JSON.stringify(g)}]`);
  }
  if (isTE) {
    // GUESS: "expected voters per group" has exactly the two token-key groups.
    exactKeys(e.expectedByGroup, TE_ANON, [], 'electorate.expectedByGroup');
    for (const g of TE_ANON) checkInt(e.expectedByGroup[g], `electorate.expectedByGroup.${g}`);
  }

  // tokenKeys
  need(Array.isArray(b.tokenKeys), 'tokenKeys: must be an array');
  b.tokenKeys.forEach((k, ki) => {
    const where = `tokenKeys[${ki}]`;
    exactKeys(k, ['group', 'keyId', 'spki'], [], where);
    checkId(k.group, `${where}.group`);
    need(typeof k.keyId === 'string' && /^[0-9a-f]{64}$/.test(k.keyId), `${where}.keyId: must be 64 lowercase hex characters`);
    try { need(b64decodeStrict(k.spki).length > 0, 'empty'); } catch (err) {
      throw new CheckError(`${where}.spki: not canonical base64 (${err.message})`);
    }
  });

  // ballots
  need(Array.isArray(b.ballots), 'ballots: must be an array');
  b.ballots.forEach((bl, bi) => {
    const where = `ballots[${bi}]`;
    exactKeys(bl, ['token', 'choices'], [], where);
    try { b64urlDecodeStrict(bl.token); } catch (err) {
      throw new CheckError(`${where}.token: not canonical unpadded base64url (${err.message})`);
    }
    need(isObj(bl.choices), `${where}.choices: must be an object`);
    for (const [qid, v] of Object.entries(bl.choices)) checkAnswerShape(v, `${where}.choices[${JSON.stringify(qid)}]`);
  });

  // writtenOpinions: { questionId, choice }, no names
  need(Array.isArray(b.writtenOpinions), 'writtenOpinions: must be an array');
  b.writtenOpinions.forEach((w, wi) => {
    const where = `writtenOpinions[${wi}]`;
    exactKeys(w, ['questionId', 'choice'], [], where);
    checkId(w.questionId, `${where}.questionId`);
    checkAnswerShape(w.choice, `${where}.choice`);
  });

  // selfEvaluations (three evaluations): { questionId, scores: { criterionId: integer } }
  if (isTE) {
    need(Array.isArray(b.selfEvaluations), 'selfEvaluations: must be an array');
    b.selfEvaluations.forEach((se, si) => {
      const where = `selfEvaluations[${si}]`;
      exactKeys(se, ['questionId', 'scores'], [], where);
      checkId(se.questionId, `${where}.questionId`);
      need(isObj(se.scores) && Object.values(se.scores).every(isNonNegInt), `${where}.scores: must be an object of integers`);
    });
  }

  // exclusions: { reason, approvedBy }, no names
  need(Array.isArray(b.exclusions), 'exclusions: must be an array');
  b.exclusions.forEach((x, xi) => {
    const where = `exclusions[${xi}]`;
    exactKeys(x, ['reason', 'approvedBy'], [], where);
    need(typeof x.reason === 'string' && x.reason.length > 0, `${where}.reason: must be a non-empty string`);
    need(typeof x.approvedBy === 'string' && x.approvedBy.length > 0, `${where}.approvedBy: must be a non-empty string`);
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
    b.cosignatures.forEach((c, ci) => {
      const where = `cosignatures[${ci}]`;
      exactKeys(c, ['name', 'role', 'publicKey', 'signature'], [], where);
      need(typeof c.name === 'string' && c.name.length > 0, `${where}.name: must be a non-empty string`);
      need(c.role === 'supervisor' || c.role === 'counter', `${where}.role: must be "supervisor" or "counter"`);
      // "`publicKey` 32 raw bytes and `signature` 64 raw bytes, both base64"
      checkB64Bytes(c.publicKey, 32, `${where}.publicKey`);
      checkB64Bytes(c.signature, 64, `${where}.signature`);
    });
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
  return `rule ${kind}, ${p.questions.length} question(s), ${b.tokenKeys.length} token key(s), ` +
    `${b.ballots.length} ballot(s), ${b.writtenOpinions.length} written opinion(s), ` +
    (isTE ? `${b.selfEvaluations.length} self-evaluation(s), ` : '') +
    `${b.exclusions.length} exclusion(s), ${b.scrutineers.length} scrutineer(s)` +
    (has(b, 'cosignatures') ? `, ${b.cosignatures.length} co-signature(s)` : ', no co-signatures');
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
  const bad = ed25519VerifyStrict(pk, msg, sig);
  need(bad === null, `Ed25519 signature does not verify over the JCS bytes (${msg.length} bytes): ${bad}`);
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
const ED_P = 2n ** 255n - 19n;
const ED_L = 2n ** 252n + 27742317777372353535851937790883648493n;
const leBigInt = (buf) => {
  let n = 0n;
  for (let k = buf.length - 1; k >= 0; k--) n = (n << 8n) | BigInt(buf[k]);
  return n;
};

// RFC 8032 §5.1.3 decoding rules that are about the encoding itself: y < p, and not x = 0 with
// the sign bit set (x = 0 exactly when y = 1 or y = p − 1). Whether y is on the curve at all is
// left to OpenSSL, which refuses such a point.
function ed25519PointEncodingProblem(bytes) {
  const n = leBigInt(bytes);
  const y = n & ((1n << 255n) - 1n);
  const sign = n >> 255n;
  if (y >= ED_P) return 'y is not below p (non-canonical encoding)';
  if (sign === 1n && (y === 1n || y === ED_P - 1n)) return 'x = 0 with the sign bit set (non-canonical encoding)';
  return null;
}

// Check 11: "its key is not a point of small order". Ed25519 has exactly 8 points of small
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
export function ed25519VerifyStrict(pk, msg, sig) {
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
  return ok ? null : 'signature does not verify';
}

function checkCosignatures(b) {
  const digest = bundleDigest(b);
  const msg = Buffer.concat([COSIGNATURE_PREFIX, digest]);
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
  const seenKeys = new Map(); // key bytes (hex) -> index of the first co-signature with it
  const signedBy = new Set(); // indices into withKey
  cos.forEach((c, ci) => {
    const where = `cosignatures[${ci}] (${c.name}, ${c.role})`;
    const pk = b64decodeStrict(c.publicKey);
    const hex = pk.toString('hex');
    if (seenKeys.has(hex)) {
      problems.push(`${where}: key ${c.publicKey} co-signs twice (also cosignatures[${seenKeys.get(hex)}])`);
      return;
    }
    seenKeys.set(hex, ci);
    // the signed scrutineers list must name this key with the same name and role
    const si = withKey.findIndex((s) => s.name === c.name && s.role === c.role && b64decodeStrict(s.publicKey).equals(pk));
    if (si < 0) {
      problems.push(`${where}: key ${c.publicKey} is not named in the signed scrutineers list with this name and role`);
      return;
    }
    const bad = ed25519VerifyStrict(pk, msg, b64decodeStrict(c.signature));
    if (bad) { problems.push(`${where}: ${bad === 'signature does not verify' ? 'signature does not verify over the digest' : bad}`); return; }
    signedBy.add(si);
  });
  need(problems.length === 0, `${problems.join('; ')} (digest ${digest.toString('hex')})`);
  const names = cos.map((c) => `${c.name} (${c.role})`).join(', ');
  return (cos.length === 0 ? 'no co-signatures' : `${cos.length} co-signature(s) valid: ${names}`) +
    `; ${signedBy.size} of ${withKey.length} scrutineer(s) with a key co-signed; digest ${digest.toString('hex')}`;
}

// returns Map keyId -> {group, keyObject, nk}
function checkTokenKeys(b, keys) {
  const groups = new Set();
  const ids = new Set();
  b.tokenKeys.forEach((k, ki) => {
    const where = `tokenKeys[${ki}]`;
    const der = b64decodeStrict(k.spki);
    need(sha256(der).toString('hex') === k.keyId, `${where}: keyId is not SHA-256 of spki`);
    need(!groups.has(k.group), `${where}: duplicate group ${JSON.stringify(k.group)}`);
    need(!ids.has(k.keyId), `${where}: duplicate keyId ${k.keyId}`);
    groups.add(k.group);
    ids.add(k.keyId);
    let ko;
    try { ko = createPublicKey({ key: der, format: 'der', type: 'spki' }); } catch (err) {
      throw new CheckError(`${where}: spki is not a valid SubjectPublicKeyInfo (${err.message})`);
    }
    need(ko.asymmetricKeyType === 'rsa', `${where}: spki is not an rsaEncryption key (got ${ko.asymmetricKeyType})`);
    need(ko.export({ format: 'der', type: 'spki' }).equals(der), `${where}: spki is not in canonical DER form`);
    const bits = ko.asymmetricKeyDetails.modulusLength;
    keys.set(k.keyId, { group: k.group, key: ko, nk: Math.ceil(bits / 8), bits });
  });
  const sizes = [...keys.values()].map((k) => `${k.group}:${k.bits}-bit`).join(', ');
  return `${b.tokenKeys.length} key(s) ${sizes}`;
}

// decodes a ballot token; returns {bytes, nonce, keyId, entry} or throws CheckError(code)
function decodeToken(tokenStr, keys) {
  let bytes;
  try { bytes = b64urlDecodeStrict(tokenStr); } catch (err) { throw new CheckError(`token_decode (${err.message})`); }
  need(bytes.length >= 98, `token_length (${bytes.length} bytes)`);
  need(bytes.readUInt16BE(0) === 0x0002, `token_type (${bytes.readUInt16BE(0)})`);
  const keyId = bytes.subarray(66, 98).toString('hex');
  const entry = keys.get(keyId);
  need(entry, `token_key_unknown (${keyId})`);
  need(bytes.length === 98 + entry.nk, `token_length (${bytes.length} bytes, expected ${98 + entry.nk})`);
  return { bytes, nonce: bytes.subarray(2, 34), context: bytes.subarray(34, 66), keyId, entry };
}

function checkTokens(b, keys) {
  const failures = [];
  b.ballots.forEach((bl, bi) => {
    try {
      const t = decodeToken(bl.token, keys);
      const ctx = sha256(Buffer.from(`anon-ballot/v1|${b.poll.id}|${t.entry.group}`, 'utf8'));
      need(ctx.equals(t.context), 'token_context');
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
  return `${b.ballots.length} token(s) valid`;
}

function checkUniqueNonces(b, keys) {
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

// Written opinions per question id (every entry, valid or not).
function writtenPerQuestion(b) {
  const w = new Map(b.poll.questions.map((q) => [q.id, 0]));
  for (const wo of b.writtenOpinions) w.set(wo.questionId, (w.get(wo.questionId) ?? 0) + 1);
  return w;
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
  if (b.poll.rule.kind === TE) {
    // GUESS (inferred from the definitions, not stated as a check): `expected` counts the voters
    // "in one of the poll's groups", so max(expectedByGroup) <= expected <= sum(expectedByGroup);
    // and tokens of a group go to expected voters of that group, so issued[g] <= expectedByGroup[g].
    const eg = e.expectedByGroup;
    const sumG = TE_ANON.reduce((a, g) => a + eg[g], 0);
    for (const g of TE_ANON) {
      need(eg[g] <= e.expected, `electorate.expectedByGroup.${g} ${eg[g]} > expected ${e.expected}`);
      const issued = has(e.issued, g) ? e.issued[g] : 0;
      need(issued <= eg[g], `group ${JSON.stringify(g)}: ${issued} tokens issued > ${eg[g]} expected in the group`);
    }
    need(e.expected <= sumG, `expected ${e.expected} > sum of expectedByGroup ${sumG}`);
    parts.push(`expectedByGroup ${JSON.stringify(eg)} consistent with expected and issued`);
  }
  return parts.join('; ');
}

// null if `v` is a valid canonical answer to question q, else a message.
// `ctx`: 'ballot' (a published ballot: a score answer may be "withheld"; where it may be is
// checked by `recount`), 'written' (a written opinion) or 'self' (a self-evaluation's scores).
function answerProblem(q, v, ctx = 'ballot') {
  if (q.type === 'score') {
    if (v === WITHHELD) {
      return ctx === 'ballot' ? null : `"withheld" is allowed only as a ballot's answer (question ${JSON.stringify(q.id)})`;
    }
    if (!isObj(v)) return `question ${JSON.stringify(q.id)} (score) needs { criterionId: integer }`;
    const keys = keyOrder.get(v) ?? Object.keys(v);
    for (const k of keys) if (!q.criteria.includes(k)) return `${JSON.stringify(k)} is not a criterion of ${JSON.stringify(q.id)}`;
    for (const c of q.criteria) {
      if (!has(v, c)) return `criterion ${JSON.stringify(c)} of ${JSON.stringify(q.id)} not scored`;
      const x = v[c];
      if (!Number.isSafeInteger(x) || x < q.min || x > q.max) return `score ${JSON.stringify(x)} for ${JSON.stringify(q.id)}.${c} is not an integer from ${q.min} to ${q.max}`;
    }
    // "keys sorted" is stated for a score answer; GUESS: not required of selfEvaluations[].scores
    if (ctx !== 'self') {
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
  if (v.length > q.maxChoices) return `${v.length} choices for ${JSON.stringify(q.id)} > maxChoices ${q.maxChoices}`;
  for (let oi = 0; oi < v.length; oi++) {
    const o = v[oi];
    if (typeof o !== 'string' || !q.options.includes(o)) return `${JSON.stringify(o)} is not an option of ${JSON.stringify(q.id)}`;
    if (oi > 0 && compareUtf16(v[oi - 1], o) >= 0) return `approval array for ${JSON.stringify(q.id)} is not sorted ascending without duplicates`;
  }
  return null;
}

function checkChoices(b) {
  const qs = b.poll.questions;
  const byId = new Map(qs.map((q) => [q.id, q]));
  b.ballots.forEach((bl, bi) => {
    const where = `ballot ${bi}`;
    const c = bl.choices;
    for (const k of Object.keys(c)) need(byId.has(k), `${where}: answers unknown question ${JSON.stringify(k)}`);
    let answered = 0;
    for (const q of qs) {
      // "a ballot may leave a score question out … but must answer at least one question"
      if (!has(c, q.id) && q.type === 'score') continue;
      need(has(c, q.id), `${where}: question ${JSON.stringify(q.id)} not answered`);
      answered++;
      const p = answerProblem(q, c[q.id], 'ballot');
      need(p === null, `${where}: ${p}`);
    }
    need(answered >= 1, `${where}: answers no question`);
  });
  b.writtenOpinions.forEach((w, wi) => {
    const where = `written opinion ${wi}`;
    const q = byId.get(w.questionId);
    need(q, `${where}: unknown question ${JSON.stringify(w.questionId)}`);
    const p = answerProblem(q, w.choice, 'written');
    need(p === null, `${where}: ${p}`);
    // "sorted by their JCS form" (equal entries are allowed: two absent voters may give the same opinion)
    if (wi > 0) {
      need(compareUtf16(jcs(b.writtenOpinions[wi - 1]), jcs(w)) <= 0,
        `${where}: writtenOpinions are not sorted by their JCS form`);
    }
  });
  let selfNote = '';
  if (b.poll.rule.kind === TE) {
    const seen = new Set();
    b.selfEvaluations.forEach((se, si) => {
      const where = `selfEvaluations[${si}]`;
      const q = byId.get(se.questionId);
      need(q, `${where}: unknown question ${JSON.stringify(se.questionId)}`);
      // groups.self.raters is "0 or 1": at most one self-evaluation per candidate
      need(!seen.has(se.questionId), `${where}: a second self-evaluation for ${JSON.stringify(se.questionId)}`);
      seen.add(se.questionId);
      const p = answerProblem(q, se.scores, 'self');
      need(p === null, `${where}: ${p}`);
    });
    selfNote = `; ${b.selfEvaluations.length} self-evaluation(s) valid, at most one per candidate`;
  }
  const partial = b.ballots.filter((bl) => qs.some((q) => !has(bl.choices, q.id))).length;
  return `${b.ballots.length} ballot(s) answer the question(s) canonically` +
    (partial ? ` (${partial} leave a score question out)` : ` (all ${qs.length})`) + '; ' +
    `${b.writtenOpinions.length} written opinion(s) valid and sorted` + selfNote;
}

// counts from ballots plus written opinions; answers that are not valid are not counted
// (the `choices` check reports them)
// (single and approval questions; score questions: recountScores)
function recount(b) {
  const out = new Map();
  const qs = b.poll.questions.filter((q) => q.type !== 'score');
  for (const q of qs) out.set(q.id, { counts: Object.fromEntries(q.options.map((o) => [o, 0])), written: 0, invalid: 0 });
  const add = (q, v, written) => {
    const slot = out.get(q.id);
    if (answerProblem(q, v, written ? 'written' : 'ballot') !== null) { slot.invalid++; return; }
    for (const o of (Array.isArray(v) ? v : [v])) slot.counts[o]++;
    if (written) slot.written++;
  };
  const byId = new Map(qs.map((q) => [q.id, q]));
  for (const bl of b.ballots) for (const q of qs) add(q, bl.choices[q.id], false);
  for (const w of b.writtenOpinions) { const q = byId.get(w.questionId); if (q) add(q, w.choice, true); }
  return out;
}

// Score questions ("Three evaluations"): per question, per group g of representatives, members
// and self: raters n, the sum S of all scores, the per-criterion sums (BigInt), and for the
// anonymous groups how many of the answers are "withheld". A ballot's group is the group of the
// key its token names (bytes 66–97); answers that are not valid are only tallied as `invalid`.
function recountScores(b, keys) {
  const out = new Map();
  const problems = [];
  const qs = b.poll.questions.filter((q) => q.type === 'score');
  const blank = (q) => ({ n: 0, withheld: 0, invalid: 0, S: 0n, crit: Object.fromEntries(q.criteria.map((c) => [c, 0n])) });
  for (const q of qs) out.set(q.id, Object.fromEntries(TE_GROUPS.map((g) => [g, blank(q)])));
  const addScores = (slot, v) => {
    for (const c of Object.keys(slot.crit)) { slot.crit[c] += BigInt(v[c]); slot.S += BigInt(v[c]); }
  };
  b.ballots.forEach((bl, bi) => {
    let group;
    try {
      const bytes = b64urlDecodeStrict(bl.token);
      group = bytes.length >= 98 ? keys.get(bytes.subarray(66, 98).toString('hex'))?.group : undefined;
    } catch { group = undefined; }
    for (const q of qs) {
      if (!has(bl.choices, q.id)) continue;
      if (!TE_ANON.includes(group)) { problems.push(`ballot ${bi}: its token names no key of group representatives or members`); continue; }
      const slot = out.get(q.id)[group];
      const v = bl.choices[q.id];
      slot.n++; // "a `"withheld"` answer counts"
      if (v === WITHHELD) slot.withheld++;
      else if (answerProblem(q, v, 'ballot') !== null) slot.invalid++;
      else addScores(slot, v);
    }
  });
  if (b.poll.rule.kind === TE) {
    for (const se of b.selfEvaluations) {
      const q = qs.find((x) => x.id === se.questionId);
      if (!q) continue;
      const slot = out.get(q.id).self;
      slot.n++;
      if (answerProblem(q, se.scores, 'self') !== null) slot.invalid++;
      else addScores(slot, se.scores);
    }
  }
  return { scores: out, problems };
}

function checkRecountThreeEvaluations(b, keys) {
  const r = b.result;
  const floor = b.poll.rule.anonymityFloor;
  const { scores, problems } = recountScores(b, keys);
  // GUESS: a written opinion has no group, so nothing in "Three evaluations" can count it, while
  // written opinions are "counted in the result": a three-evaluations bundle must have none.
  if (b.writtenOpinions.length > 0) {
    problems.push(`${b.writtenOpinions.length} written opinion(s): three evaluations count ballots per group and self-evaluations only; a written opinion cannot be counted`);
  }
  const parts = [];
  b.poll.questions.forEach((q, qi) => {
    const rq = r.questions[qi];
    const cand = r.candidates[qi];
    const sc = scores.get(q.id);
    for (const g of TE_ANON) {
      const s = sc[g];
      if (rq.counts[g] !== s.n) problems.push(`result.questions[${qi}] (${q.id}).counts.${g}: published ${rq.counts[g]}, recounted ${s.n} rater(s)`);
      if (cand.groups[g].raters !== s.n) problems.push(`result.candidates[${qi}] (${q.id}).groups.${g}.raters: published ${cand.groups[g].raters}, recounted ${s.n}`);
      if (s.invalid) problems.push(`question ${JSON.stringify(q.id)} group ${g}: ${s.invalid} invalid answer(s) not counted (see choices)`);
      // withheld = anonymous, 1 <= n < floor: then every answer of g is "withheld"; elsewhere none is
      const isWithheld = s.n >= 1 && s.n < floor;
      if (isWithheld && s.withheld !== s.n) {
        problems.push(`question ${JSON.stringify(q.id)}: group ${g} is withheld (${s.n} rater(s) < floor ${floor}) but ${s.n - s.withheld} of its answers are not redacted to "withheld"`);
      }
      if (!isWithheld && s.withheld > 0) {
        problems.push(`question ${JSON.stringify(q.id)}: ${s.withheld} "withheld" answer(s) from group ${g}, which is shown (${s.n} rater(s), floor ${floor})`);
      }
    }
    if (cand.groups.self.raters !== sc.self.n) problems.push(`result.candidates[${qi}] (${q.id}).groups.self.raters: published ${cand.groups.self.raters}, recounted ${sc.self.n}`);
    parts.push(`${q.id} {representatives ${sc.representatives.n}${sc.representatives.withheld ? ' (withheld)' : ''}, members ${sc.members.n}${sc.members.withheld ? ' (withheld)' : ''}, self ${sc.self.n}}`);
  });
  need(problems.length === 0, [...new Set(problems)].join('; '));
  return `ballotsCast ${r.ballotsCast}; raters ` + parts.join('; ');
}

function checkRecount(b, keys) {
  const r = b.result;
  need(r.ballotsCast === b.ballots.length, `result.ballotsCast ${r.ballotsCast} != ${b.ballots.length} ballots`);
  if (b.poll.rule.kind === TE) return checkRecountThreeEvaluations(b, keys);
  const rc = recount(b);
  const problems = [];
  b.poll.questions.forEach((q, qi) => {
    const slot = rc.get(q.id);
    if (slot.invalid) problems.push(`question ${JSON.stringify(q.id)}: ${slot.invalid} invalid answer(s) not counted (see choices)`);
    for (const o of q.options) {
      if (r.questions[qi].counts[o] !== slot.counts[o]) {
        problems.push(`question ${JSON.stringify(q.id)} option ${JSON.stringify(o)}: published ${r.questions[qi].counts[o]}, recounted ${slot.counts[o]}`);
      }
    }
  });
  if (problems.length > 0 && b.writtenOpinions.length > 0) {
    // diagnosis only: do the published counts match the ballots alone?
    const ballotsOnly = b.poll.questions.every((q, qi) => q.options.every((o) =>
      r.questions[qi].counts[o] === b.ballots.reduce((a, bl) => {
        const v = bl.choices[q.id];
        return a + ((Array.isArray(v) ? v : [v]).includes(o) ? 1 : 0);
      }, 0)));
    if (ballotsOnly) problems.push('(the published counts equal the ballots alone: the written opinions were not counted, ' +
      'but the document says counts = "number of ballots plus written opinions choosing it")');
  }
  need(problems.length === 0, problems.join('; '));
  return `ballotsCast ${r.ballotsCast}, ${b.writtenOpinions.length} written opinion(s); ` +
    r.questions.map((rq) => `${rq.id} ${JSON.stringify(rq.counts)}`).join('; ');
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
function checkVerdictsThreeEvaluations(b, keys) {
  const rule = b.poll.rule;
  const r = b.result;
  const qs = b.poll.questions;
  const problems = [];
  const cmp = (where, published, computed) => {
    if (JSON.stringify(published) !== JSON.stringify(computed)) problems.push(`${where}: published ${JSON.stringify(published)}, recomputed ${JSON.stringify(computed)}`);
  };

  // structure: "The poll has two token keys, groups `representatives` and `members`"; one score
  // question per candidate with the rule's criteria and scale
  const keyGroups = b.tokenKeys.map((k) => k.group);
  if (!sameSet(keyGroups, TE_ANON)) problems.push(`tokenKeys: three_evaluations needs exactly two keys, groups representatives and members (got ${keyGroups.join(', ') || 'none'})`);
  const critIds = rule.criteria.map((c) => c.id);
  for (const q of qs) {
    // GUESS: the question's criteria are the rule's criteria (same set; order not required)
    if (!sameSet(q.criteria, critIds)) problems.push(`question ${JSON.stringify(q.id)}: criteria ${q.criteria.join(', ')} are not the rule's ${critIds.join(', ')}`);
    if (q.min !== rule.scale.min || q.max !== rule.scale.max) problems.push(`question ${JSON.stringify(q.id)}: min/max ${q.min}/${q.max} differ from poll.rule.scale ${rule.scale.min}/${rule.scale.max}`);
  }
  need(problems.length === 0, problems.join('; '));

  const { scores } = recountScores(b, keys);
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

function checkVerdicts(b, keys) {
  const rule = b.poll.rule;
  const kind = rule.kind;
  const r = b.result;
  if (kind === 'generic') return 'rule generic: no verdicts, no quorum (result is { id, counts } per question)';
  if (kind === TE) return checkVerdictsThreeEvaluations(b, keys);

  const E = b.electorate.expected;
  const C = b.electorate.checkedIn;
  const N = b.ballots.length;
  const rc = recount(b);
  const problems = [];
  const cmp = (where, published, computed) => {
    if (published !== computed) problems.push(`${where}: published ${JSON.stringify(published)}, recomputed ${JSON.stringify(computed)}`);
  };
  const baseValue = (base, qid) => (base === 'expected' ? E : base === 'present' ? C : N + rc.get(qid).written);

  // quorum (attendance for the grading rules): base expected, votes checkedIn
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
      else want = rule.grades.map((g) => g.id);
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
      if (extended.has(q.id) && !(has(rq, 'warnings') && rq.warnings.length > 0)) {
        problems.push(`${where}: candidate in extendedBefore carries no warnings`);
      }
    } else if (kind === 'league_recommendation') {
      verdict = met ? 'decided' : 'no_quorum';
      const cap = has(rule, 'capCount') ? rule.capCount
        : Math.max(1, Number((BigInt(E) + BigInt(b.exclusions.length)) * BigInt(rule.capPercent) / 100n));
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
      const of = q.options.reduce((a, o) => a + counts[o], 0);
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
  console.error('usage: node verify-from-docs.mjs BUNDLE.json [--receipt HEX] [--signer BASE64|HEX]');
  process.exit(1);
}

function main(argv) {
  let file, receipt, signer;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--receipt' || a === '--signer') {
      if (k + 1 >= argv.length) usage(`${a} needs a value`);
      if (a === '--receipt') receipt = argv[++k]; else signer = argv[++k];
    } else if (a.startsWith('--receipt=')) receipt = a.slice(10);
    else if (a.startsWith('--signer=')) signer = a.slice(9);
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else if (file === undefined) file = a;
    else usage('more than one bundle file given');
  }
  if (file === undefined) usage();
  if (receipt !== undefined && !/^[0-9a-fA-F]{64}$/.test(receipt)) usage('--receipt must be 64 hex characters');

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
    return 1;
  }

  try {
    report(true, 'format', checkFormat(bundle));
  } catch (err) {
    if (!(err instanceof CheckError)) throw err;
    report(false, 'format', err.message);
    for (const n of ['signature', 'token_keys', 'tokens', 'unique_nonces', 'ballot_order', 'issued', 'choices', 'recount', 'verdicts', 'cosignatures']) {
      console.log(`SKIP ${n}: format check failed`);
    }
    return 1;
  }

  const keys = new Map();
  const run = (name, fn) => {
    try { report(true, name, fn()); } catch (err) {
      if (!(err instanceof CheckError)) throw err;
      report(false, name, err.message);
    }
  };
  run('signature', () => checkSignature(bundle, signer));
  run('token_keys', () => checkTokenKeys(bundle, keys));
  run('tokens', () => checkTokens(bundle, keys));
  run('unique_nonces', () => checkUniqueNonces(bundle, keys));
  run('ballot_order', () => checkBallotOrder(bundle));
  run('issued', () => checkIssued(bundle, keys));
  run('choices', () => checkChoices(bundle));
  run('recount', () => checkRecount(bundle, keys));
  run('verdicts', () => checkVerdicts(bundle, keys));
  run('cosignatures', () => checkCosignatures(bundle));

  const bundleOk = allOk;
  let receiptOk = true;
  if (receipt !== undefined) {
    const want = receipt.toLowerCase();
    const idx = bundle.ballots.findIndex((bl) => sha256(b64urlDecodeStrict(bl.token)).toString('hex') === want);
    receiptOk = idx >= 0;
    report(receiptOk, 'receipt', receiptOk ? `${want} is ballot ${idx}` : `${want} is NOT among the ${bundle.ballots.length} published ballots`);
  }

  console.log(`RESULT: bundle is ${bundleOk ? 'VALID' : 'INVALID'}` +
    (receipt === undefined ? '' : `; receipt ${receiptOk ? 'FOUND' : 'NOT FOUND'}`));
  return bundleOk && receiptOk ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
