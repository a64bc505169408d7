import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PlanModule } from '../plan/plan.module';
import { ReadModule } from '../read/read.module';
import { ReviewCycles } from '../review/review.commands';
import { ActualsImport } from './actuals-import';
import { ExportsController, ImportsController } from './exchange.controller';
import { WorkbookExport } from './workbook-export';

/**
 * The Excel/CSV exchange: the item table and summaries out as workbooks, a
 * department's actuals in as drafts. Its readers and commands are the API's own;
 * ReviewCycles, a stateless reader of the review streams, is provided here
 * because ReviewModule is registered once, with the process manager it runs.
 */
@Module({
  imports: [CqrsModule, PlanModule, ReadModule],
  controllers: [ExportsController, ImportsController],
  providers: [WorkbookExport, ActualsImport, ReviewCycles],
  exports: [WorkbookExport, ActualsImport],
})
export class ExchangeModule {}
