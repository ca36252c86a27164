/**
 * More ballots than the voters who did not say they abstained could have cast (protocol §6): how
 * a ballot minted with an issuing key copied before the opening shows, once the scrutineers have
 * recorded how many in the room said they did not vote (`declaredNotVoted`).
 *
 * Two bounds, both without a false alarm in an honest meeting:
 *  - voters: `submitted` (read from the ballots: the most under one key of each group) may not
 *    exceed `checkedIn − declaredNotVoted`;
 *  - ballots: every voter of group g holds a token under each of the group's K_g keys, except at
 *    most one (their own candidacy), so the D who did not vote held at least D × m of the tokens
 *    issued, m = the least K_g − 1 over the groups; the ballots may not exceed
 *    Σ issued − D × m. This one catches a minted submission where candidates vote (the
 *    democratic appraisal, the three evaluations): there every key is one short of the group,
 *    and the minted ballots can fill exactly that gap without raising the most under one key.
 */
import type { BundleV2 } from '../protocol/bundle.ts';

export interface DeclaredNotVotedExcess {
  declared: number;
  /** `submitted − (checkedIn − declared)` when positive, else 0. */
  voters: number;
  ballots: number;
  /** Σ issued − declared × m: the most ballots the others could have cast. */
  room: number;
  /** `ballots − room` when positive, else 0. */
  ballotsOver: number;
}

export function declaredNotVotedExcess(bundle: Pick<BundleV2, 'electorate' | 'tokenKeys' | 'ballots'>): DeclaredNotVotedExcess | undefined {
  const e = bundle.electorate;
  if (e.declaredNotVoted === null) return undefined;
  const keysPerGroup = new Map<string, number>();
  for (const key of bundle.tokenKeys) keysPerGroup.set(key.group, (keysPerGroup.get(key.group) ?? 0) + 1);
  const least = keysPerGroup.size === 0 ? 0 : Math.min(...[...keysPerGroup.values()].map((k) => Math.max(0, k - 1)));
  const issued = bundle.tokenKeys.reduce((sum, key) => sum + key.issued, 0);
  const room = issued - e.declaredNotVoted * least;
  const ballots = bundle.ballots.length;
  return {
    declared: e.declaredNotVoted,
    voters: Math.max(0, e.submitted - (e.checkedIn - e.declaredNotVoted)),
    ballots,
    room,
    ballotsOver: Math.max(0, ballots - room),
  };
}
