import { itemDecider, itemStreamId } from '@app/domain';
import { EventStore } from '@app/event-store';
import { diffItem } from '@app/projections';
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { ItemAsOf, ItemReader, Moment } from '../plan/item-reader';

/** Reads "2021-06-30T00:00:00Z" as a moment and "1234" as a position. */
export function parseMoment(text: string, field: string): Moment {
  if (/^\d{1,15}$/.test(text)) return { position: Number(text) };
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) {
    throw new BadRequestException({
      rule: 'moment.unreadable',
      message: `${field} には日時（ISO 8601）か位置（整数）を指定してください`,
      errors: [{ field, rule: 'moment.unreadable', message: 'expected an ISO 8601 time or a position' }],
    });
  }
  return { at };
}

/**
 * For auditors: an item as its events stood at any moment — from the events,
 * not from a read model — and the difference between two moments.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly eventStore: EventStore,
    private readonly items: ItemReader,
  ) {}

  itemAt(itemId: string, moment: Moment): Promise<ItemAsOf> {
    return this.items.stateAsOf(itemId, moment);
  }

  async diff(itemId: string, from: Moment, to: Moment) {
    const [before, after] = await Promise.all([
      this.itemAt(itemId, from).catch((error) => {
        if (error instanceof NotFoundException) return { state: itemDecider.initialState(), version: 0, position: 0 };
        throw error;
      }),
      this.itemAt(itemId, to),
    ]);
    return {
      itemId,
      from: { version: before.version, position: before.position },
      to: { version: after.version, position: after.position },
      changes: diffItem(before.state, after.state),
    };
  }

  async verify(itemId?: string) {
    const result = itemId ? await this.eventStore.verifyStream(itemStreamId(itemId)) : await this.eventStore.verifyAll();
    const [last] = result.upToPosition ? await this.eventStore.readAll({ fromPosition: result.upToPosition, limit: 1 }) : [];
    return {
      scope: itemId ? { itemId, streamId: itemStreamId(itemId) } : { store: 'all' },
      ...result,
      coversUntil: last?.recordedAt ?? null,
      checkedAt: new Date(),
    };
  }
}

