import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CommandInterceptor } from '../http/idempotency';
import { ItemReader } from './item-reader';
import { ItemsController } from './items.controller';
import { PlanReader, planCommandHandlers } from './plan.commands';
import { PlansController } from './plans.controller';

/** The plan and its items: every change a command, every command events. */
@Module({
  imports: [CqrsModule],
  controllers: [PlansController, ItemsController],
  providers: [PlanReader, ItemReader, CommandInterceptor, ...planCommandHandlers],
  exports: [ItemReader, PlanReader],
})
export class PlanModule {}
