import { DynamicModule, Module } from '@nestjs/common';
import { CHROMIUM, ReportController } from './report.controller';

/** The achievement report (達成状況), from the events, as HTML and PDF. */
@Module({})
export class ReportModule {
  static register(options: { chromiumPath: string }): DynamicModule {
    return {
      module: ReportModule,
      controllers: [ReportController],
      providers: [{ provide: CHROMIUM, useValue: options.chromiumPath }],
    };
  }
}
