import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalContent } from '../src/hash-chain';

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
