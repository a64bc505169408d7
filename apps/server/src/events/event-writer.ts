import { AppendResult, EventStore, ExpectedVersion } from '@app/event-store';
import type { DomainEvent } from '@app/domain';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { actionContext } from '../context/request-context';

/** The schema version written for every event type until one of them changes shape. */
export const CURRENT_SCHEMA_VERSION = 1;

export interface WriteOptions {
  /** The command's id: the Idempotency-Key, or a fresh one. */
  commandId?: string;
}

/**
 * The one way events get written: the envelope's metadata (actor, correlation,
 * causation, command id, business time, the imported file) comes from the
 * action context, so no caller passes who is acting or what file a change came
 * from by hand, and nothing is written without an actor.
 */
@Injectable()
export class EventWriter {
  constructor(private readonly eventStore: EventStore) {}

  append(
    streamId: string,
    events: readonly DomainEvent[],
    expectedVersion: ExpectedVersion,
    options: WriteOptions = {},
  ): Promise<AppendResult> {
    const context = actionContext.current();
    if (!context?.actor) {
      throw new Error(`No actor in context: events for ${streamId} must be written by a known person or job`);
    }
    const commandId = options.commandId ?? context.commandId ?? randomUUID();
    const metadata = {
      commandId,
      correlationId: context.correlationId(),
      causationId: context.causationId ?? commandId,
      actor: context.actor,
      occurredAt: (context.occurredAt ?? new Date()).toISOString(),
      ...(context.source ? { source: context.source } : {}),
    };
    return this.eventStore.appendToStream(
      streamId,
      events.map((event) => ({ type: event.type, schemaVersion: CURRENT_SCHEMA_VERSION, data: event.data, metadata })),
      { expectedVersion },
    );
  }
}
