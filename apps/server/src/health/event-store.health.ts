import { EventStore } from '@app/event-store';
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

@Injectable()
export class EventStoreHealthIndicator {
  constructor(
    private readonly eventStore: EventStore,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key: string) {
    const indicator = this.health.check(key);
    const { ok, detail } = await this.eventStore.checkHealth();
    return ok ? indicator.up() : indicator.down({ message: detail });
  }
}
