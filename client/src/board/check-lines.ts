/**
 * Each line of the verifier's report, in Chinese. The verifier (shared/verify) writes one English
 * sentence per check, the same as `npm run verify` prints; in Chinese mode the board reads every
 * line in Chinese instead: a passing check says what was established from the bundle's own facts,
 * a failing one says what is wrong from the check's error code (and where, when the verifier
 * names a ballot). The English sentence stays one click away (核验程序原文), for comparing with
 * the command line.
 */
import { groupHex } from '../format.ts';
import { isV2, type Bundle } from '../../../shared/protocol/bundle.ts';
import { WITHHELD } from '../../../shared/protocol/poll.ts';
import type { CheckResult } from '../../../shared/verify/verify-bundle.ts';
import { submittedWarning } from './facts.ts';

/** What a failing check means, by its error code. */
const FAILURES: Record<string, string> = {
  bundle_format: '计票文件的格式不正确，无法读取其内容',
  invalid_utf8: '文件不是有效的 UTF-8 文本',
  malformed_json: '文件不是有效的 JSON 文本',
  duplicate_member: '文件的同一对象中有两个同名成员：不同的程序会读出不同的内容',
  lone_surrogate: '文件的文字中有不成对的代理项，不是有效的 Unicode 文本',
  signer_key: '签名公钥无效（不是规范的曲线点，或属于小阶点），由它作出的签名一概不予接受',
  bundle_signature: '电子签名与文件内容不符：文件在签名后被改动过，或由另一把密钥签名',
  signer_mismatch: '这份文件不是由本站公布的签名密钥签名的',
  not_canonicalizable: '文件内容无法规范化，签名无法核验',
  bad_encoding: '文件中有编码不正确的数据',
  bad_length: '文件中有长度不正确的数据',
  key_set: '会议密钥集不一致：公钥清单、指纹或本投票的公钥与之不符',
  token_key_id_mismatch: '发放选票凭证的公钥编号与公钥本身不符',
  token_key_question: '有发放公钥对应的候选人（表决事项）在本投票中不存在',
  duplicate_key_group: '同一人员类别（同一候选人）有不止一个发放公钥',
  duplicate_key_id: '同一个发放公钥公布了两次',
  token_key_unknown: '有选票的凭证不是由公布的公钥签发的',
  token_signature: '有选票的凭证签名无效',
  token_type: '有选票的凭证类型不对',
  token_length: '有选票的凭证长度不对',
  token_context: '有选票的凭证不属于本投票（或不属于其人员类别、候选人）',
  token_key_id: '有选票的凭证与其公钥不符',
  bad_token: '有选票的凭证无法读取',
  duplicate_nonce: '有两张选票使用了同一个选票凭证',
  ballots_unsorted: '选票没有按凭证排序，排列顺序可能泄露投票先后',
  receipt_repeated: '有两张选票的回执相同',
  receipt_salt: '有选票的随机数公布不当（公开的选票应公布随机数，未公开内容的不应公布）',
  receipt_mismatch: '有选票的回执与其凭证、随机数和填写内容不符：选票内容与投票箱签发的回执对不上',
  over_issued: '有一项表决收回的选票多于发出的选票凭证',
  issued_exceeds_checked_in: '发出的选票凭证多于签到人数',
  issued_without_key: '有选票凭证发给了没有公钥的人员类别',
  checked_in_exceeds_issued: '签到人数多于发出的选票凭证',
  checked_in_exceeds_expected: '签到人数多于应到人数',
  ballots_exceed_submitted: '有一项表决的选票多于提交选票的人数',
  submitted_exceeds_checked_in: '提交选票的人数多于签到人数',
  late_exceeds_checked_in: '补签到人数多于签到人数',
  checked_in_exceeds_head_count: '开始投票时的签到人数多于清点人数',
  head_count_note: '清点人数多于签到人数，却没有说明原因',
  present_mismatch: '实到人数不等于清点人数加补签到人数',
  present_exceeds_expected: '实到人数多于应到人数',
  too_many_written_opinions: '书面意见多于未到会的应到人数',
  anonymity_floor: '匿名下限与投票规则不符',
  not_withheld: '评议人数少于匿名下限，却公开了选票内容',
  withheld_without_cause: '匿名下限并不要求，却隐去了选票内容',
  invalid_choices: '有选票（或书面意见）的填写不合规定',
  non_canonical_choices: '有选票（或书面意见）的填写不是规范形式',
  ballots_cast_mismatch: '公布的选票张数与文件中的选票不符',
  recount_mismatch: '重新计票与公布的票数不符',
  verdict_mismatch: '按规则重新判定的结果与公布的结果不符',
  record_order: '操作记录锚点的顺序不对：投票结束时的记录早于开始投票时',
  cosigner_key_repeated: '两位监票人、计票人登记了同一把公钥，无法区分其联署',
  cosignature_repeated: '同一人联署了两次',
  cosignature: '有一份联署无效',
  cosigner_unknown: '有一份联署不是名单上的监票人、计票人所签',
  bad_public_key: '有一把联署公钥无效',
  verifier_error: '核验程序出错，这项检查没能完成',
  self_evaluation_signature: '有一份自评不是由被评人本人登记的密钥签名',
  self_evaluation: '同一位被评人有两份自评',
  self_evaluation_kind: '这类表决不应有自评或个人密钥',
  candidate_key: '被评人的个人密钥登记有误',
  written_opinions_unsorted: '书面意见没有按规定顺序排列',
  exclusions_unsorted: '不计算在应到会人数之内的人员没有按规定顺序排列',
};

/** "ballot 3: …" → 文件中第 3 号选票 (the verifier's numbering, from 0, as the command line prints it). */
function where(detail: string): string {
  const ballot = /^ballots? (\d+)/.exec(detail);
  if (ballot) return `（文件中第 ${ballot[1]} 号选票）`;
  const opinion = /^written opinion (\d+)/.exec(detail);
  if (opinion) return `（文件中第 ${opinion[1]} 号书面意见）`;
  return '';
}

function failureLine(check: CheckResult): string {
  const meaning = FAILURES[check.code ?? ''] ?? (check.code?.startsWith('token_') ? FAILURES.token_signature! : '这项检查发现了问题，详见核验程序原文');
  return `${meaning}${where(check.detail)}。`;
}

const plainCount = (n: number, unit: string) => `${n} ${unit}`;

/** What a passing check established, in Chinese, from the bundle it checked. */
function passLine(id: string, bundle: Bundle): string {
  const ballots = bundle.ballots.length;
  const opinions = bundle.writtenOpinions.length;
  switch (id) {
    case 'format':
      return `计票文件格式正确（第 ${isV2(bundle) ? 2 : 1} 版）：${plainCount(bundle.poll.questions.length, '项表决')}，${plainCount(bundle.tokenKeys.length, '个发放公钥')}，${plainCount(ballots, '张选票')}。`;
    case 'signature':
      return `电子签名有效，签名公钥为 ${bundle.signer.publicKey}。`;
    case 'key_set':
      if (!isV2(bundle)) break;
      return `会议密钥集共 ${plainCount(bundle.keySet.keyIds.length, '个公钥')}，指纹 ${groupHex(bundle.keySet.digest.slice(0, 16))}（应与选票条和投影上的指纹一致）；本投票的 ${plainCount(bundle.tokenKeys.length, '个公钥')}都在其中。`;
    case 'token_keys':
      return isV2(bundle)
        ? `${plainCount(bundle.tokenKeys.length, '个发放公钥')}，每个人员类别的每位候选人（每项表决）一个，编号都是公钥本身的 SHA-256。`
        : `${plainCount(bundle.tokenKeys.length, '个发放公钥')}，每个人员类别一个，编号都是公钥本身的 SHA-256。`;
    case 'tokens':
      return `${plainCount(ballots, '张选票')}的凭证格式正确、属于本投票，并由公布的公钥签发。`;
    case 'unique_nonces':
      return `${plainCount(ballots, '张选票')}的凭证各不相同：一张凭证只投一张票。`;
    case 'ballot_order':
      return '选票按凭证排序，排列顺序不反映投票先后。';
    case 'receipts': {
      if (!isV2(bundle)) break;
      const withheld = bundle.ballots.filter((b) => b.answer === WITHHELD).length;
      return `${plainCount(ballots - withheld, '张选票')}的回执与其凭证、随机数和填写内容一致${withheld ? `；${plainCount(withheld, '张')}按匿名下限只公布回执` : ''}。`;
    }
    case 'issued': {
      if (!isV2(bundle)) {
        const issued = Object.values(bundle.electorate.issued).reduce((a, b) => a + b, 0);
        return `收回的选票不多于发出的选票凭证：签到 ${bundle.electorate.checkedIn} 人，应到 ${bundle.electorate.expected} 人，发出选票凭证 ${issued} 张。`;
      }
      const e = bundle.electorate;
      const notes = [
        e.declaredNotVoted !== null ? (submittedWarning(bundle) ?? `当场声明未投票 ${e.declaredNotVoted} 人`) : undefined,
        e.refusedOverIssued > 0 ? `因选票凭证已用完被拒绝的提交 ${e.refusedOverIssued} 次` : undefined,
        e.struck > 0 ? `开始投票时划去签到 ${e.struck} 人` : undefined,
      ].filter((note): note is string => note !== undefined);
      return (
        `每项表决收回的选票都不多于发出的选票凭证；清点人数 ${e.headCount}，签到 ${e.checkedIn} 人（补签到 ${e.lateCheckIns} 人），` +
        `提交选票 ${e.submitted} 人，应到 ${e.expected} 人${notes.length ? `；${notes.join('；')}` : ''}。`
      );
    }
    case 'answers': {
      if (!isV2(bundle)) break;
      const withheld = bundle.ballots.filter((b) => b.answer === WITHHELD).length;
      return `${plainCount(ballots, '张选票')}都只回答其公钥对应的一项，填写合规${withheld ? `；评议人数少于匿名下限（${bundle.poll.anonymityFloor} 人）的 ${withheld} 张按规定未公开内容` : ''}。`;
    }
    case 'self_evaluations': {
      if (!isV2(bundle)) break;
      const statements = bundle.selfEvaluations?.length ?? 0;
      return bundle.poll.rule.kind === 'three_evaluations'
        ? `${plainCount(statements, '份自评')}都由被评人本人在会场登记的个人密钥签名（登记了 ${plainCount(bundle.candidateKeys?.length ?? 0, '把')}个人密钥）。`
        : '这类表决没有自评。';
    }
    case 'choices':
      return `${plainCount(ballots, '张选票')}${opinions ? `和 ${opinions} 份书面意见` : ''}的填写都合规。`;
    case 'recount':
      return `重新计票（${plainCount(ballots, '张选票')}${opinions ? `和 ${opinions} 份书面意见` : ''}）与公布的票数一致。`;
    case 'verdicts':
      if (bundle.result.candidates) return '按本投票的规则重新计算，每位候选人的综合得分、等次和排名都与公布的一致。';
      return bundle.result.questions.some((q) => q.verdict !== undefined)
        ? '按本投票的规则重新判定，每项结果、所需票数和说明都与公布的一致。'
        : '本投票只计票数，没有需要判定的结果。';
    case 'record':
      if (!isV2(bundle)) break;
      return (
        `开始投票声明（清点人数 ${bundle.opening.statement.headCount}，签到 ${bundle.opening.statement.checkedIn} 人，划去 ${bundle.opening.statement.struck} 人）与计票文件一致；` +
        `本会议的操作记录已锚定：开始投票时至第 ${bundle.record.opening.seq} 条（${groupHex(bundle.record.opening.digest.slice(0, 16))}），` +
        `投票结束时至第 ${bundle.record.close.seq} 条（${groupHex(bundle.record.close.digest.slice(0, 16))}）；操作记录本身不在计票文件中，只能用本单位导出的操作记录与之核对。`
      );
    case 'cosignatures': {
      const signed = bundle.cosignatures ?? [];
      const withKeys = bundle.scrutineers.filter((s) => s.publicKey !== undefined).length;
      const ofResult =
        signed.length > 0
          ? `计票结果：${signed.length} 份联署有效（${signed.map((c) => c.name).join('、')}），共 ${withKeys} 位监票人、计票人登记了公钥`
          : withKeys === 0
            ? '没有监票人、计票人以电子方式联署（联署不是必需的）'
            : `登记了公钥的 ${withKeys} 位监票人、计票人尚未联署计票结果`;
      if (!isV2(bundle)) return `${ofResult}。`;
      const opening = bundle.opening.cosignatures;
      return `${ofResult}；开始投票声明：${opening.length > 0 ? `${opening.length} 份联署有效（${opening.map((c) => c.name).join('、')}）` : '无人联署'}。`;
    }
  }
  return '通过。';
}

/** The line shown for a check in Chinese; `bundle` is the parsed bundle (absent when the format check failed). */
export function checkLineZh(check: CheckResult, bundle: Bundle | undefined): string {
  if (!check.ok) return failureLine(check);
  return bundle ? passLine(check.id, bundle) : '通过。';
}
