import { auditor } from './auditor';
import { common } from './common';
import { department } from './department';
import { management } from './management';
import { reviewer } from './reviewer';

export const en = { ...common.en, department: department.en, reviewer: reviewer.en, auditor: auditor.en, management: management.en };
