// Independent verifier for `anon-ballot-bundle/v1`, written only from
// docs/bundle-format.md and docs/protocol.md. Node.js 20, built-ins only.
//
// Usage: node test/independent-verifier/verify-from-docs.mjs BUNDLE.json
//          [--receipt HEX] [--signer BASE64|HEX]
// Prints one line per check (the ten checks of docs/bundle-format.md, "Verification":
// format, signature, token_keys, tokens, unique_nonces, ballot_order, issued, choices,
// recount, verdicts); exit 0 if every check passes, 1 otherwise (also 1 for a --receipt
// that is not among the ballots, or bad usage). The `verdicts` check recomputes quorum,
// thresholds, verdicts, caps, ranks and topGrade by the "Rules" section; the explanation
// and warning sentences are only checked for presence and shape ({ zh, en }), as the
// document allows.

import { createHash, createPublicKey, verify as cryptoVerify, constants } from 'node:crypto';
import { readFileSync } from 'node:fs';
import process from 'node:process';

// ---------------------------------------------------------------------------
// Strict JSON parser (RFC 8259 + I-JSON restrictions: no duplicate member
// names, no lone surrogates). Members are defined as own data properties so
// that a "__proto__" member cannot alter the prototype.
// ---------------------------------------------------------------------------
class JsonError extends Error {}

function parseStrictJson(text) {
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
  'activist_confirmation', 'development_object_confirmation'];
const GRADE_KINDS = ['activist_confirmation', 'development_object_confirmation'];
const FRACTIONS = { '1/2': [1n, 2n], '2/3': [2n, 3n] };
const COMPARISONS = ['more_than', 'at_least'];
const BASES = ['expected', 'present', 'ballots'];

function checkId(v, where) {
  need(typeof v === 'string' && ID_RE.test(v), `${where}: invalid id ${JSON.stringify(v)} (must match ${ID_RE})`);
}
function checkInt(v, where) {
  need(isNonNegInt(v), `${where}: must be a non-negative integer below 2^53`);
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
  const ok = typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  need(ok, `${where}: must be a string or an array of strings`);
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
    default: { // activist_confirmation, development_object_confirmation
      exactKeys(rule, ['kind', 'grades', 'attendance', 'topGrade'], [], where);
      // GUESS: the document lists grades as "[good 好, fairly_good 较好, …]"; each is read as { id, label }.
      need(Array.isArray(rule.grades) && rule.grades.length >= 2 && rule.grades.length <= 20,
        'poll.rule.grades: must be an array of 2–20 grades (they are the options of single questions)');
      const seen = new Set();
      rule.grades.forEach((g, k) => {
        exactKeys(g, ['id', 'label'], [], `poll.rule.grades[${k}]`);
        checkId(g.id, `poll.rule.grades[${k}].id`);
        need(typeof g.label === 'string', `poll.rule.grades[${k}].label: must be a string`);
        need(!seen.has(g.id), `poll.rule.grades: duplicate grade id ${JSON.stringify(g.id)}`);
        seen.add(g.id);
      });
      checkQuorumSetting(rule.attendance, 'poll.rule.attendance');
      checkThresholdSetting(rule.topGrade, 'poll.rule.topGrade');
    }
  }
}

function checkResultQuestionFormat(rq, q, kind, where) {
  const common = ['id', 'counts'];
  if (kind === 'generic') {
    exactKeys(rq, common, [], where);
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
  for (const o of q.options) need(has(rq.counts, o), `${where}.counts: option ${JSON.stringify(o)} missing`);
  for (const [o, n] of Object.entries(rq.counts)) {
    need(q.options.includes(o), `${where}.counts: ${JSON.stringify(o)} is not an option`);
    checkInt(n, `${where}.counts[${JSON.stringify(o)}]`);
  }
}

function checkFormat(b) {
  exactKeys(b, ['format', 'poll', 'electorate', 'tokenKeys', 'ballots', 'writtenOpinions', 'exclusions',
    'scrutineers', 'result', 'closedAt', 'signer', 'signature'], [], 'bundle');
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
    need(q.type === 'single' || q.type === 'approval', `${where}.type: must be "single" or "approval"`);
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
  exactKeys(e, ['expected', 'checkedIn', 'issued'], [], 'electorate');
  checkInt(e.expected, 'electorate.expected');
  checkInt(e.checkedIn, 'electorate.checkedIn');
  need(isObj(e.issued), 'electorate.issued: must be an object');
  for (const [g, n] of Object.entries(e.issued)) {
    checkId(g, 'electorate.issued: group');
    checkInt(n, `electorate.issued[${JSON.stringify(g)}]`);
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

  // exclusions: { reason, approvedBy }, no names
  need(Array.isArray(b.exclusions), 'exclusions: must be an array');
  b.exclusions.forEach((x, xi) => {
    const where = `exclusions[${xi}]`;
    exactKeys(x, ['reason', 'approvedBy'], [], where);
    need(typeof x.reason === 'string' && x.reason.length > 0, `${where}.reason: must be a non-empty string`);
    need(typeof x.approvedBy === 'string' && x.approvedBy.length > 0, `${where}.approvedBy: must be a non-empty string`);
  });

  // scrutineers: { name, role }
  need(Array.isArray(b.scrutineers), 'scrutineers: must be an array');
  b.scrutineers.forEach((s, si) => {
    const where = `scrutineers[${si}]`;
    exactKeys(s, ['name', 'role'], [], where);
    need(typeof s.name === 'string' && s.name.length > 0, `${where}.name: must be a non-empty string`);
    need(s.role === 'supervisor' || s.role === 'counter', `${where}.role: must be "supervisor" or "counter"`);
  });

  // result
  const r = b.result;
  if (kind === 'generic') exactKeys(r, ['ballotsCast', 'questions'], [], 'result (generic: no quorum)');
  else exactKeys(r, ['ballotsCast', 'quorum', 'questions'], [], `result (${kind})`);
  checkInt(r.ballotsCast, 'result.ballotsCast');
  if (kind !== 'generic') {
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
    `${b.exclusions.length} exclusion(s), ${b.scrutineers.length} scrutineer(s)`;
}

function parseKeyMaterial(s) {
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  return b64decodeStrict(s);
}

function checkSignature(b, expectedSigner) {
  const pk = b64decodeStrict(b.signer.publicKey);
  const sig = b64decodeStrict(b.signature);
  const unsigned = {};
  for (const k of Object.keys(b)) if (k !== 'signature') unsigned[k] = b[k];
  const msg = Buffer.from(jcs(unsigned), 'utf8');
  let key;
  try {
    key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, pk]), format: 'der', type: 'spki' });
  } catch (err) {
    throw new CheckError(`signer.publicKey is not a usable Ed25519 key (${err.message})`);
  }
  let ok = false;
  try { ok = cryptoVerify(null, msg, key, sig); } catch { ok = false; }
  need(ok, `Ed25519 signature does not verify over the JCS bytes (${msg.length} bytes)`);
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
  return parts.join('; ');
}

// null if `v` is a valid canonical answer to question q, else a message
function answerProblem(q, v) {
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
    for (const q of qs) {
      need(has(c, q.id), `${where}: question ${JSON.stringify(q.id)} not answered`);
      const p = answerProblem(q, c[q.id]);
      need(p === null, `${where}: ${p}`);
    }
  });
  b.writtenOpinions.forEach((w, wi) => {
    const where = `written opinion ${wi}`;
    const q = byId.get(w.questionId);
    need(q, `${where}: unknown question ${JSON.stringify(w.questionId)}`);
    const p = answerProblem(q, w.choice);
    need(p === null, `${where}: ${p}`);
    // "sorted by their JCS form" (equal entries are allowed: two absent voters may give the same opinion)
    if (wi > 0) {
      need(compareUtf16(jcs(b.writtenOpinions[wi - 1]), jcs(w)) <= 0,
        `${where}: writtenOpinions are not sorted by their JCS form`);
    }
  });
  return `${b.ballots.length} ballot(s) answer all ${qs.length} question(s) canonically; ` +
    `${b.writtenOpinions.length} written opinion(s) valid and sorted`;
}

// counts from ballots plus written opinions; answers that are not valid are not counted
// (the `choices` check reports them)
function recount(b) {
  const out = new Map();
  for (const q of b.poll.questions) out.set(q.id, { counts: Object.fromEntries(q.options.map((o) => [o, 0])), written: 0, invalid: 0 });
  const add = (q, v, written) => {
    const slot = out.get(q.id);
    if (answerProblem(q, v) !== null) { slot.invalid++; return; }
    for (const o of (Array.isArray(v) ? v : [v])) slot.counts[o]++;
    if (written) slot.written++;
  };
  const byId = new Map(b.poll.questions.map((q) => [q.id, q]));
  for (const bl of b.ballots) for (const q of b.poll.questions) add(q, bl.choices[q.id], false);
  for (const w of b.writtenOpinions) { const q = byId.get(w.questionId); if (q) add(q, w.choice, true); }
  return out;
}

function checkRecount(b) {
  const r = b.result;
  need(r.ballotsCast === b.ballots.length, `result.ballotsCast ${r.ballotsCast} != ${b.ballots.length} ballots`);
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

function checkVerdicts(b) {
  const rule = b.poll.rule;
  const kind = rule.kind;
  const r = b.result;
  if (kind === 'generic') return 'rule generic: no verdicts, no quorum (result is { id, counts } per question)';

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
    for (const n of ['signature', 'token_keys', 'tokens', 'unique_nonces', 'ballot_order', 'issued', 'choices', 'recount', 'verdicts']) {
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
  run('recount', () => checkRecount(bundle));
  run('verdicts', () => checkVerdicts(bundle));

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

process.exitCode = main(process.argv.slice(2));
