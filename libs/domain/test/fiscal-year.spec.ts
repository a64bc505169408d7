import {
  fiscalYearOf,
  formatFiscalYear,
  formatFiscalYearBoth,
  formatFiscalYearShort,
  parseFiscalYear,
} from '../src';

describe('fiscal years', () => {
  it.each([
    ['R2', 2020],
    ['令和2年度', 2020],
    ['令和２年度', 2020],
    ['令和元年度', 2019],
    ['R1', 2019],
    ['H30', 2018],
    ['平成30年度', 2018],
    ['平成31年度', 2019],
    ['R3', 2021],
    ['FY2020', 2020],
    ['2020', 2020],
    ['2020年度', 2020],
  ])('reads %p as FY%p', (text, fiscalYear) => expect(parseFiscalYear(text)).toBe(fiscalYear));

  it.each(['', 'R', 'X2', '令和0年度', 'FY20', '1900', 'R2x'])('does not read %p', (text) =>
    expect(parseFiscalYear(text)).toBeUndefined(),
  );

  it.each([
    [2018, '平成30年度', 'H30'],
    [2019, '令和元年度', 'R1'],
    [2020, '令和2年度', 'R2'],
    [2021, '令和3年度', 'R3'],
  ])('prints FY%p as %p and %p', (fiscalYear, long, short) => {
    expect(formatFiscalYear(fiscalYear)).toBe(long);
    expect(formatFiscalYearShort(fiscalYear)).toBe(short);
    expect(parseFiscalYear(long)).toBe(fiscalYear);
    expect(parseFiscalYear(short)).toBe(fiscalYear);
  });

  it('prints both names where people read them', () => expect(formatFiscalYearBoth(2020)).toBe('令和2年度 (FY2020)'));

  it.each([
    ['2020-04-01T00:00:00+09:00', 2020],
    ['2021-03-31T23:59:59+09:00', 2020],
    ['2021-04-01T00:00:00+09:00', 2021],
    // Still 31 March in UTC, already 1 April in Japan.
    ['2021-03-31T15:00:00Z', 2021],
  ])('places %s in FY%p (April to March, Japan time)', (moment, fiscalYear) =>
    expect(fiscalYearOf(new Date(moment))).toBe(fiscalYear),
  );
});
