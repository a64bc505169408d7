import type { Actor } from '@app/event-store';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** Who is acting and under which correlation id, for the rest of a request or job. */
export interface ActionContext {
  correlationId: () => string;
  actor?: Actor;
  /** The command being handled: the caller's Idempotency-Key, when it sent one. */
  commandId?: string;
  /** Business time, when the fact happened before it is recorded (an import of past years). */
  occurredAt?: Date;
  /** The event this action reacts to, when a process manager or timer acts. */
  causationId?: string;
  /** The file an import's commands come from, named in every event they write so that an auditor can trace a figure to it. */
  source?: ImportSource;
}

/** An imported file: its name as uploaded and the sha256 of its bytes. */
export interface ImportSource {
  fileName: string;
  sha256: string;
}

const storage = new AsyncLocalStorage<ActionContext>();

export const actionContext = {
  run<T>(context: ActionContext, work: () => T): T {
    return storage.run(context, work);
  },
  current(): ActionContext | undefined {
    return storage.getStore();
  },
};

/** Runs work outside any request (start-up, CLI, imports) as the given actor. */
export function runAs<T>(actor: Actor, work: () => Promise<T>, correlationId: string = randomUUID()): Promise<T> {
  return storage.run({ correlationId: () => correlationId, actor }, work);
}

/** The account that acts for the system itself: first start-up, demo data. */
export const SYSTEM_ACTOR: Actor = { userId: 'system', role: 'system' };
