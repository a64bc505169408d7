import {
  ComputedGrade,
  DomainError,
  Grade,
  ItemCommand,
  ItemState,
  PlanCommand,
  formatFiscalYear,
  itemDecider,
  suggestedGrade,
} from '@app/domain';
import { v5 as uuidv5 } from 'uuid';
import { PlanSeed, SeedFormatError, SeedItem, SeedProblem } from './plan-seed';

/** One command of a seed, with the command id that makes sending it twice harmless. */
export type SeedCommand = { commandId: string; occurredAt: Date; label: string } & (
  | { target: 'plan'; planId: string; command: PlanCommand }
  | { target: 'register-item'; command: Extract<ItemCommand, { type: 'RegisterItem' }>; divisions: string[] }
  | { target: 'item'; itemId: string; command: Exclude<ItemCommand, { type: 'RegisterItem' }> }
);

/** A printed grade beside the one the plan's rule computes, for one item (or one of its indicators) and year. */
export interface GradeCheck {
  itemId: string;
  basicItemId: string;
  number: number;
  title: string;
  indicator?: string;
  fiscalYear: number;
  printed: Grade;
  computed?: ComputedGrade;
  differs: boolean;
  notes: string[];
}

const SEED_NAMESPACE = '5c8e0d6a-6a0e-4b8e-8d0f-3f2b7f0c9e21';
const DEFAULT_REASON = 'シードに記載された評価のとおり';

/** Dates in the review calendar, in Japan's time zone. */
const at = (year: number, monthDay: string) => new Date(`${year}-${monthDay}T09:00:00+09:00`);
const startOf = (fiscalYear: number) => at(fiscalYear, '04-01');
const springSubmission = (fiscalYear: number) => at(fiscalYear + 1, '05-31');
const springApproval = (fiscalYear: number) => at(fiscalYear + 1, '06-30');

/**
 * The commands a person would have sent to build the seed's plan and its
 * history, in order: the structure, then year by year every item's targets,
 * results and evaluations, then next year's plans. The items are decided on
 * the way, in memory, with the real deciders: a printed grade the rule would
 * not give gets the seed's reason, and the same pass yields the grade checks.
 */
export function seedCommands(seed: PlanSeed): { commands: SeedCommand[]; checks: GradeCheck[] } {
  const commands: SeedCommand[] = [];
  const checks: GradeCheck[] = [];
  const id = (key: string) => uuidv5(`${seed.planId}/${key}`, SEED_NAMESPACE);
  const reason = seed.source?.reason ?? DEFAULT_REASON;
  const structureTime = startOf(seed.firstFiscalYear);

  const plan = (key: string, command: PlanCommand) =>
    commands.push({ target: 'plan', planId: seed.planId, command, commandId: id(`plan/${key}`), occurredAt: structureTime, label: command.type });
  plan('register', {
    type: 'RegisterPlan',
    planId: seed.planId,
    name: seed.name,
    firstFiscalYear: seed.firstFiscalYear,
    lastFiscalYear: seed.lastFiscalYear,
    gradingRule: seed.gradingRule,
  });
  for (const area of seed.policyAreas) plan(`policy-area/${area.policyAreaId}`, { type: 'AddPolicyArea', ...area });
  for (const basicItem of seed.basicItems) plan(`basic-item/${basicItem.basicItemId}`, { type: 'AddBasicItem', ...basicItem });

  const states = new Map<string, ItemState>();
  const problems: SeedProblem[] = [];
  /** Decides a command on the item's state; an item refused once is left out from then on. */
  const decide = (item: SeedItem, command: ItemCommand): boolean => {
    const state = states.get(item.itemId);
    if (!state) return false;
    try {
      states.set(item.itemId, itemDecider.decide(command, state).reduce(itemDecider.evolve, state));
      return true;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const year = 'fiscalYear' in command ? ` FY${command.fiscalYear}` : '';
      problems.push({ file: item.file, path: item.path, message: `${command.type}${year}: ${error.message} (${error.rule}${error.field ? `, ${error.field}` : ''})` });
      states.delete(item.itemId);
      return false;
    }
  };
  const send = (item: SeedItem, key: string, occurredAt: Date, command: Exclude<ItemCommand, { type: 'RegisterItem' }>) => {
    if (decide(item, command)) {
      commands.push({ target: 'item', itemId: item.itemId, command, commandId: id(`item/${item.itemId}/${key}`), occurredAt, label: command.type });
    }
  };

  for (const item of seed.items) {
    const registration: Extract<ItemCommand, { type: 'RegisterItem' }> = {
      type: 'RegisterItem',
      itemId: item.itemId,
      planId: seed.planId,
      basicItemId: item.basicItemId,
      number: item.number,
      planPeriod: { firstFiscalYear: seed.firstFiscalYear, lastFiscalYear: seed.lastFiscalYear },
      gradingRule: seed.gradingRule,
      title: item.title,
      // Resolved to division ids by the loader; the deciders only need there to be some.
      divisionIds: item.divisions,
      description: item.description,
      schedulePhases: item.schedulePhases,
      ...(item.goal ? { qualitativeGoal: item.goal } : {}),
    };
    states.set(item.itemId, itemDecider.initialState());
    if (!decide(item, registration)) continue;
    commands.push({
      target: 'register-item',
      command: registration,
      divisions: item.divisions,
      commandId: id(`item/${item.itemId}/register`),
      occurredAt: structureTime,
      label: 'RegisterItem',
    });
    for (const { targets: _targets, actuals: _actuals, grades: _grades, ...indicator } of item.indicators) {
      send(item, `indicator/${indicator.indicatorId}`, structureTime, { type: 'DefineIndicator', ...indicator });
    }
  }

  const lastReported = Math.max(seed.firstFiscalYear - 1, ...seed.items.flatMap((item) => [...item.grades.keys(), ...item.results.keys()]));
  for (let fiscalYear = seed.firstFiscalYear; fiscalYear <= lastReported; fiscalYear++) {
    for (const item of seed.items) {
      const values = (pick: 'targets' | 'actuals') =>
        item.indicators.flatMap((indicator) => {
          const value = indicator[pick].get(fiscalYear);
          return value === undefined ? [] : [{ indicatorId: indicator.indicatorId, value }];
        });
      const targets = values('targets');
      const goalText = item.goals.get(fiscalYear);
      if (targets.length > 0 || goalText) {
        send(item, `${fiscalYear}/targets`, startOf(fiscalYear), { type: 'SetTarget', fiscalYear, targets, ...(goalText ? { goalText } : {}) });
      }
      const actuals = values('actuals');
      const printed = item.grades.get(fiscalYear);
      const results = item.results.get(fiscalYear);
      if (actuals.length === 0 && !results && !printed) continue;
      send(item, `${fiscalYear}/actuals`, springSubmission(fiscalYear), {
        type: 'SubmitActual',
        fiscalYear,
        actuals,
        narrative: results ?? noResultsPrinted(seed, fiscalYear),
        evidenceLinks: [],
      });
      checks.push(...indicatorChecks(item, fiscalYear, seed));
      if (!printed) continue;
      const state = states.get(item.itemId);
      if (!state) continue;
      const computed = suggestedGrade(state, fiscalYear);
      const differs = computed !== undefined && computed.grade !== printed;
      checks.push({ ...describeItem(item), fiscalYear, printed, ...(computed ? { computed } : {}), differs, notes: item.notes });
      send(item, `${fiscalYear}/self-evaluation`, springSubmission(fiscalYear), { type: 'SubmitEvaluation', fiscalYear, grade: printed, comment: '' });
      send(item, `${fiscalYear}/approval`, springApproval(fiscalYear), {
        type: 'ApproveEvaluation',
        fiscalYear,
        grade: printed,
        comment: '',
        ...(differs ? { reason } : {}),
      });
    }
  }

  for (const item of seed.items) {
    for (let fiscalYear = lastReported + 1; fiscalYear <= seed.lastFiscalYear; fiscalYear++) {
      const planText = item.plans.get(fiscalYear);
      const nextTargets = item.indicators.flatMap((indicator) => {
        const value = indicator.targets.get(fiscalYear);
        return value === undefined ? [] : [{ indicatorId: indicator.indicatorId, value }];
      });
      const when = springApproval(fiscalYear - 1);
      if (planText) {
        send(item, `${fiscalYear}/next-year-plan`, when, { type: 'SetNextYearPlan', fiscalYear, planText, nextTargets });
      } else if (nextTargets.length > 0) {
        send(item, `${fiscalYear}/targets`, when, { type: 'SetTarget', fiscalYear, targets: nextTargets });
      }
    }
  }
  if (problems.length > 0) throw new SeedFormatError(problems);
  return { commands, checks };
}

function describeItem(item: SeedItem) {
  return { itemId: item.itemId, basicItemId: item.basicItemId, number: item.number, title: item.title };
}

/** Where the report prints a grade per indicator, each beside the rate its own figures give. */
function indicatorChecks(item: SeedItem, fiscalYear: number, seed: PlanSeed): GradeCheck[] {
  return item.indicators.flatMap((indicator) => {
    const printed = indicator.grades.get(fiscalYear);
    if (!printed) return [];
    const state = {
      ...itemDecider.initialState(),
      gradingRule: seed.gradingRule,
      indicators: [indicator],
      years: {
        [fiscalYear]: {
          targets: { [indicator.indicatorId]: indicator.targets.get(fiscalYear)! },
          actuals: { [indicator.indicatorId]: indicator.actuals.get(fiscalYear)! },
          evidenceLinks: [],
          evaluation: { status: 'open' as const },
        },
      },
    };
    const targetAndActual = indicator.targets.has(fiscalYear) && indicator.actuals.has(fiscalYear);
    const computed = targetAndActual ? suggestedGrade(state, fiscalYear) : undefined;
    return [
      {
        ...describeItem(item),
        indicator: indicator.name,
        fiscalYear,
        printed,
        ...(computed ? { computed } : {}),
        differs: computed !== undefined && computed.grade !== printed,
        notes: [],
      },
    ];
  });
}

function noResultsPrinted(seed: PlanSeed, fiscalYear: number): string {
  const source = seed.source ? `「${seed.source.title}」` : 'シード';
  return `（${source}には${formatFiscalYear(fiscalYear)}の取組実績の記述がありません。実績値と評価のみ取り込みました。）`;
}
