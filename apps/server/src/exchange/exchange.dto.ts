import { OmitType } from '@nestjs/swagger';
import { SummaryQueryDto } from '../read/read.dto';

/** ?planId&fiscalYear (and minPosition): the same as the summaries', without the dimension, since an export has them all. */
export class ExportQueryDto extends OmitType(SummaryQueryDto, ['by'] as const) {}
