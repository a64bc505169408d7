import { DomainError, ItemCommand, itemDecider, itemStreamId } from '@app/domain';
import { EventStore, RecordedEvent } from '@app/event-store';
import {
  ReviewCycleEvent,
  SubmissionEvent,
  SubmissionState,
  addWorkingDays,
  endOfDay,
  itemCommandsFor,
  reviewCycleDecider,
  startOfDay,
  submissionDecider,
} from '@app/workflow';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { v5 as uuidv5 } from 'uuid';
import { actionContext } from '../context/request-context';
import { CommandExecutor } from '../events/command-executor';
import { StreamStates } from '../events/stream-states';
import { ChangeItem } from '../plan/plan.commands';
import { CheckpointedFollower } from './checkpointed-follower';
import { ChangeReviewCycle, ChangeSubmission, ReviewCycles } from './review.commands';

const NAME = 'review-workflow';
const COMMAND_NAMESPACE = '9d1f6f0e-2c5b-4a8e-b7e3-51c0a6d2e4f7';

/**
 * Reacts to the workflow's events as they are stored, from its checkpoint:
 * opening a stage creates every item's task and the stage's timers; a spring
 * submission, return, reopening and approval become the item's own evaluation
 * commands, an autumn approval its next-year plan; the last approval closes the
 * stage. Each command it sends has an id derived from the event it reacts to, so
 * a redelivered event (a restart before the checkpoint moved) changes nothing.
 */
@Injectable()
export class ReviewProcessManager implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReviewWorkflow');
  private readonly follower: CheckpointedFollower;

  constructor(
    eventStore: EventStore,
    private readonly states: StreamStates,
    @InjectDataSource() private readonly database: DataSource,
    private readonly commands: CommandBus,
    private readonly executor: CommandExecutor,
    private readonly cycles: ReviewCycles,
  ) {
    this.follower = new CheckpointedFollower(
      NAME,
      eventStore,
      database,
      (event) => event.streamId.startsWith('review-') || event.streamId.startsWith('submission-'),
      (event) => this.react(event),
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.follower.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.follower.stop();
  }

  /** Resolves once every event up to `position` has been reacted to. */
  waitFor(position: number): Promise<void> {
    return this.follower.waitFor(position);
  }

  private async react(event: RecordedEvent): Promise<void> {
    if (event.streamId.startsWith('review-')) return this.onCycleEvent(event, event as unknown as ReviewCycleEvent);
    return this.onSubmissionEvent(event, event as unknown as SubmissionEvent);
  }

  private async onCycleEvent(recorded: RecordedEvent, event: ReviewCycleEvent): Promise<void> {
    const { state: cycle } = await this.states.load(recorded.streamId, reviewCycleDecider);
    const { planId, fiscalYear } = cycle;
    switch (event.type) {
      case 'StageOpened': {
        const { stage, itemIds, deadline, reminderWorkingDays } = event.data;
        for (const itemId of itemIds) {
          const { state: item } = await this.states.load(itemStreamId(itemId), itemDecider);
          await this.send(recorded, itemId, new ChangeSubmission(planId, fiscalYear, stage, itemId, {
            type: 'CreateTask',
            planId,
            fiscalYear,
            stage,
            itemId,
            divisionIds: item.divisionIds,
          }));
        }
        await this.schedule(planId, fiscalYear, stage, deadline, reminderWorkingDays);
        return;
      }
      case 'DeadlineExtended':
        await this.cancelTimers(planId, fiscalYear, event.data.stage, event.data.previousDeadline);
        await this.schedule(planId, fiscalYear, event.data.stage, event.data.deadline, cycle.stages[event.data.stage].reminderWorkingDays ?? 0);
        return;
      case 'StageClosed':
        await this.cancelTimers(planId, fiscalYear, event.data.stage);
        return;
    }
  }

  private async onSubmissionEvent(recorded: RecordedEvent, event: SubmissionEvent): Promise<void> {
    const { state: submission } = await this.states.load(recorded.streamId, submissionDecider);
    const commands = itemCommandsFor(submission, event);
    if (commands.length > 0) await this.sendToItem(recorded, submission.itemId, commands);
    if (event.type === 'SubmissionApproved') await this.completeStageIfDone(recorded, submission);
  }

  /** Approving the last item of an open stage closes it. */
  private async completeStageIfDone(recorded: RecordedEvent, submission: SubmissionState): Promise<void> {
    const { planId, fiscalYear, stage } = submission;
    const { state: cycle } = await this.cycles.load(planId, fiscalYear);
    if (cycle.stages[stage].status !== 'open') return;
    if ((await this.cycles.unapproved(planId, fiscalYear, stage)).length > 0) return;
    await this.send(recorded, 'close-stage', new ChangeReviewCycle(planId, fiscalYear, { type: 'CloseStage', stage }));
  }

  /** Several item commands appended together, under one id derived from the event. */
  private async sendToItem(recorded: RecordedEvent, itemId: string, commands: Exclude<ItemCommand, { type: 'RegisterItem' }>[]): Promise<void> {
    await this.inContextOf(recorded, 'item', async () => {
      try {
        await this.executor.execute(itemStreamId(itemId), itemDecider, commands);
      } catch (error) {
        this.refused(recorded, error);
      }
    });
  }

  private async send(recorded: RecordedEvent, key: string, command: object): Promise<void> {
    await this.inContextOf(recorded, key, async () => {
      try {
        await this.commands.execute(command);
      } catch (error) {
        this.refused(recorded, error);
      }
    });
  }

  /** The reaction acts for whoever caused the event, under the event's correlation, caused by it. */
  private inContextOf<T>(recorded: RecordedEvent, key: string, work: () => Promise<T>): Promise<T> {
    return actionContext.run(
      {
        correlationId: () => recorded.metadata.correlationId,
        actor: recorded.metadata.actor,
        commandId: uuidv5(`${recorded.id}/${key}`, COMMAND_NAMESPACE),
        causationId: recorded.id,
      },
      work,
    );
  }

  /** A refusal by a decider will not change on retry: it is logged, and the reaction moves on. */
  private refused(recorded: RecordedEvent, error: unknown): void {
    if (!(error instanceof DomainError)) throw error;
    this.logger.error(`reacting to ${recorded.type} at position ${recorded.globalPosition} was refused: ${error.rule} ${error.message}`);
  }

  private async schedule(planId: string, fiscalYear: number, stage: string, deadline: string, reminderWorkingDays: number): Promise<void> {
    const timers = [
      ...(reminderWorkingDays > 0 ? [{ kind: 'reminder', fireAt: startOfDay(addWorkingDays(deadline, -reminderWorkingDays)) }] : []),
      { kind: 'overdue', fireAt: endOfDay(deadline) },
    ];
    for (const { kind, fireAt } of timers) {
      await this.database.query(
        `INSERT INTO review_timers (timer_id, plan_id, fiscal_year, stage, kind, deadline, fire_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (timer_id) DO NOTHING`,
        [`${planId}/${fiscalYear}/${stage}/${kind}/${deadline}`, planId, fiscalYear, stage, kind, deadline, fireAt],
      );
    }
  }

  /** Timers of a superseded deadline, or of a closed stage, are marked done without firing. */
  private async cancelTimers(planId: string, fiscalYear: number, stage: string, deadline?: string): Promise<void> {
    await this.database.query(
      `UPDATE review_timers SET fired_at = now()
        WHERE plan_id = $1 AND fiscal_year = $2 AND stage = $3 AND fired_at IS NULL AND ($4::date IS NULL OR deadline = $4::date)`,
      [planId, fiscalYear, stage, deadline ?? null],
    );
  }
}

