/**
 * One entry point for every counting rule: the server (at close), the client (projector and
 * board) and the verifier call `tallyPoll` with the same inputs and get the same result.
 */
import type { Choices, Question } from '../protocol/poll.ts';
import { countWithOpinions, type TallyInput } from './common.ts';
import { tallyDemocraticAppraisal } from './democratic-appraisal.ts';
import { tallyEvaluationSession } from './three-evaluations.ts';
import { tallyLeagueRecommendation } from './league-recommendation.ts';
import { tallyMemberAcceptance } from './member-acceptance.ts';
import { tallyMemberConversion } from './member-conversion.ts';
import { tallyOpinionBallot } from './opinion-ballot.ts';
import type { Rule } from './rules.ts';
import type { PollResult } from './result.ts';

export function tallyPoll(input: TallyInput<Rule>): PollResult {
  const { rule } = input;
  switch (rule.kind) {
    case 'generic':
      // Plain counts, written opinions of absent members included like every other kind.
      return {
        ballotsCast: input.ballots.length,
        questions: countWithOpinions(input.questions, input.ballots, input.writtenOpinions).map(({ question, counts }) => ({ id: question.id, counts })),
      };
    case 'member_acceptance':
      return tallyMemberAcceptance({ ...input, rule });
    case 'member_conversion':
      return tallyMemberConversion({ ...input, rule });
    case 'league_recommendation':
      return tallyLeagueRecommendation({ ...input, rule });
    case 'activist_confirmation':
    case 'development_object_confirmation':
      return tallyOpinionBallot({ ...input, rule });
    case 'democratic_appraisal':
      return tallyDemocraticAppraisal({ ...input, rule });
    case 'three_evaluations':
      return tallyEvaluationSession({ ...input, rule });
  }
}

export type { Choices, Question };
