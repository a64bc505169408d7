import { EventStore } from '@app/event-store';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ProjectionsService } from '../projections/projections.service';

/** The plan's items as the workflow needs them: which are active, once the read model has caught up with the store. */
@Injectable()
export class ItemStatusReader {
  constructor(
    @InjectDataSource() private readonly database: DataSource,
    private readonly projections: ProjectionsService,
    private readonly eventStore: EventStore,
  ) {}

  /** Active items in the plan's printed order. */
  async activeItemIds(planId: string): Promise<string[]> {
    await this.projections.waitFor(await this.eventStore.headPosition());
    // One row per item and year, all with the item's place in the plan: arrays order element by element.
    const rows: Array<{ item_id: string }> = await this.database.query(
      `SELECT DISTINCT item_id, plan_order FROM item_status WHERE plan_id = $1 AND NOT retired ORDER BY plan_order, item_id`,
      [planId],
    );
    return rows.map((row) => row.item_id);
  }
}

