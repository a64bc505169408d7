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
    const rows: Array<{ item_id: string }> = await this.database.query(
      `SELECT DISTINCT ON (item_id) item_id, plan_order FROM item_status
        WHERE plan_id = $1 AND NOT retired ORDER BY item_id`,
      [planId],
    );
    return (rows as Array<{ item_id: string; plan_order: number[] }>)
      .sort((a, b) => compareOrder(a.plan_order, b.plan_order))
      .map((row) => row.item_id);
  }
}

function compareOrder(a: number[], b: number[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
