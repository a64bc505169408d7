import { StageKind } from '@app/workflow';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { v5 as uuidv5 } from 'uuid';
import { actionContext } from '../context/request-context';
import { Clock } from './clock';
import { ChangeSubmission, ReviewCycles } from './review.commands';

export const REVIEW_TIMER_INTERVAL = Symbol('REVIEW_TIMER_INTERVAL');
const TIMER_NAMESPACE = '3b0c2f7e-8a41-4d55-9f0a-c7e2d6b1a984';
const TIMER_ACTOR = { userId: 'system:review-timer', role: 'system' };

interface TimerRow {
  timer_id: string;
  plan_id: string;
  fiscal_year: number;
  stage: StageKind;
  kind: 'reminder' | 'overdue';
  deadline: string;
  fire_at: Date;
}

/**
 * Fires the deadline timers that have come due by the clock: a reminder to every
 * item of the stage not yet submitted, or an overdue mark. It runs at start-up,
 * so a deadline that passed while the server was down fires then, and every
 * interval after. Each item's reminder or mark is a command with an id derived
 * from the timer, and the submission records each deadline once.
 */
@Injectable()
export class ReviewTimers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReviewTimers');
  private interval?: NodeJS.Timeout;
  private firing: Promise<number> = Promise.resolve(0);

  constructor(
    @InjectDataSource() private readonly database: DataSource,
    private readonly commands: CommandBus,
    private readonly cycles: ReviewCycles,
    private readonly clock: Clock,
    @Inject(REVIEW_TIMER_INTERVAL) private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    void this.fireDue();
    this.interval = setInterval(() => void this.fireDue(), this.intervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.interval);
    await this.firing;
  }

  /** Fires every due timer once; answers how many fired. One run at a time. */
  fireDue(): Promise<number> {
    this.firing = this.firing.then(() => this.fireDueNow()).catch((error) => {
      this.logger.error(`firing review timers failed: ${String(error)}`);
      return 0;
    });
    return this.firing;
  }

  private async fireDueNow(): Promise<number> {
    const now = this.clock.now();
    const due: TimerRow[] = await this.database.query(
      `SELECT timer_id, plan_id, fiscal_year, stage, kind, to_char(deadline, 'YYYY-MM-DD') AS deadline, fire_at
         FROM review_timers WHERE fired_at IS NULL AND fire_at <= $1 ORDER BY fire_at, timer_id`,
      [now],
    );
    for (const timer of due) {
      const { state: cycle } = await this.cycles.load(timer.plan_id, timer.fiscal_year);
      for (const itemId of cycle.stages[timer.stage].itemIds ?? []) {
        await actionContext.run(
          {
            correlationId: () => timer.timer_id,
            actor: TIMER_ACTOR,
            commandId: uuidv5(`${timer.timer_id}/${itemId}`, TIMER_NAMESPACE),
            occurredAt: timer.fire_at,
          },
          () =>
            this.commands.execute(
              new ChangeSubmission(timer.plan_id, timer.fiscal_year, timer.stage, itemId, {
                type: timer.kind === 'overdue' ? 'MarkOverdue' : 'RecordReminder',
                deadline: timer.deadline,
              }),
            ),
        );
      }
      await this.database.query(`UPDATE review_timers SET fired_at = $2 WHERE timer_id = $1`, [timer.timer_id, now]);
      this.logger.log(`${timer.kind === 'overdue' ? '期限超過の記録' : '督促'}: ${timer.plan_id} ${timer.fiscal_year}年度 ${timer.stage}（期限 ${timer.deadline}）`);
    }
    return due.length;
  }
}
