import { Global, Module } from '@nestjs/common';
import { CommandExecutor } from './command-executor';
import { EventWriter } from './event-writer';

/** How every capability writes: the event writer and the decider-driven command executor. */
@Global()
@Module({
  providers: [EventWriter, CommandExecutor],
  exports: [EventWriter, CommandExecutor],
})
export class EventsModule {}
