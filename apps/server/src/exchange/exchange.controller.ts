import { DomainError } from '@app/domain';
import { Controller, Get, HttpCode, Post, Query, Req, StreamableFile, UploadedFile, UseInterceptors } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { basename } from 'node:path';
import { Allow } from '../auth/access.decorators';
import type { SignedInRequest } from '../auth/access.guard';
import { ItemReader } from '../plan/item-reader';
import { ProjectionsService } from '../projections/projections.service';
import { CurrentViewer, Viewer } from '../read/viewer';
import { ReviewCycles } from '../review/review.commands';
import { StagePath, StageRef, stageOfPath } from '../review/reviews.controller';
import { ActualsImport, ActualsImportResult } from './actuals-import';
import { ExportQueryDto } from './exchange.dto';
import { ExportedFile, WorkbookExport } from './workbook-export';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Far above a city's few hundred rows; a bound on what one upload holds in memory. */
const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** The uploaded file as multer keeps it in memory. */
interface UploadedBytes {
  originalname: string;
  buffer: Buffer;
}

/** The Excel exports: the item table and the summaries, for the same readers as their endpoints. */
@ApiTags('exchange')
@ApiBearerAuth()
@ApiProduces(XLSX_TYPE)
@Controller('api/exports')
export class ExportsController {
  constructor(
    private readonly exports: WorkbookExport,
    private readonly projections: ProjectionsService,
  ) {}

  /** 個別項目一覧（Excel）: GET /api/items と同じ行・同じ表示制限（承認前の他課の実績は表示しません） */
  @Get('items.xlsx')
  @Allow('plan.read')
  async items(@Query() query: ExportQueryDto, @CurrentViewer() viewer: Viewer): Promise<StreamableFile> {
    await this.projections.waitFor(query.minPosition);
    return download(await this.exports.items(query.planId, query.fiscalYear, viewer));
  }

  /** 達成状況の集計（Excel）: 取組方針別・基本項目別・担当課別の3シート */
  @Get('summaries.xlsx')
  @Allow('plan.read')
  async summaries(@Query() query: ExportQueryDto): Promise<StreamableFile> {
    await this.projections.waitFor(query.minPosition);
    return download(await this.exports.summaries(query.planId, query.fiscalYear));
  }
}

/**
 * For the access rules: the divisions of the stage's items, so that department
 * staff reach a stage that asks their divisions for work; each row of the file
 * is then checked against its own item.
 */
const stageDivisions = async (request: Request, services: ModuleRef): Promise<string[]> => {
  const { planId, fiscalYear, stage } = stageOfPath(request);
  const { state } = await services.get(ReviewCycles, { strict: false }).load(planId, fiscalYear);
  const items = services.get(ItemReader, { strict: false });
  const divisions = await Promise.all((state.stages[stage].itemIds ?? []).map(async (itemId) => (await items.state(itemId)).divisionIds));
  return [...new Set(divisions.flat())];
};

@ApiTags('reviews')
@ApiBearerAuth()
@Controller('api/reviews')
export class ImportsController {
  constructor(private readonly imports: ActualsImport) {}

  /** 実績値の取り込み（CSV UTF-8 / Excel）: ファイル全体を確認し、すべて正しいときだけ項目ごとに下書きを保存します */
  @Post(':planId/:fiscalYear/stages/:stage/imports')
  @HttpCode(200)
  @Allow('review.submit', { targetDivisions: stageDivisions })
  // File names in multipart headers are UTF-8 in browsers and curl; busboy's default (latin1) would garble Japanese ones.
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 }, defParamCharset: 'utf8' }))
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  importActuals(
    @StageRef() { planId, fiscalYear, stage }: StagePath,
    @UploadedFile() file: UploadedBytes | undefined,
    @Req() request: SignedInRequest,
  ): Promise<ActualsImportResult> {
    if (!file) throw new DomainError('invalid', 'import.file_required', '取り込むファイルを項目「file」で送ってください', 'file');
    const { userId, roles } = request.session.user;
    return this.imports.run({ planId, fiscalYear, stage, fileName: basename(file.originalname), content: file.buffer, importer: { userId, roles } });
  }
}

function download(file: ExportedFile): StreamableFile {
  return new StreamableFile(file.content, { type: XLSX_TYPE, disposition: attachment(file), length: file.content.length });
}

/** RFC 6266 with RFC 5987's filename*: browsers take the Japanese name, older clients the ASCII one. */
function attachment(file: ExportedFile): string {
  const encoded = encodeURIComponent(file.fileName).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${file.asciiFileName}"; filename*=UTF-8''${encoded}`;
}
