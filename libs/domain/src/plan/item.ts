import { Decider, DomainError, DomainEvent } from '../decider';
import { ComputedGrade, Direction, GRADES, Grade, computeGrade, findGradingRule, worstGrade } from './grading';
import type { GradingRuleRef } from './plan';
import { FiscalYearRange, requireFiniteNumber, requireReason, requireText, requireWithin } from './rules';

/** annual 件/年, cumulative 累計, rate %, level (a daily average, a balance…). */
export const INDICATOR_KINDS = ['annual', 'cumulative', 'rate', 'level'] as const;
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];
export const DIRECTIONS = ['higher', 'lower'] as const;

export interface Indicator {
  indicatorId: string;
  name: string;
  unit: string;
  baseline?: { value: number; fiscalYear: number };
  direction: Direction;
  kind: IndicatorKind;
  /** Bounds of a value; by default 0–100 for a percentage and 0 or more otherwise. */
  minimum?: number;
  maximum?: number;
}

export interface SchedulePhase {
  label: string;
  firstFiscalYear: number;
  lastFiscalYear: number;
}

export interface IndicatorValue {
  indicatorId: string;
  value: number;
}

export type EvaluationStatus = 'open' | 'submitted' | 'returned' | 'approved' | 'reopened';

export interface YearRecord {
  targets: Record<string, number>;
  goalText?: string;
  actuals: Record<string, number>;
  narrative?: string;
  evidenceLinks: string[];
  evaluation: {
    status: EvaluationStatus;
    selfGrade?: Grade;
    selfComment?: string;
    approvedGrade?: Grade;
    approvalComment?: string;
  };
  nextYearPlan?: string;
}

/** What an item's registration says about it; ReviseItem changes any of it but the placement. */
export interface ItemDescription {
  title: string;
  divisionIds: string[];
  description: string;
  schedulePhases: SchedulePhase[];
  /** A written goal (目標), for items graded by judgement instead of a number. */
  qualitativeGoal?: string;
}

/** Where an item sits and by which rules it is judged, with its description. */
export interface ItemRegistration extends ItemDescription {
  itemId: string;
  planId: string;
  basicItemId: string;
  number: number;
  /** Copied from the plan: the item's stream alone then knows its rules. */
  planPeriod: FiscalYearRange;
  gradingRule: GradingRuleRef;
}

export type ItemCommand =
  | ({ type: 'RegisterItem' } & ItemRegistration)
  | { type: 'ReviseItem'; changes: Partial<ItemDescription>; reason: string }
  | ({ type: 'DefineIndicator' } & Indicator)
  | { type: 'ReviseIndicator'; indicatorId: string; changes: Partial<Omit<Indicator, 'indicatorId'>>; reason: string }
  | { type: 'SetTarget'; fiscalYear: number; targets: IndicatorValue[]; goalText?: string }
  | { type: 'SubmitActual'; fiscalYear: number; actuals: IndicatorValue[]; narrative: string; evidenceLinks: string[] }
  | { type: 'SubmitEvaluation'; fiscalYear: number; grade: Grade; comment: string }
  | { type: 'ApproveEvaluation'; fiscalYear: number; grade: Grade; comment: string; reason?: string }
  | { type: 'ReturnEvaluation'; fiscalYear: number; reason: string }
  | { type: 'ReopenEvaluation'; fiscalYear: number; reason: string }
  | { type: 'SetNextYearPlan'; fiscalYear: number; planText: string; nextTargets: IndicatorValue[] }
  | { type: 'RetireItem'; reason: string };

export type ItemEvent =
  | DomainEvent<'ItemRegistered', ItemRegistration>
  | DomainEvent<'ItemRevised', { changes: Partial<ItemDescription>; previous: Partial<ItemDescription>; reason: string }>
  | DomainEvent<'IndicatorDefined', Indicator>
  | DomainEvent<
      'IndicatorRevised',
      {
        indicatorId: string;
        changes: Partial<Omit<Indicator, 'indicatorId'>>;
        previous: Partial<Omit<Indicator, 'indicatorId'>>;
        reason: string;
      }
    >
  | DomainEvent<'TargetSet', { fiscalYear: number; targets: IndicatorValue[]; goalText?: string }>
  | DomainEvent<
      'ActualSubmitted',
      { fiscalYear: number; actuals: IndicatorValue[]; narrative: string; evidenceLinks: string[] }
    >
  | DomainEvent<'EvaluationSubmitted', { fiscalYear: number; grade: Grade; comment: string; computed?: ComputedGrade }>
  | DomainEvent<
      'EvaluationApproved',
      { fiscalYear: number; grade: Grade; comment: string; computed?: ComputedGrade; reason?: string }
    >
  | DomainEvent<'EvaluationReturned', { fiscalYear: number; reason: string }>
  | DomainEvent<'EvaluationReopened', { fiscalYear: number; reason: string }>
  | DomainEvent<'NextYearPlanSet', { fiscalYear: number; planText: string }>
  | DomainEvent<'ItemRetired', { reason: string }>;

export interface ItemState extends ItemRegistration {
  status: 'unregistered' | 'active' | 'retired';
  indicators: Indicator[];
  years: Record<string, YearRecord>;
}

export const itemStreamId = (itemId: string) => `item-${itemId}`;

const MAX_EVIDENCE_LINKS = 10;
const MAX_LINK_LENGTH = 500;

const emptyYear = (): YearRecord => ({ targets: {}, actuals: {}, evidenceLinks: [], evaluation: { status: 'open' } });

export function yearOf(state: ItemState, fiscalYear: number): YearRecord {
  return state.years[fiscalYear] ?? emptyYear();
}

/**
 * The grade the rule suggests for a year: each indicator's rate against its
 * target, the item as good as its weakest indicator. Undefined where judgement
 * decides: no indicator (a qualitative goal or schedule phases), or a target or
 * actual missing, or a rate without meaning.
 */
export function suggestedGrade(state: ItemState, fiscalYear: number): ComputedGrade | undefined {
  const rule = findGradingRule(state.gradingRule.id, state.gradingRule.version);
  if (!rule || state.indicators.length === 0) return undefined;
  const year = yearOf(state, fiscalYear);
  const computed: ComputedGrade[] = [];
  for (const indicator of state.indicators) {
    const target = year.targets[indicator.indicatorId];
    const actual = year.actuals[indicator.indicatorId];
    if (target === undefined || actual === undefined) return undefined;
    const grade = computeGrade(rule, target, actual, indicator.direction);
    if (!grade) return undefined;
    computed.push(grade);
  }
  const worst = worstGrade(computed.map((grade) => grade.grade))!;
  return computed.find((grade) => grade.grade === worst);
}

export const itemDecider: Decider<ItemState, ItemCommand, ItemEvent> = {
  initialState: () => ({
    status: 'unregistered',
    itemId: '',
    planId: '',
    basicItemId: '',
    number: 0,
    planPeriod: { firstFiscalYear: 0, lastFiscalYear: 0 },
    gradingRule: { id: '', version: 0 },
    title: '',
    divisionIds: [],
    description: '',
    schedulePhases: [],
    indicators: [],
    years: {},
  }),

  decide(command, state) {
    if (command.type === 'RegisterItem') {
      if (state.status !== 'unregistered') {
        throw new DomainError('conflict', 'item.already_registered', '個別項目は登録済みです', 'itemId');
      }
      if (!Number.isInteger(command.number) || command.number < 1) {
        throw new DomainError('invalid', 'item.number_invalid', '項目番号は1以上の整数です', 'number');
      }
      const { itemId, planId, basicItemId, number, planPeriod, gradingRule } = command;
      return [
        {
          type: 'ItemRegistered',
          data: { itemId, planId, basicItemId, number, planPeriod, gradingRule, ...checkDescription(command, planPeriod) },
        },
      ];
    }
    if (state.status === 'unregistered') {
      throw new DomainError('not_found', 'item.not_found', '個別項目が見つかりません');
    }
    if (state.status === 'retired') {
      throw new DomainError('conflict', 'item.retired', 'この個別項目は廃止されています');
    }

    switch (command.type) {
      case 'ReviseItem': {
        const reason = requireReason(command.reason);
        const revised = checkDescription({ ...describe(state), ...command.changes }, state.planPeriod);
        return [{ type: 'ItemRevised', data: { ...revision(command.changes, revised, describe(state)), reason } }];
      }

      case 'DefineIndicator': {
        if (state.indicators.some((indicator) => indicator.indicatorId === command.indicatorId)) {
          throw new DomainError('conflict', 'indicator.already_defined', 'この指標は定義済みです', 'indicatorId');
        }
        const { type: _type, ...indicator } = command;
        return [{ type: 'IndicatorDefined', data: checkIndicator(indicator) }];
      }

      case 'ReviseIndicator': {
        const reason = requireReason(command.reason);
        const current = findIndicator(state, command.indicatorId, 'indicatorId');
        const revised = checkIndicator({ ...current, ...command.changes, indicatorId: current.indicatorId });
        return [
          {
            type: 'IndicatorRevised',
            data: { indicatorId: current.indicatorId, ...revision(command.changes, revised, current), reason },
          },
        ];
      }

      case 'SetTarget': {
        requireWithin(state.planPeriod, command.fiscalYear);
        requireUnlocked(state, command.fiscalYear);
        const targets = checkValues(state, command.targets, 'targets');
        const goalText = command.goalText === undefined ? undefined : requireText(command.goalText, 'goalText', 'goalText');
        if (targets.length === 0 && goalText === undefined) {
          throw new DomainError('invalid', 'target.empty', '目標値か目標（文章）を指定してください', 'targets');
        }
        return [
          { type: 'TargetSet', data: { fiscalYear: command.fiscalYear, targets, ...(goalText ? { goalText } : {}) } },
        ];
      }

      case 'SubmitActual': {
        requireWithin(state.planPeriod, command.fiscalYear);
        requireUnlocked(state, command.fiscalYear);
        return [
          {
            type: 'ActualSubmitted',
            data: {
              fiscalYear: command.fiscalYear,
              actuals: checkValues(state, command.actuals, 'actuals'),
              narrative: requireText(command.narrative, 'narrative', 'narrative'),
              evidenceLinks: checkLinks(command.evidenceLinks),
            },
          },
        ];
      }

      case 'SubmitEvaluation': {
        requireWithin(state.planPeriod, command.fiscalYear);
        requireUnlocked(state, command.fiscalYear);
        if (yearOf(state, command.fiscalYear).narrative === undefined) {
          throw new DomainError('conflict', 'evaluation.results_missing', '先に取組実績を提出してください', 'fiscalYear');
        }
        const computed = suggestedGrade(state, command.fiscalYear);
        return [
          {
            type: 'EvaluationSubmitted',
            data: {
              fiscalYear: command.fiscalYear,
              grade: requireGrade(command.grade),
              comment: requireText(command.comment, 'comment', 'comment', { optional: true }),
              ...(computed ? { computed } : {}),
            },
          },
        ];
      }

      case 'ApproveEvaluation': {
        requireWithin(state.planPeriod, command.fiscalYear);
        const { status } = yearOf(state, command.fiscalYear).evaluation;
        if (status === 'approved') {
          throw new DomainError('conflict', 'evaluation.locked', 'この年度の評価は承認済みです（再開には理由が必要です）');
        }
        if (status !== 'submitted' && status !== 'reopened') {
          throw new DomainError('conflict', 'evaluation.not_submitted', '提出されていない評価は承認できません');
        }
        const grade = requireGrade(command.grade);
        const computed = suggestedGrade(state, command.fiscalYear);
        const overrides = computed !== undefined && computed.grade !== grade;
        const reason = command.reason?.trim() ? requireReason(command.reason) : undefined;
        if (overrides && !reason) {
          throw new DomainError('invalid', 'evaluation.override_reason_required', '算定結果と異なる評価には理由が必要です', 'reason');
        }
        return [
          {
            type: 'EvaluationApproved',
            data: {
              fiscalYear: command.fiscalYear,
              grade,
              comment: requireText(command.comment, 'comment', 'comment', { optional: true }),
              ...(computed ? { computed } : {}),
              ...(reason ? { reason } : {}),
            },
          },
        ];
      }

      case 'ReturnEvaluation': {
        requireWithin(state.planPeriod, command.fiscalYear);
        const { status } = yearOf(state, command.fiscalYear).evaluation;
        if (status !== 'submitted' && status !== 'reopened') {
          throw new DomainError('conflict', 'evaluation.not_submitted', '提出されていない評価は差し戻せません');
        }
        return [{ type: 'EvaluationReturned', data: { fiscalYear: command.fiscalYear, reason: requireReason(command.reason) } }];
      }

      case 'ReopenEvaluation': {
        requireWithin(state.planPeriod, command.fiscalYear);
        if (yearOf(state, command.fiscalYear).evaluation.status !== 'approved') {
          throw new DomainError('conflict', 'evaluation.not_approved', '承認されていない評価は再開できません');
        }
        return [{ type: 'EvaluationReopened', data: { fiscalYear: command.fiscalYear, reason: requireReason(command.reason) } }];
      }

      case 'SetNextYearPlan': {
        requireWithin(state.planPeriod, command.fiscalYear);
        requireUnlocked(state, command.fiscalYear);
        const planText = requireText(command.planText, 'planText', 'planText');
        const targets = checkValues(state, command.nextTargets, 'nextTargets');
        return [
          { type: 'NextYearPlanSet', data: { fiscalYear: command.fiscalYear, planText } },
          ...(targets.length ? [{ type: 'TargetSet' as const, data: { fiscalYear: command.fiscalYear, targets } }] : []),
        ];
      }

      case 'RetireItem':
        return [{ type: 'ItemRetired', data: { reason: requireReason(command.reason) } }];
    }
  },

  evolve(state, event) {
    const year = (fiscalYear: number, change: (record: YearRecord) => Partial<YearRecord>) => ({
      ...state,
      years: { ...state.years, [fiscalYear]: { ...yearOf(state, fiscalYear), ...change(yearOf(state, fiscalYear)) } },
    });
    const evaluation = (fiscalYear: number, change: Partial<YearRecord['evaluation']>) =>
      year(fiscalYear, (record) => ({ evaluation: { ...record.evaluation, ...change } }));

    switch (event.type) {
      case 'ItemRegistered':
        return { ...state, status: 'active', ...event.data };
      case 'ItemRevised':
        return { ...state, ...event.data.changes };
      case 'IndicatorDefined':
        return { ...state, indicators: [...state.indicators, event.data] };
      case 'IndicatorRevised':
        return {
          ...state,
          indicators: state.indicators.map((indicator) =>
            indicator.indicatorId === event.data.indicatorId ? { ...indicator, ...event.data.changes } : indicator,
          ),
        };
      case 'TargetSet':
        return year(event.data.fiscalYear, (record) => ({
          targets: { ...record.targets, ...valuesById(event.data.targets) },
          ...(event.data.goalText ? { goalText: event.data.goalText } : {}),
        }));
      case 'ActualSubmitted':
        return year(event.data.fiscalYear, (record) => ({
          actuals: { ...record.actuals, ...valuesById(event.data.actuals) },
          narrative: event.data.narrative,
          evidenceLinks: event.data.evidenceLinks,
        }));
      case 'EvaluationSubmitted':
        return evaluation(event.data.fiscalYear, {
          status: 'submitted',
          selfGrade: event.data.grade,
          selfComment: event.data.comment,
        });
      case 'EvaluationApproved':
        return evaluation(event.data.fiscalYear, {
          status: 'approved',
          approvedGrade: event.data.grade,
          approvalComment: event.data.comment,
        });
      case 'EvaluationReturned':
        return evaluation(event.data.fiscalYear, { status: 'returned' });
      case 'EvaluationReopened':
        return evaluation(event.data.fiscalYear, { status: 'reopened', approvedGrade: undefined });
      case 'NextYearPlanSet':
        return year(event.data.fiscalYear, () => ({ nextYearPlan: event.data.planText }));
      case 'ItemRetired':
        return { ...state, status: 'retired' };
    }
  },
};

/**
 * The fields a revision really changes — asked for, and different once checked —
 * with their values before, so that the event tells both; a revision that
 * changes nothing is refused.
 */
function revision<Fields extends object>(asked: Partial<Fields>, revised: Fields, current: Fields) {
  const changed = (Object.keys(asked) as Array<keyof Fields>).filter(
    (key) => asked[key] !== undefined && !sameJson(revised[key], current[key]),
  );
  if (changed.length === 0) {
    throw new DomainError('invalid', 'revision.no_change', '変更内容がありません', 'changes');
  }
  return {
    changes: Object.fromEntries(changed.map((key) => [key, revised[key]])) as Partial<Fields>,
    previous: Object.fromEntries(changed.map((key) => [key, current[key]])) as Partial<Fields>,
  };
}

function describe(state: ItemState): ItemDescription {
  const { title, divisionIds, description, schedulePhases, qualitativeGoal } = state;
  return { title, divisionIds, description, schedulePhases, ...(qualitativeGoal ? { qualitativeGoal } : {}) };
}

function checkDescription(description: ItemDescription, period: FiscalYearRange): ItemDescription {
  const divisionIds = [...new Set(description.divisionIds ?? [])];
  if (divisionIds.length === 0 || divisionIds.some((id) => typeof id !== 'string' || id.length === 0)) {
    throw new DomainError('invalid', 'item.divisions_required', '担当課を1つ以上指定してください', 'divisionIds');
  }
  const schedulePhases = (description.schedulePhases ?? []).map((phase, index) => {
    const field = `schedulePhases.${index}`;
    const label = requireText(phase.label, 'phaseLabel', `${field}.label`);
    requireWithin(period, phase.firstFiscalYear, `${field}.firstFiscalYear`);
    requireWithin(period, phase.lastFiscalYear, `${field}.lastFiscalYear`);
    if (phase.firstFiscalYear > phase.lastFiscalYear) {
      throw new DomainError('invalid', 'schedule.phase_reversed', '実施期間の開始が終了より後です', `${field}.lastFiscalYear`);
    }
    return { label, firstFiscalYear: phase.firstFiscalYear, lastFiscalYear: phase.lastFiscalYear };
  });
  const qualitativeGoal =
    description.qualitativeGoal === undefined
      ? undefined
      : requireText(description.qualitativeGoal, 'goalText', 'qualitativeGoal');
  return {
    title: requireText(description.title, 'title', 'title'),
    divisionIds,
    description: requireText(description.description, 'description', 'description', { optional: true }),
    schedulePhases,
    ...(qualitativeGoal ? { qualitativeGoal } : {}),
  };
}

function checkIndicator(indicator: Indicator): Indicator {
  if (!(DIRECTIONS as readonly string[]).includes(indicator.direction)) {
    throw new DomainError('invalid', 'indicator.direction_invalid', '方向は higher か lower です', 'direction');
  }
  if (!(INDICATOR_KINDS as readonly string[]).includes(indicator.kind)) {
    throw new DomainError('invalid', 'indicator.kind_invalid', '指標の種類が正しくありません', 'kind');
  }
  const checked: Indicator = {
    indicatorId: indicator.indicatorId,
    name: requireText(indicator.name, 'name', 'name'),
    unit: requireText(indicator.unit, 'unit', 'unit'),
    direction: indicator.direction,
    kind: indicator.kind,
    ...(indicator.minimum !== undefined ? { minimum: requireFiniteNumber(indicator.minimum, 'minimum') } : {}),
    ...(indicator.maximum !== undefined ? { maximum: requireFiniteNumber(indicator.maximum, 'maximum') } : {}),
  };
  if (checked.minimum !== undefined && checked.maximum !== undefined && checked.minimum > checked.maximum) {
    throw new DomainError('invalid', 'indicator.bounds_reversed', '下限が上限より大きくなっています', 'maximum');
  }
  if (indicator.baseline !== undefined) {
    const value = requireFiniteNumber(indicator.baseline.value, 'baseline.value');
    const fiscalYear = indicator.baseline.fiscalYear;
    if (!Number.isInteger(fiscalYear) || fiscalYear < 1989 || fiscalYear > 2200) {
      throw new DomainError('invalid', 'baseline.fiscal_year_invalid', '基準値の年度が正しくありません', 'baseline.fiscalYear');
    }
    checkBounds(checked, value, 'baseline.value');
    checked.baseline = { value, fiscalYear };
  }
  return checked;
}

/** The unit rules: a percentage lies in 0–100, other values are 0 or more, unless the indicator says otherwise. */
export function checkBounds(indicator: Indicator, value: number, field: string): void {
  const percentage = indicator.unit === '%' || indicator.unit === '％';
  const minimum = indicator.minimum ?? 0;
  const maximum = indicator.maximum ?? (percentage ? 100 : Number.POSITIVE_INFINITY);
  if (value < minimum || value > maximum) {
    throw new DomainError(
      'invalid',
      'number.out_of_range',
      `${field} は ${minimum}〜${Number.isFinite(maximum) ? maximum : ''}（${indicator.unit}）の範囲で入力してください`,
      field,
    );
  }
}

function checkValues(state: ItemState, values: readonly IndicatorValue[], field: string): IndicatorValue[] {
  const seen = new Set<string>();
  return (values ?? []).map((entry, index) => {
    const indicator = findIndicator(state, entry.indicatorId, `${field}.${index}.indicatorId`);
    if (seen.has(indicator.indicatorId)) {
      throw new DomainError('invalid', 'indicator.repeated', '同じ指標が2回指定されています', `${field}.${index}.indicatorId`);
    }
    seen.add(indicator.indicatorId);
    const value = requireFiniteNumber(entry.value, `${field}.${index}.value`);
    checkBounds(indicator, value, `${field}.${index}.value`);
    return { indicatorId: indicator.indicatorId, value };
  });
}

function checkLinks(links: readonly string[] | undefined): string[] {
  const checked = links ?? [];
  if (checked.length > MAX_EVIDENCE_LINKS) {
    throw new DomainError('invalid', 'evidence.too_many', `根拠資料のリンクは${MAX_EVIDENCE_LINKS}件までです`, 'evidenceLinks');
  }
  checked.forEach((link, index) => {
    let valid = typeof link === 'string' && link.length <= MAX_LINK_LENGTH;
    try {
      valid &&= ['http:', 'https:'].includes(new URL(link).protocol);
    } catch {
      valid = false;
    }
    if (!valid) {
      throw new DomainError('invalid', 'evidence.link_invalid', 'リンクは http(s) のURLで指定してください', `evidenceLinks.${index}`);
    }
  });
  return [...checked];
}

function findIndicator(state: ItemState, indicatorId: string, field: string): Indicator {
  const indicator = state.indicators.find((candidate) => candidate.indicatorId === indicatorId);
  if (!indicator) throw new DomainError('not_found', 'indicator.not_found', '指標が見つかりません', field);
  return indicator;
}

function requireUnlocked(state: ItemState, fiscalYear: number): void {
  if (yearOf(state, fiscalYear).evaluation.status === 'approved') {
    throw new DomainError('conflict', 'evaluation.locked', 'この年度の評価は承認済みのため変更できません（再開が必要です）', 'fiscalYear');
  }
}

function requireGrade(grade: unknown): Grade {
  if (!(GRADES as readonly unknown[]).includes(grade)) {
    throw new DomainError('invalid', 'grade.invalid', '評価は achieved / mostly_achieved / not_achieved のいずれかです', 'grade');
  }
  return grade as Grade;
}

function valuesById(values: readonly IndicatorValue[]): Record<string, number> {
  return Object.fromEntries(values.map(({ indicatorId, value }) => [indicatorId, value]));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
