/**
 * The Japanese fiscal year (年度) runs from 1 April to 31 March and is named by
 * the calendar year it starts in: FY2020 = 令和2年度 = R2, 1 April 2020 – 31 March 2021.
 */
export type FiscalYear = number;

interface Era {
  name: string;
  letter: string;
  /** The first fiscal year named by this era. */
  firstFiscalYear: number;
}

// FY2019 began under Heisei (平成31年4月) but is called 令和元年度 by convention, as in Ube's report.
const ERAS: Era[] = [
  { name: '令和', letter: 'R', firstFiscalYear: 2019 },
  { name: '平成', letter: 'H', firstFiscalYear: 1989 },
];

const FULL_WIDTH_DIGITS = /[０-９]/g;

/** Parses 2020, "2020", "FY2020", "R2", "令和2年度", "令和元年度", "H30", "平成30年度" (full-width digits too). */
export function parseFiscalYear(text: string | number): FiscalYear | undefined {
  if (typeof text === 'number') return Number.isInteger(text) && text >= 1989 && text <= 2200 ? text : undefined;
  const normalized = text
    .trim()
    .replace(FULL_WIDTH_DIGITS, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xfee0))
    .replace(/年度$/, '');
  const western = normalized.match(/^(?:FY)?(\d{4})$/i);
  if (western) return parseFiscalYear(Number(western[1]));
  for (const era of ERAS) {
    const match = normalized.match(new RegExp(`^(?:${era.name}|${era.letter})(元|\\d{1,2})$`, 'i'));
    if (match) {
      const yearOfEra = match[1] === '元' ? 1 : Number(match[1]);
      if (yearOfEra < 1) return undefined;
      return era.firstFiscalYear - 1 + yearOfEra;
    }
  }
  return undefined;
}

function eraOf(fiscalYear: FiscalYear): Era {
  const era = ERAS.find((candidate) => fiscalYear >= candidate.firstFiscalYear);
  if (!era) throw new RangeError(`No era for fiscal year ${fiscalYear}`);
  return era;
}

/** "令和2年度" (元 for the first year of an era). */
export function formatFiscalYear(fiscalYear: FiscalYear): string {
  const era = eraOf(fiscalYear);
  const yearOfEra = fiscalYear - era.firstFiscalYear + 1;
  return `${era.name}${yearOfEra === 1 ? '元' : yearOfEra}年度`;
}

/** "R2", as the report's tables print it. */
export function formatFiscalYearShort(fiscalYear: FiscalYear): string {
  const era = eraOf(fiscalYear);
  return `${era.letter}${fiscalYear - era.firstFiscalYear + 1}`;
}

/** "令和2年度 (FY2020)": both, where people read them. */
export function formatFiscalYearBoth(fiscalYear: FiscalYear): string {
  return `${formatFiscalYear(fiscalYear)} (FY${fiscalYear})`;
}

/** The fiscal year a moment falls in, by the date in Japan. */
export function fiscalYearOf(moment: Date): FiscalYear {
  const japan = new Date(moment.getTime() + 9 * 3_600_000);
  return japan.getUTCMonth() >= 3 ? japan.getUTCFullYear() : japan.getUTCFullYear() - 1;
}
