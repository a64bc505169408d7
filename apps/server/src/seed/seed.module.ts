import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { existsSync } from 'node:fs';
import { PlanSeed, readPlanSeed, seedDirectory } from './plan-seed';
import { SeedLoader } from './seed-loader';

const SEED_ON_START = Symbol('SEED_ON_START');

/**
 * Loads the configured seed when the server starts and its plan is not fully in
 * the store yet: the first start of an empty database, or one a crash cut short.
 */
@Injectable()
class SeedOnStart implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly loader: SeedLoader,
    @Inject(SEED_ON_START) private readonly seedName: string,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const directory = seedDirectory(this.seedName);
    if (!existsSync(directory)) {
      this.logger.warn(`シード ${this.seedName} が見つからないため読み込みません（${directory}）`);
      return;
    }
    const seed = await readPlanSeed(directory);
    if (await this.loader.isLoaded(seed)) return;
    this.logger.log(`シード ${this.seedName}（${seed.name}、${seed.items.length}項目）を読み込みます。SEED=none で無効にできます`);
    let reported = 0;
    const result = await this.loader.load(seed, (done, total) => {
      const percent = Math.floor((done / total) * 4) * 25;
      if (percent > reported) this.logger.log(`シードの読み込み ${percent}%（${done}/${total} コマンド）`);
      reported = Math.max(reported, percent);
    });
    this.logger.log(`シード ${this.seedName} を読み込みました: ${describeLoad(seed, result)}`);
  }
}

export function describeLoad(seed: PlanSeed, result: Awaited<ReturnType<SeedLoader['load']>>): string {
  return `計画 ${seed.planId}、${seed.items.length}項目、コマンド${result.commands}件、新しいイベント${result.eventsWritten}件、追加した課${result.divisionsAdded}件`;
}

/** The seed loader; with a seed name (SEED), also loads it on start. */
@Module({})
export class SeedModule {
  static register(options: { loadOnStart?: string } = {}): DynamicModule {
    const onStart = options.loadOnStart && options.loadOnStart !== 'none' ? options.loadOnStart : undefined;
    return {
      module: SeedModule,
      imports: [CqrsModule],
      providers: [SeedLoader, ...(onStart ? [{ provide: SEED_ON_START, useValue: onStart }, SeedOnStart] : [])],
      exports: [SeedLoader],
    };
  }
}
