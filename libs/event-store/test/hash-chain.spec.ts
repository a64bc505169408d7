import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalContent, canonicalJson } from '../src/hash-chain';

describe('canonicalContent', () => {
  it('writes the same bytes canonicalize() writes for the whole content, so hashes stay as they were', () => {
    fc.assert(
      fc.property(
        fc.record({
          id: fc.uuid(),
          streamId: fc.string({ minLength: 1 }),
          streamVersion: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
          type: fc.string({ minLength: 1 }),
          schemaVersion: fc.integer({ min: 1, max: 1000 }),
          recordedAt: fc.date({ min: new Date(0), max: new Date('2200-01-01'), noInvalidDate: true }),
          data: fc.jsonValue(),
          metadata: fc.dictionary(fc.string(), fc.jsonValue()),
        }),
        ({ data, metadata, ...content }) => {
          const whole = canonicalize({ ...content, data, metadata, recordedAt: content.recordedAt.toISOString() });
          expect(canonicalContent(content, canonicalize(data)!, canonicalize(metadata)!)).toBe(whole);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('canonicalJson', () => {
  // Keys that sort differently as text and as numbers, and keys JavaScript would reorder.
  const key = fc.oneof(fc.string(), fc.constantFrom('a', 'B', 'é', '10', '9', '0', '2020', '01', '-1', '1.5', '__proto__x'));
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue({ maxDepth: 2 }),
      fc.date({ noInvalidDate: true }),
      fc.constant(undefined),
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(key, tie('node'), { maxKeys: 5 }),
    ),
  })).node;

  it('writes exactly the bytes canonicalize() writes, so every stored hash verifies as before', () => {
    fc.assert(
      fc.property(value, (anything) => {
        expect(canonicalJson(anything)).toBe(canonicalize(anything ?? null));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses numbers JSON cannot hold, as canonicalize() does', () => {
    expect(() => canonicalJson({ rate: Number.NaN })).toThrow();
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow();
  });
});
