import { EventStore } from '@app/event-store';
import { INestApplication } from '@nestjs/common';
import { Clock } from '../../apps/server/src/review/clock';
import { ReviewProcessManager } from '../../apps/server/src/review/review-process-manager';
import { PlanSeed, readPlanSeed, seedDirectory } from '../../apps/server/src/seed/plan-seed';
import { SeedLoader } from '../../apps/server/src/seed/seed-loader';

/** A clock the test sets: the workflow's deadlines and timers read it. */
export class TestClock extends Clock {
  constructor(private current: Date) {
    super();
  }

  now(): Date {
    return this.current;
  }

  set(moment: string | Date): void {
    this.current = new Date(moment);
  }
}

/**
 * The Ube seed as it stood before FY2019 was reviewed: the plan, its items and
 * targets, and FY2018's history only — so that a FY2020 review cycle (spring
 * reports FY2019, autumn plans FY2021) has its work still to do.
 */
export async function ubeBeforeFy2019(): Promise<{ seed: PlanSeed; published: PlanSeed }> {
  const published = await readPlanSeed(seedDirectory('ube'));
  const seed = await readPlanSeed(seedDirectory('ube'));
  const upTo2018 = <T>(byYear: Map<number, T>) => {
    for (const fiscalYear of [...byYear.keys()]) if (fiscalYear > 2018) byYear.delete(fiscalYear);
  };
  for (const item of seed.items) {
    upTo2018(item.grades);
    upTo2018(item.results);
    upTo2018(item.plans);
    upTo2018(item.goals);
    for (const indicator of item.indicators) {
      upTo2018(indicator.actuals);
      upTo2018(indicator.grades);
    }
  }
  return { seed, published };
}

export async function loadSeed(app: INestApplication, seed: PlanSeed): Promise<void> {
  await app.get(SeedLoader).load(seed);
}

/** Waits until the process manager has reacted to everything stored so far. */
export async function workflowSettled(app: INestApplication): Promise<number> {
  const head = await app.get(EventStore).headPosition();
  await app.get(ReviewProcessManager).waitFor(head);
  // Its reactions are events too: settle again until it writes nothing more.
  const after = await app.get(EventStore).headPosition();
  return after === head ? head : workflowSettled(app);
}
