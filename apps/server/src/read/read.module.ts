import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ItemHistoryEntity, ItemStatusEntity } from '@app/projections';
import { PlanModule } from '../plan/plan.module';
import { ProjectionsService } from '../projections/projections.service';
import { AuditService } from './audit.service';
import { AuditController, ReadController } from './read.controller';
import { readQueryHandlers } from './read.queries';

/** Read models, their queries, and the auditor's views computed from the events. */
@Module({
  imports: [CqrsModule, PlanModule, TypeOrmModule.forFeature([ItemStatusEntity, ItemHistoryEntity])],
  controllers: [ReadController, AuditController],
  providers: [ProjectionsService, AuditService, ...readQueryHandlers],
  exports: [ProjectionsService],
})
export class ReadModule {}
