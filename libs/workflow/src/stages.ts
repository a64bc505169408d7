import type { TextKind } from '@app/domain';

export const STAGE_KINDS = ['spring', 'autumn'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

/** One thing a stage asks each item for. */
export interface StageField {
  key: string;
  label: string;
  kind: 'indicator_values' | 'text' | 'grade';
  /** Needed before submitting; indicator values are needed for every indicator the item has. */
  required: boolean;
  /** The length rule of a text field. */
  textKind?: TextKind;
  /** Indicator values: the fiscal year they are for, relative to the cycle's year. */
  fiscalYearOffset?: number;
}

export interface StageDefinition {
  label: string;
  /** The fiscal year whose figures the stage reports, relative to the cycle's year. */
  reportedYearOffset: number;
  /** The fiscal year whose plan the stage fixes, relative to the cycle's year; absent when it fixes none. */
  plannedYearOffset?: number;
  fields: StageField[];
}

/**
 * What each review stage asks for: configuration, read by the deciders, the
 * process manager and the web UI's forms alike, so changing a stage's fields is
 * a change of this data.
 */
export const REVIEW_STAGES: Record<StageKind, StageDefinition> = {
  spring: {
    label: 'スプリングレビュー',
    reportedYearOffset: -1,
    fields: [
      { key: 'actuals', label: '前年度の実績値', kind: 'indicator_values', required: true, fiscalYearOffset: -1 },
      { key: 'narrative', label: '前年度の取組実績', kind: 'text', required: true, textKind: 'narrative' },
      { key: 'selfGrade', label: '自己評価', kind: 'grade', required: true },
    ],
  },
  autumn: {
    label: 'オータムレビュー',
    reportedYearOffset: 0,
    plannedYearOffset: 1,
    fields: [
      { key: 'progress', label: '今年度の進捗', kind: 'text', required: true, textKind: 'narrative' },
      { key: 'nextYearPlan', label: '翌年度の取組', kind: 'text', required: true, textKind: 'planText' },
      { key: 'nextYearTargets', label: '翌年度の目標値', kind: 'indicator_values', required: false, fiscalYearOffset: 1 },
    ],
  },
};

export function isStageKind(value: unknown): value is StageKind {
  return (STAGE_KINDS as readonly unknown[]).includes(value);
}
