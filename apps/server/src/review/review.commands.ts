import { DomainError, itemDecider, itemStreamId, yearOf } from '@app/domain';
import {
  REVIEW_STAGES,
  ReviewCycleCommand,
  StageKind,
  SubmissionCommand,
  itemCommandsFor,
  japanDate,
  requireOpen,
  reviewCycleDecider,
  reviewCycleStreamId,
  submissionDecider,
  submissionStreamId,
} from '@app/workflow';
import { Injectable } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor, CommandResult } from '../events/command-executor';
import { StreamStates } from '../events/stream-states';
import { PlanReader } from '../plan/plan.commands';
import { Clock } from './clock';
import { ItemStatusReader } from './item-status-reader';

/** A command on a plan's review cycle for one fiscal year (open it, open/extend/close a stage). */
export class ChangeReviewCycle {
  constructor(
    readonly planId: string,
    readonly fiscalYear: number,
    readonly command:
      | { type: 'OpenReviewCycle' }
      | { type: 'OpenStage'; stage: StageKind; deadline: string; reminderWorkingDays?: number; itemIds?: string[] }
      | { type: 'ExtendDeadline'; stage: StageKind; deadline: string; reason: string }
      | { type: 'CloseStage'; stage: StageKind; reason?: string },
    readonly ifMatch?: number,
  ) {}
}

/** A command on one item's submission in one stage. */
export class ChangeSubmission {
  constructor(
    readonly planId: string,
    readonly fiscalYear: number,
    readonly stage: StageKind,
    readonly itemId: string,
    readonly command:
      | { type: 'SaveDraft'; content: Record<string, unknown>; by: string }
      | { type: 'SubmitForReview'; by: string }
      | Extract<SubmissionCommand, { type: 'ApproveSubmission' | 'ReturnSubmission' | 'ReopenSubmission' | 'MarkOverdue' | 'RecordReminder' | 'CreateTask' }>,
    readonly ifMatch?: number,
  ) {}
}

@Injectable()
export class ReviewCycles {
  constructor(private readonly states: StreamStates) {}

  async load(planId: string, fiscalYear: number) {
    return this.states.load(reviewCycleStreamId(planId, fiscalYear), reviewCycleDecider);
  }

  /** The cycle, refused unless it and the stage are open: where departments' work is accepted. */
  async openStage(planId: string, fiscalYear: number, stage: StageKind) {
    const cycle = await this.load(planId, fiscalYear);
    if (cycle.state.status !== 'open') throw new DomainError('not_found', 'review_cycle.not_found', 'この年度のレビューは開始されていません');
    requireOpen(cycle.state.stages[stage], stage);
    return cycle;
  }

  async submission(planId: string, fiscalYear: number, stage: StageKind, itemId: string) {
    return this.states.load(submissionStreamId(planId, fiscalYear, stage, itemId), submissionDecider);
  }

  /** The items of a stage not yet approved. */
  async unapproved(planId: string, fiscalYear: number, stage: StageKind): Promise<string[]> {
    const { state } = await this.load(planId, fiscalYear);
    const itemIds = state.stages[stage].itemIds ?? [];
    const statuses = await Promise.all(itemIds.map(async (itemId) => (await this.submission(planId, fiscalYear, stage, itemId)).state.status));
    return itemIds.filter((_, index) => statuses[index] !== 'approved');
  }
}

@CommandHandler(ChangeReviewCycle)
export class ChangeReviewCycleHandler implements ICommandHandler<ChangeReviewCycle, CommandResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly cycles: ReviewCycles,
    private readonly items: ItemStatusReader,
    private readonly plans: PlanReader,
    private readonly clock: Clock,
  ) {}

  async execute({ planId, fiscalYear, command, ifMatch }: ChangeReviewCycle): Promise<CommandResult> {
    let decided: ReviewCycleCommand;
    switch (command.type) {
      case 'OpenReviewCycle':
        await this.plans.registered(planId);
        decided = { type: 'OpenReviewCycle', planId, fiscalYear };
        break;
      case 'OpenStage': {
        const active = await this.items.activeItemIds(planId);
        const unknown = (command.itemIds ?? []).filter((itemId) => !active.includes(itemId));
        if (unknown.length > 0) {
          throw new DomainError('not_found', 'item.not_found', `計画にない、または廃止された個別項目です: ${unknown.join(', ')}`, 'itemIds');
        }
        decided = { ...command, itemIds: command.itemIds ?? active, today: japanDate(this.clock.now()) };
        break;
      }
      case 'CloseStage':
        decided = { ...command, unapprovedItems: (await this.cycles.unapproved(planId, fiscalYear, command.stage)).length };
        break;
      default:
        decided = command;
    }
    return this.executor.execute(reviewCycleStreamId(planId, fiscalYear), reviewCycleDecider, decided, { expectedVersion: ifMatch });
  }
}

@CommandHandler(ChangeSubmission)
export class ChangeSubmissionHandler implements ICommandHandler<ChangeSubmission, CommandResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly cycles: ReviewCycles,
    private readonly states: StreamStates,
  ) {}

  async execute({ planId, fiscalYear, stage, itemId, command, ifMatch }: ChangeSubmission): Promise<CommandResult> {
    // Timers and the process manager also act after a stage has closed (late reminders are dropped there).
    if (command.type !== 'CreateTask' && command.type !== 'MarkOverdue' && command.type !== 'RecordReminder') {
      await this.cycles.openStage(planId, fiscalYear, stage);
    }
    const decided: SubmissionCommand =
      command.type === 'SaveDraft' || command.type === 'SubmitForReview'
        ? ({ ...command, indicatorIds: await this.indicatorIds(itemId) } as SubmissionCommand)
        : command;
    if (decided.type === 'ApproveSubmission') await this.requireItemAccepts(planId, fiscalYear, stage, itemId, decided);
    return this.executor.execute(submissionStreamId(planId, fiscalYear, stage, itemId), submissionDecider, decided, {
      expectedVersion: ifMatch,
    });
  }

  /**
   * An approval the item would refuse (a grade other than the rule's without a
   * reason, a year locked or outside the plan) is refused here, with the item's
   * rule, before anything is written: the process manager could not apply it later.
   */
  private async requireItemAccepts(planId: string, fiscalYear: number, stage: StageKind, itemId: string, command: SubmissionCommand): Promise<void> {
    const { state: submission } = await this.cycles.submission(planId, fiscalYear, stage, itemId);
    const approval = submissionDecider.decide(command, submission);
    let { state: item } = await this.states.load(itemStreamId(itemId), itemDecider);
    const apply = (commands: ReturnType<typeof itemCommandsFor>) => {
      for (const itemCommand of commands) item = itemDecider.decide(itemCommand, item).reduce(itemDecider.evolve, item);
    };
    // The process manager may not have applied the submission to the item yet.
    const reportedYear = fiscalYear + REVIEW_STAGES[stage].reportedYearOffset;
    if (!['submitted', 'reopened'].includes(yearOf(item, reportedYear).evaluation.status)) {
      apply(itemCommandsFor(submission, { type: 'SubmittedForReview', data: { content: submission.content, by: submission.submittedBy ?? '' } }));
    }
    for (const event of approval) apply(itemCommandsFor(submission, event));
  }

  private async indicatorIds(itemId: string): Promise<string[]> {
    const { state } = await this.states.load(itemStreamId(itemId), itemDecider);
    return state.indicators.map((indicator) => indicator.indicatorId);
  }
}

export const reviewCommandHandlers = [ChangeReviewCycleHandler, ChangeSubmissionHandler];
