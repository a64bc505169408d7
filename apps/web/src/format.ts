import i18n from './i18n';

const ERAS = [
  { name: '令和', first: 2019 },
  { name: '平成', first: 1989 },
];

/** 令和2年度 (FY2020): both, as people in the city read fiscal years. */
export function fiscalYearLabel(fiscalYear: number): string {
  const era = ERAS.find((candidate) => fiscalYear >= candidate.first)!;
  const year = fiscalYear - era.first + 1;
  const japanese = `${era.name}${year === 1 ? '元' : year}年度`;
  return i18n.language === 'en' ? `FY${fiscalYear} (${japanese})` : `${japanese} (FY${fiscalYear})`;
}

/** 4,217 件 — with thousands separators and the unit. */
export function quantity(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined) return '—';
  const number = new Intl.NumberFormat(i18n.language === 'en' ? 'en-US' : 'ja-JP', { maximumFractionDigits: 2 }).format(value);
  return unit ? `${number} ${unit}` : number;
}

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}

export function dateTime(value: string | null | undefined): string {
  if (!value) return '—';
  return new Intl.DateTimeFormat(i18n.language === 'en' ? 'en-GB' : 'ja-JP', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Tokyo' }).format(
    new Date(value),
  );
}

/** A day, not a moment (a deadline): 2021/06/30 without a time. */
export function calendarDate(date: string | null | undefined): string {
  if (!date) return '—';
  return new Intl.DateTimeFormat(i18n.language === 'en' ? 'en-GB' : 'ja-JP', { dateStyle: 'medium', timeZone: 'Asia/Tokyo' }).format(
    new Date(`${date}T00:00:00+09:00`),
  );
}
