import { auditor } from './auditor';
import { common } from './common';
import { department } from './department';
import { management } from './management';
import { reviewer } from './reviewer';

export const ja = { ...common.ja, department: department.ja, reviewer: reviewer.ja, auditor: auditor.ja, management: management.ja };
