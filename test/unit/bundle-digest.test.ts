import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bundleDigestHex } from '../../shared/crypto/bundle-digest.ts';

describe('bundle digest', () => {
  it('is SHA-256 of the canonical JSON, whatever the member order or spacing', () => {
    const canonical = '{"a":1,"b":[true,"二"],"signature":"AA=="}';
    const expected = createHash('sha256').update(canonical, 'utf8').digest('hex');
    expect(bundleDigestHex({ signature: 'AA==', b: [true, '二'], a: 1 })).toBe(expected);
    expect(bundleDigestHex(JSON.parse(JSON.stringify({ a: 1, b: [true, '二'], signature: 'AA==' }, null, 2)))).toBe(expected);
  });

  it('leaves the co-signatures out and covers everything else', () => {
    const bundle = { a: 1, signature: 'AA==' };
    expect(bundleDigestHex({ ...bundle, cosignatures: [{ name: 'x' }] })).toBe(bundleDigestHex(bundle));
    expect(bundleDigestHex({ ...bundle, signature: 'AQ==' })).not.toBe(bundleDigestHex(bundle));
  });
});
