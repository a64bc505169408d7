import { Decider, DomainEvent, ItemCommand, PlanCommand, itemDecider, planDecider } from '@app/domain';
import type { NewEvent } from '@app/event-store';
import { random } from '../../test/support/plan-event-generator';

export interface GeneratedStream {
  streamId: string;
  events: NewEvent[];
}

export interface CityOptions {
  cities: number;
  itemsPerCity: number;
  fiscalYears: number;
  seed: number;
}

const FIRST_FISCAL_YEAR = 2018;
const GRADING_RULE = { id: 'ube-achievement-rate', version: 1 };
const POLICY_AREAS = ['サービス改革', '業務改革', '組織改革'];

/**
 * Many cities' reform plans, year after year, as their departments and
 * reviewers would have made them: every event is decided by the real deciders
 * from a command, so every projection accepts it. Per city a plan with three
 * policy areas; per item its registration and indicator, then each fiscal year
 * a target, an actual, a self-assessment (now and then returned and
 * resubmitted), next year's plan and the approval: about 55 events an item.
 * Streams come out one city at a time, so a caller can write them as they come.
 */
export function* generateCities({ cities, itemsPerCity, fiscalYears, seed }: CityOptions): Generator<GeneratedStream> {
  const next = random(seed);
  let sequence = 0;
  const occurredAt = (fiscalYear: number, month: number) => new Date(Date.UTC(fiscalYear + 1, month, 1 + Math.floor(next() * 27))).toISOString();
  function decideAll<State, Command, Event extends DomainEvent>(
    decider: Decider<State, Command, Event>,
    steps: Array<{ command: Command; actor: { userId: string; role: string }; at: string }>,
  ): NewEvent[] {
    let state = decider.initialState();
    const events: NewEvent[] = [];
    for (const { command, actor, at } of steps) {
      for (const event of decider.decide(command, state)) {
        state = decider.evolve(state, event);
        const commandId = `generated-${seed}-${++sequence}`;
        events.push({
          type: event.type,
          schemaVersion: 1,
          data: event.data,
          metadata: { commandId, correlationId: commandId, causationId: commandId, actor, occurredAt: at },
        });
      }
    }
    return events;
  }
  const lastFiscalYear = FIRST_FISCAL_YEAR + fiscalYears - 1;
  const planPeriod = { firstFiscalYear: FIRST_FISCAL_YEAR, lastFiscalYear };
  const administrator = { userId: 'generator', role: 'administrator' };
  const reviewer = { userId: 'reviewer', role: 'reviewer' };

  for (let city = 1; city <= cities; city++) {
    const planId = `city-${city}`;
    const planSteps: Array<{ command: PlanCommand; actor: typeof administrator; at: string }> = [
      { command: { type: 'RegisterPlan', planId, name: `市${city} 行政改革推進計画`, ...planPeriod, gradingRule: GRADING_RULE }, actor: administrator, at: occurredAt(FIRST_FISCAL_YEAR - 1, 0) },
    ];
    POLICY_AREAS.forEach((title, index) => {
      planSteps.push({ command: { type: 'AddPolicyArea', policyAreaId: `pa-${index + 1}`, number: index + 1, title }, actor: administrator, at: occurredAt(FIRST_FISCAL_YEAR - 1, 0) });
      planSteps.push({ command: { type: 'AddBasicItem', basicItemId: `bi-${index + 1}`, policyAreaId: `pa-${index + 1}`, title: `${title}の推進` }, actor: administrator, at: occurredAt(FIRST_FISCAL_YEAR - 1, 0) });
    });
    yield { streamId: `plan-${planId}`, events: decideAll(planDecider, planSteps) };

    for (let item = 1; item <= itemsPerCity; item++) {
      const itemId = `${planId}-${item}`;
      const division = `${planId}-div-${1 + Math.floor(next() * 12)}`;
      const staff = { userId: `${division}-staff`, role: 'department_staff' };
      const direction = next() < 0.8 ? 'higher' : 'lower';
      const steps: Array<{ command: ItemCommand; actor: { userId: string; role: string }; at: string }> = [
        {
          command: {
            type: 'RegisterItem', itemId, planId, basicItemId: `bi-${1 + (item % POLICY_AREAS.length)}`, number: item, planPeriod, gradingRule: GRADING_RULE,
            title: `個別項目 ${item}`, divisionIds: [division], description: '窓口と手続の見直し', schedulePhases: [],
          },
          actor: administrator,
          at: occurredAt(FIRST_FISCAL_YEAR - 1, 1),
        },
        { command: { type: 'DefineIndicator', indicatorId: 'ind-1', name: '件数', unit: '件', direction, kind: 'annual' }, actor: administrator, at: occurredAt(FIRST_FISCAL_YEAR - 1, 1) },
      ];
      let target = 1000 + Math.round(next() * 4000);
      for (let fiscalYear = FIRST_FISCAL_YEAR; fiscalYear <= lastFiscalYear; fiscalYear++) {
        const actual = Math.round(target * (0.6 + next() * 0.6));
        const submitted: ItemCommand = { type: 'SubmitActual', fiscalYear, actuals: [{ indicatorId: 'ind-1', value: actual }], narrative: `取組の実績 ${actual}件`, evidenceLinks: [] };
        steps.push({ command: { type: 'SetTarget', fiscalYear, targets: [{ indicatorId: 'ind-1', value: target }] }, actor: reviewer, at: occurredAt(fiscalYear - 1, 2) });
        steps.push({ command: submitted, actor: staff, at: occurredAt(fiscalYear, 3) });
        steps.push({ command: { type: 'SubmitEvaluation', fiscalYear, grade: 'achieved', comment: '' }, actor: staff, at: occurredAt(fiscalYear, 3) });
        if (next() < 0.15) {
          steps.push({ command: { type: 'ReturnEvaluation', fiscalYear, reason: '根拠資料を添えてください' }, actor: reviewer, at: occurredAt(fiscalYear, 4) });
          steps.push({ command: submitted, actor: staff, at: occurredAt(fiscalYear, 4) });
          steps.push({ command: { type: 'SubmitEvaluation', fiscalYear, grade: 'achieved', comment: '資料を追加' }, actor: staff, at: occurredAt(fiscalYear, 4) });
        }
        if (fiscalYear < lastFiscalYear) {
          steps.push({ command: { type: 'SetNextYearPlan', fiscalYear, planText: '対象手続を広げる', nextTargets: [] }, actor: staff, at: occurredAt(fiscalYear, 4) });
        }
        steps.push({ command: { type: 'ApproveEvaluation', fiscalYear, grade: 'achieved', comment: '', reason: '審査会の判断による' }, actor: reviewer, at: occurredAt(fiscalYear, 5) });
        target = Math.round(target * (0.95 + next() * 0.2));
      }
      yield { streamId: `item-${itemId}`, events: decideAll(itemDecider, steps) };
    }
  }
}
