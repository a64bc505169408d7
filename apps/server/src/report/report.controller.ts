import { EventStore } from '@app/event-store';
import { BadRequestException, Controller, Get, Inject, NotFoundException, Query, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow } from '../auth/access.decorators';
import { buildAchievementReport, ReportMoment } from './achievement-report';
import { AchievementReportQueryDto } from './report.dto';
import { renderAchievementReport } from './report-html';
import { PdfUnavailableError, renderAchievementPdf } from './report-pdf';

export const CHROMIUM = Symbol('CHROMIUM');

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/reports')
export class ReportController {
  constructor(
    private readonly eventStore: EventStore,
    @Inject(CHROMIUM) private readonly chromiumPath: string,
  ) {}

  /** 取組の達成状況（HTML / PDF）: 現在、ある日（業務日時）、またはあるイベント位置の時点で */
  @Get('achievement')
  @Allow('report.read')
  async achievement(@Query() query: AchievementReportQueryDto, @Res() response: Response): Promise<void> {
    if (query.asOf && query.position !== undefined) {
      throw new BadRequestException({ rule: 'report.moment_ambiguous', message: 'asOf と position はどちらか一方を指定してください' });
    }
    const moment: ReportMoment = query.asOf ? { date: query.asOf } : query.position !== undefined ? { position: query.position } : {};
    const report = await buildAchievementReport(this.eventStore, query.planId, query.fiscalYear, moment);
    if (!report) throw new NotFoundException({ rule: 'plan.not_found', message: 'その時点で計画は登録されていません' });
    const name = `achievement-${query.planId}-${query.fiscalYear}${query.asOf ? `-as-of-${query.asOf}` : ''}-at-${report.position}`;
    response.setHeader('x-report-position', String(report.position));
    response.setHeader('x-report-root-hash', report.rootHash);
    if (query.format === 'html') {
      response.type('text/html').send(renderAchievementReport(report));
      return;
    }
    try {
      const pdf = await renderAchievementPdf(report, this.chromiumPath);
      response.type('application/pdf').setHeader('content-disposition', `inline; filename="${name}.pdf"`);
      response.send(pdf);
    } catch (error) {
      if (error instanceof PdfUnavailableError) throw new ServiceUnavailableException({ rule: 'report.pdf_unavailable', message: error.message });
      throw error;
    }
  }
}
