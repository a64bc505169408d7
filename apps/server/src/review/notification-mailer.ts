import { itemDecider, itemStreamId } from '@app/domain';
import { EventStore, RecordedEvent } from '@app/event-store';
import { REVIEW_STAGES, SubmissionEvent, notificationMessage, submissionDecider } from '@app/workflow';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createTransport, Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import { StreamStates } from '../events/stream-states';
import { IdentityDirectory } from '../identity/identity-directory';
import { CheckpointedFollower } from './checkpointed-follower';

export const MAIL_SETTINGS = Symbol('MAIL_SETTINGS');

export interface MailSettings {
  /** smtp://host:port (or smtps://…); without it the workflow notifies in the app only. */
  smtpUrl?: string;
  from: string;
}

/** The workflow's notifications that are worth a mail: not approvals, which the inbox shows. */
const MAILED: ReadonlySet<SubmissionEvent['type']> = new Set(['TaskCreated', 'ReminderSent', 'SubmissionReturned', 'SubmissionOverdue']);

/**
 * The e-mail channel of the workflow's notifications: for each new task,
 * reminder, return and overdue mark, a mail to every active department-staff
 * member of the item's divisions who has an address. It follows the store from
 * its own checkpoint; a mail is recorded per event and recipient before it is
 * sent, and un-recorded if sending fails, so a redelivered event mails no one twice.
 */
@Injectable()
export class NotificationMailer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('NotificationMailer');
  private readonly follower?: CheckpointedFollower;
  private readonly transport?: Transporter;

  constructor(
    eventStore: EventStore,
    private readonly states: StreamStates,
    @InjectDataSource() private readonly database: DataSource,
    private readonly directory: IdentityDirectory,
    @Inject(MAIL_SETTINGS) private readonly settings: MailSettings,
  ) {
    if (!settings.smtpUrl) return;
    this.transport = createTransport(settings.smtpUrl);
    this.follower = new CheckpointedFollower(
      'review-mail',
      eventStore,
      database,
      (event) => event.streamId.startsWith('submission-') && MAILED.has(event.type as SubmissionEvent['type']),
      (event) => this.react(event),
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.follower?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.follower?.stop();
    this.transport?.close();
  }

  /** Resolves once every event up to `position` has been mailed about (at once when mail is off). */
  async waitFor(position: number): Promise<void> {
    await this.follower?.waitFor(position);
  }

  private async react(recorded: RecordedEvent): Promise<void> {
    const event = recorded as unknown as SubmissionEvent;
    const { state: submission } = await this.states.load(recorded.streamId, submissionDecider);
    const message = notificationMessage(submission.stage, event)!;
    const { state: item } = await this.states.load(itemStreamId(submission.itemId), itemDecider);
    const recipients = this.directory
      .allUsers()
      .filter((user) => user.status === 'active' && user.email)
      .filter((user) => (user.roles.department_staff ?? []).some((divisionId) => submission.divisionIds.includes(divisionId)));
    for (const user of recipients) {
      const [claimed] = await this.database.query(
        `INSERT INTO sent_notifications (event_id, recipient) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
        [recorded.id, user.email],
      );
      if (!claimed) continue;
      try {
        await this.transport!.sendMail({
          from: this.settings.from,
          to: user.email,
          subject: `【${REVIEW_STAGES[submission.stage].label}】${item.title}`,
          text: [
            `${user.displayName} 様`,
            '',
            message,
            '',
            `計画: ${submission.planId}　年度: ${submission.fiscalYear}　個別項目: ${item.number}. ${item.title}（${submission.itemId}）`,
            '',
            'このメールは reform-ledger から自動で送信されています。',
          ].join('\n'),
        });
      } catch (error) {
        await this.database.query(`DELETE FROM sent_notifications WHERE event_id = $1 AND recipient = $2`, [recorded.id, user.email]);
        throw error;
      }
    }
  }
}
