import { DomainError } from '../decider';

/** Length limits of the texts people write, in characters (code points). */
export const TEXT_LIMITS = {
  name: 200,
  title: 200,
  unit: 20,
  description: 4000,
  narrative: 4000,
  comment: 2000,
  reason: 1000,
  planText: 4000,
  goalText: 1000,
  phaseLabel: 100,
} as const;

export type TextKind = keyof typeof TEXT_LIMITS;

export function requireText(value: unknown, kind: TextKind, field: string, { optional = false } = {}): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0) {
    if (optional && (value === undefined || value === '')) return '';
    throw new DomainError('invalid', `${kind}.required`, `${field} を入力してください`, field);
  }
  if ([...text].length > TEXT_LIMITS[kind]) {
    throw new DomainError('invalid', `${kind}.too_long`, `${field} は${TEXT_LIMITS[kind]}文字以内で入力してください`, field);
  }
  return text;
}

export function requireReason(value: unknown, field = 'reason'): string {
  return requireText(value, 'reason', field);
}

export function requireFiniteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new DomainError('invalid', 'number.not_finite', `${field} には有限の数値を入力してください`, field);
  }
  return value;
}

export interface FiscalYearRange {
  firstFiscalYear: number;
  lastFiscalYear: number;
}

export function requireWithin(range: FiscalYearRange, fiscalYear: number, field = 'fiscalYear'): void {
  if (!Number.isInteger(fiscalYear) || fiscalYear < range.firstFiscalYear || fiscalYear > range.lastFiscalYear) {
    throw new DomainError(
      'invalid',
      'fiscal_year.outside_plan',
      `年度 ${fiscalYear} は計画期間（${range.firstFiscalYear}〜${range.lastFiscalYear}年度）の外です`,
      field,
    );
  }
}
