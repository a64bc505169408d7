/** 達成区分: the grade an item's year gets. */
export const GRADES = ['achieved', 'mostly_achieved', 'not_achieved'] as const;
export type Grade = (typeof GRADES)[number];

export const GRADE_LABELS: Record<Grade, string> = {
  achieved: '達成',
  mostly_achieved: '概ね達成',
  not_achieved: '未達成',
};

export type Direction = 'higher' | 'lower';

/**
 * A city's rule for turning a target and an actual into a grade, as versioned
 * data: a change of rule is a new version, and each evaluation names the version
 * it used, so old grades are never recomputed under a new rule.
 */
export interface GradingRule {
  id: string;
  version: number;
  /** Grades from best to worst with the lowest achievement rate each needs; the last catches the rest. */
  thresholds: Array<{ grade: Grade; minimumRate: number }>;
  fallback: Grade;
  /** How the achievement rate is computed. */
  rate: 'actual-over-target-inverted-when-lower';
}

/** Ube City's rule: 達成 at 100% or more, 概ね達成 from 75%, else 未達成. */
export const UBE_GRADING_RULE_V1: GradingRule = {
  id: 'ube-achievement-rate',
  version: 1,
  thresholds: [
    { grade: 'achieved', minimumRate: 1 },
    { grade: 'mostly_achieved', minimumRate: 0.75 },
  ],
  fallback: 'not_achieved',
  rate: 'actual-over-target-inverted-when-lower',
};

export const GRADING_RULES: readonly GradingRule[] = [UBE_GRADING_RULE_V1];

export function findGradingRule(id: string, version: number): GradingRule | undefined {
  return GRADING_RULES.find((rule) => rule.id === id && rule.version === version);
}

/**
 * actual ÷ target, or target ÷ actual when lower is better. Undefined when the
 * rate has no meaning (a target of zero or less to exceed). An actual of zero
 * against a lower-is-better target is the best possible result.
 */
export function achievementRate(target: number, actual: number, direction: Direction): number | undefined {
  if (direction === 'higher') return target > 0 ? actual / target : undefined;
  if (actual === 0) return target >= 0 ? Number.POSITIVE_INFINITY : undefined;
  return actual > 0 && target >= 0 ? target / actual : undefined;
}

// Rates like 2.25 ÷ 3 must land on 75% exactly, not a hair below it.
const TOLERANCE = 1e-9;

export function gradeForRate(rule: GradingRule, rate: number): Grade {
  return rule.thresholds.find((threshold) => rate >= threshold.minimumRate - TOLERANCE)?.grade ?? rule.fallback;
}

export interface ComputedGrade {
  grade: Grade;
  rate: number;
  ruleId: string;
  ruleVersion: number;
}

export function computeGrade(
  rule: GradingRule,
  target: number,
  actual: number,
  direction: Direction,
): ComputedGrade | undefined {
  const rate = achievementRate(target, actual, direction);
  if (rate === undefined) return undefined;
  return { grade: gradeForRate(rule, rate), rate, ruleId: rule.id, ruleVersion: rule.version };
}

/** The worst of several grades: an item with several indicators is as good as its weakest. */
export function worstGrade(grades: readonly Grade[]): Grade | undefined {
  return grades.reduce<Grade | undefined>(
    (worst, grade) => (worst === undefined || GRADES.indexOf(grade) > GRADES.indexOf(worst) ? grade : worst),
    undefined,
  );
}
