import { BadRequestException, Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/access.decorators';
import { ProjectionsService } from '../projections/projections.service';
import { AuditService, parseMoment } from './audit.service';
import {
  ConsistencyQueryDto,
  DiffQueryDto,
  HistoryQueryDto,
  ListItemsQueryDto,
  MomentOrPositionDto,
  SummaryQueryDto,
  TrendsQueryDto,
  WhatIfDto,
} from './read.dto';
import {
  GetItemHistory,
  GetItemStatus,
  GetSummary,
  GetTrends,
  ListItems,
  WhatIfGrading,
  ruleForWhatIf,
} from './read.queries';
import { CurrentViewer, Viewer } from './viewer';

/**
 * The read side: items, history and summaries from the read models, each query
 * free to wait for the position a command returned (?minPosition=…).
 */
@ApiTags('read')
@ApiBearerAuth()
@Controller('api')
export class ReadController {
  constructor(
    private readonly queries: QueryBus,
    private readonly projections: ProjectionsService,
  ) {}

  /** 個別項目の一覧（年度・取組方針・基本項目・担当課・評価・審査状況・キーワードで絞り込み） */
  @Get('items')
  @Allow('plan.read')
  async list(@Query() query: ListItemsQueryDto, @CurrentViewer() viewer: Viewer) {
    await this.projections.waitFor(query.minPosition);
    return this.queries.execute(new ListItems(query, viewer));
  }

  @Get('items/:itemId/status')
  @Allow('plan.read')
  async status(@Param('itemId') itemId: string, @Query() { minPosition }: ConsistencyQueryDto, @CurrentViewer() viewer: Viewer) {
    await this.projections.waitFor(minPosition);
    return this.queries.execute(new GetItemStatus(itemId, viewer));
  }

  /** 変更履歴: 誰が・いつ・何を（変更前 → 変更後）・なぜ */
  @Get('items/:itemId/history')
  @Allow('plan.read')
  async history(@Param('itemId') itemId: string, @Query() { page, perPage, minPosition }: HistoryQueryDto) {
    await this.projections.waitFor(minPosition);
    return this.queries.execute(new GetItemHistory(itemId, page, perPage));
  }

  /** 達成状況の集計（取組方針・基本項目・担当課別）と審査の進捗 */
  @Get('summaries')
  @Allow('plan.read')
  async summary(@Query() query: SummaryQueryDto) {
    await this.projections.waitFor(query.minPosition);
    return this.queries.execute(new GetSummary(query.planId, query.fiscalYear, query.by));
  }

  /** 指標の経年推移 */
  @Get('summaries/trends')
  @Allow('plan.read')
  async trends(@Query() query: TrendsQueryDto, @CurrentViewer() viewer: Viewer) {
    await this.projections.waitFor(query.minPosition);
    return this.queries.execute(new GetTrends(query.planId, viewer));
  }

  /** 別の評価基準で再計算した場合（何も書き込みません） */
  @Post('summaries/what-if')
  @HttpCode(200)
  @Allow('plan.read')
  async whatIf(@Body() body: WhatIfDto, @Query() query: ConsistencyQueryDto) {
    const rule = ruleForWhatIf(body);
    if (!rule) {
      throw new BadRequestException({
        rule: 'what_if.rule_required',
        message: '評価基準（ruleId と ruleVersion、または thresholds）を指定してください',
      });
    }
    await this.projections.waitFor(query.minPosition);
    return this.queries.execute(new WhatIfGrading(body.planId, body.fiscalYear, rule));
  }
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly projections: ProjectionsService,
  ) {}

  /** ある時点（日時または位置）の個別項目。読み取りモデルではなくイベントから求めます */
  @Get('items/:itemId/as-of')
  @Allow('audit.read')
  async asOf(@Param('itemId') itemId: string, @Query() { at, position }: MomentOrPositionDto) {
    if ((at === undefined) === (position === undefined)) {
      throw new BadRequestException({ rule: 'as_of.moment_required', message: 'at か position のどちらか一方を指定してください' });
    }
    const moment = at !== undefined ? parseMoment(at, 'at') : { position: position! };
    return { itemId, ...(await this.audit.itemAt(itemId, moment)) };
  }

  /** 2時点の差分 */
  @Get('items/:itemId/diff')
  @Allow('audit.read')
  diff(@Param('itemId') itemId: string, @Query() { from, to }: DiffQueryDto) {
    return this.audit.diff(itemId, parseMoment(from, 'from'), parseMoment(to, 'to'));
  }

  /** 改ざん検証（ハッシュチェーン）: 1項目、または ?itemId なしでストア全体 */
  @Get('integrity')
  @Allow('audit.read')
  integrity(@Query('itemId') itemId?: string) {
    return this.audit.verify(itemId || undefined);
  }

  /** 読み取りモデルの状況（位置・遅延） */
  @Get('projections')
  @Allow('projections.read')
  status() {
    return this.projections.status();
  }
}
