import { Global, Module } from '@nestjs/common';
import { CommandExecutor } from './command-executor';
import { EventWriter } from './event-writer';
import { StreamStates } from './stream-states';

/** How every capability writes: the event writer, the decider-driven command executor, and the streams' folded states. */
@Global()
@Module({
  providers: [EventWriter, CommandExecutor, StreamStates],
  exports: [EventWriter, CommandExecutor, StreamStates],
})
export class EventsModule {}
