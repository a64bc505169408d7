import {
  ORGANIZATION_STREAM,
  OrganizationEvent,
  OrganizationState,
  Role,
  UserEvent,
  UserState,
  fold,
  organizationDecider,
  userDecider,
} from '@app/domain';
import { EventStore, RecordedEvent } from '@app/event-store';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

const USER_STREAM_PREFIX = 'user-';
const RESUBSCRIBE_DELAY_MS = 1000;

export interface UserView extends UserState {
  /** The stream's version, for optimistic concurrency. */
  version: number;
  registeredAt: Date;
}

/**
 * Users, their roles and the city's departments and divisions, kept in memory
 * by following the event store: small data, read on every request by the access
 * guard. It keeps each stream's events too, so that it can answer for any past
 * moment ("who could act for this division on that date").
 */
@Injectable()
export class IdentityDirectory implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdentityDirectory.name);
  private readonly userEvents = new Map<string, RecordedEvent[]>();
  private readonly users = new Map<string, UserView>();
  private organizationState: OrganizationState = organizationDecider.initialState();
  private position = 0;
  private readonly waiters = new Set<{ position: number; resolve: () => void }>();
  private stopped = false;
  private closeSubscription?: () => Promise<void>;
  private caughtUp?: Promise<void>;

  constructor(private readonly eventStore: EventStore) {}

  onApplicationBootstrap(): Promise<void> {
    return this.ready();
  }

  /** Starts following the store from the start; resolves once it has caught up with today. */
  ready(): Promise<void> {
    this.caughtUp ??= this.eventStore.headPosition().then((head) => {
      void this.follow();
      return this.waitFor(head, 120_000);
    });
    return this.caughtUp;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.closeSubscription?.();
  }

  /** Resolves once every event up to `position` has been applied. */
  waitFor(position: number, timeoutMs = 5000): Promise<void> {
    if (this.position >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { position, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`identity directory did not reach position ${position} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  user(userId: string): UserView | undefined {
    return this.users.get(userId);
  }

  allUsers(): UserView[] {
    return [...this.users.values()].sort((a, b) => a.userId.localeCompare(b.userId));
  }

  organization(): OrganizationState {
    return this.organizationState;
  }

  /** The user as the events recorded up to `at` describe them. */
  userAsOf(userId: string, at: Date): UserState | undefined {
    const events = (this.userEvents.get(userId) ?? []).filter((event) => event.recordedAt <= at);
    return events.length ? fold(userDecider, events as unknown as UserEvent[]) : undefined;
  }

  /** Active users who held the role at `at` (department staff: covering the division, when given). */
  usersWithRoleAsOf(role: Role, at: Date, divisionId?: string): UserState[] {
    return [...this.userEvents.keys()]
      .map((userId) => this.userAsOf(userId, at))
      .filter(
        (user): user is UserState =>
          user?.status === 'active' &&
          user.roles[role] !== undefined &&
          (divisionId === undefined || user.roles[role]!.includes(divisionId)),
      );
  }

  /** Active users holding the role; department staff only those covering the division, when given. */
  usersWithRole(role: Role, divisionId?: string): UserView[] {
    return this.allUsers().filter(
      (user) =>
        user.status === 'active' &&
        user.roles[role] !== undefined &&
        (divisionId === undefined || user.roles[role]!.includes(divisionId)),
    );
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      const subscription = this.eventStore.subscribe({ fromPosition: this.position + 1 });
      this.closeSubscription = () => subscription.close();
      try {
        for await (const event of subscription) this.apply(event);
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn(`following the event store failed, resuming from ${this.position}: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, RESUBSCRIBE_DELAY_MS));
      }
    }
  }

  private apply(event: RecordedEvent): void {
    if (event.streamId.startsWith(USER_STREAM_PREFIX)) {
      const userId = event.streamId.slice(USER_STREAM_PREFIX.length);
      const events = this.userEvents.get(userId) ?? [];
      events.push(event);
      this.userEvents.set(userId, events);
      const previous = this.users.get(userId);
      this.users.set(userId, {
        ...userDecider.evolve(previous ?? userDecider.initialState(), event as unknown as UserEvent),
        version: event.streamVersion,
        registeredAt: previous?.registeredAt ?? event.recordedAt,
      });
    } else if (event.streamId === ORGANIZATION_STREAM) {
      this.organizationState = organizationDecider.evolve(this.organizationState, event as unknown as OrganizationEvent);
    }
    this.position = event.globalPosition;
    for (const waiter of this.waiters) {
      if (waiter.position <= this.position) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
