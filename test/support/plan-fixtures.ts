import { ItemCommand } from '@app/domain';
import { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { SYSTEM_ACTOR, runAs } from '../../apps/server/src/context/request-context';
import { ChangeItem, ChangePlan, RegisterItem } from '../../apps/server/src/plan/plan.commands';

export type ItemStage = 'registered' | 'reported' | 'submitted' | 'approved';

/** Plans and items in a given state, made through the command bus as the system would. */
export class PlanFixtures {
  constructor(private readonly app: INestApplication) {}

  private run(command: object): Promise<unknown> {
    return runAs(SYSTEM_ACTOR, () => this.app.get(CommandBus).execute(command));
  }

  /** A plan FY2018–FY2021 with one policy area and one basic item. */
  async plan(): Promise<{ planId: string; policyAreaId: string; basicItemId: string }> {
    const planId = `plan-${randomUUID().slice(0, 8)}`;
    const policyAreaId = 'pa-1';
    const basicItemId = 'bi-1';
    await this.run(
      new ChangePlan(planId, {
        type: 'RegisterPlan',
        planId,
        name: 'テスト計画',
        firstFiscalYear: 2018,
        lastFiscalYear: 2021,
        gradingRule: { id: 'ube-achievement-rate', version: 1 },
      }),
    );
    await this.run(new ChangePlan(planId, { type: 'AddPolicyArea', policyAreaId, number: 1, title: 'サービス改革' }));
    await this.run(new ChangePlan(planId, { type: 'AddBasicItem', basicItemId, policyAreaId, title: '行政サービスの質的向上' }));
    return { planId, policyAreaId, basicItemId };
  }

  /**
   * An item of the divisions with indicator "ind-1" (件, higher is better) and a
   * FY2020 target of 100, brought to the stage asked for: reported (actual 90 and
   * results), submitted (self-assessed 概ね達成) or approved.
   */
  async item(planId: string, divisionIds: string[], stage: ItemStage = 'registered'): Promise<string> {
    const itemId = `item-${randomUUID().slice(0, 8)}`;
    await this.run(
      new RegisterItem({
        type: 'RegisterItem',
        itemId,
        planId,
        basicItemId: 'bi-1',
        number: 1,
        title: '窓口のワンストップ化',
        divisionIds,
        description: '',
        schedulePhases: [],
      }),
    );
    const steps: Array<Exclude<ItemCommand, { type: 'RegisterItem' }>> = [
      { type: 'DefineIndicator', indicatorId: 'ind-1', name: '電子申請件数', unit: '件', direction: 'higher', kind: 'annual' },
      { type: 'SetTarget', fiscalYear: 2020, targets: [{ indicatorId: 'ind-1', value: 100 }] },
    ];
    if (stage !== 'registered') {
      steps.push({ type: 'SubmitActual', fiscalYear: 2020, actuals: [{ indicatorId: 'ind-1', value: 90 }], narrative: '実施した', evidenceLinks: [] });
    }
    if (stage === 'submitted' || stage === 'approved') {
      steps.push({ type: 'SubmitEvaluation', fiscalYear: 2020, grade: 'mostly_achieved', comment: '' });
    }
    if (stage === 'approved') {
      steps.push({ type: 'ApproveEvaluation', fiscalYear: 2020, grade: 'mostly_achieved', comment: '' });
    }
    for (const command of steps) await this.run(new ChangeItem(itemId, command));
    return itemId;
  }
}
