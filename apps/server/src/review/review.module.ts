import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CommandInterceptor } from '../http/idempotency';
import { PlanModule } from '../plan/plan.module';
import { ReadModule } from '../read/read.module';
import { Clock, SystemClock } from './clock';
import { ItemStatusReader } from './item-status-reader';
import { ReviewProcessManager } from './review-process-manager';
import { ReviewReader } from './review-reader';
import { MAIL_SETTINGS, MailSettings, NotificationMailer } from './notification-mailer';
import { REVIEW_TIMER_INTERVAL, ReviewTimers } from './review-timers';
import { ReviewCycles, reviewCommandHandlers } from './review.commands';
import { ReviewsController } from './reviews.controller';

/** The review workflow: cycles and stages, submissions, the process manager, deadline timers, inboxes and mail. */
@Module({})
export class ReviewModule {
  static register(options: { timerIntervalMs: number; mail: MailSettings }): DynamicModule {
    return {
      module: ReviewModule,
      imports: [CqrsModule, PlanModule, ReadModule],
      controllers: [ReviewsController],
      providers: [
        { provide: Clock, useClass: SystemClock },
        { provide: REVIEW_TIMER_INTERVAL, useValue: options.timerIntervalMs },
        { provide: MAIL_SETTINGS, useValue: options.mail },
        NotificationMailer,
        ReviewCycles,
        ItemStatusReader,
        ReviewReader,
        ReviewProcessManager,
        ReviewTimers,
        CommandInterceptor,
        ...reviewCommandHandlers,
      ],
    };
  }
}
