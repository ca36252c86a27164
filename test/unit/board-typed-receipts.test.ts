/**
 * The public board's typed check (client/src/board/receipt.ts `checkTypedReceipts`): receipts
 * pasted as the voting page's Copy button writes them ("name hex", one per line), typed as hex,
 * full or as their first 16 digits, each line its own outcome.
 */
import { describe, expect, it } from 'vitest';
import { checkTypedReceipts, type PublishedBallots } from '../../client/src/board/receipt.ts';

const receipts = ['ed8b15a379c99fab' + '0'.repeat(48), '1234abcd5678ef90' + '1'.repeat(48)];
const published: PublishedBallots[] = [{ pollId: 'p1', title: '接收预备党员', questionTitles: {}, receipts, nonces: ['', ''] }];
const check = (text: string) => checkTypedReceipts(text, published);

describe('receipts typed or pasted on the board', () => {
  it('reads what the Copy button writes: each line a candidate and a short receipt, each found', () => {
    expect(check('周明 ed8b 15a3 79c9 9fab\n李四 1234 abcd 5678 ef90\n')).toEqual([
      { label: '周明', kind: 'found', poll: '接收预备党员' },
      { label: '李四', kind: 'found', poll: '接收预备党员' },
    ]);
  });

  it('reads bare hex, grouped or not, in capitals, short or whole, with dashes', () => {
    expect(check('ED8B-15A3-79C9-9FAB')).toEqual([{ label: '', kind: 'found', poll: '接收预备党员' }]);
    expect(check(receipts[1]!)).toEqual([{ label: '', kind: 'found', poll: '接收预备党员' }]);
  });

  it('is not misled by a name that ends in hex-looking words', () => {
    expect(check('Dee Bead ed8b 15a3 79c9 9fab')).toEqual([{ label: 'Dee Bead', kind: 'found', poll: '接收预备党员' }]);
  });

  it('says which line is not found, too short, not hex, or empty', () => {
    expect(check('周明 ed8b 15a3 79c9 9fac\n李四 1234 abcd\nxyz')).toEqual([
      { label: '周明', kind: 'not_found' },
      { label: '李四', kind: 'invalid', reason: 'too_short' },
      { label: 'xyz', kind: 'invalid', reason: 'not_hex' },
    ]);
    expect(check('  \n ')).toEqual([{ label: '', kind: 'invalid', reason: 'empty' }]);
    expect(check('a'.repeat(65))).toEqual([{ label: '', kind: 'invalid', reason: 'too_long' }]);
  });
});
