import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Environment } from '../config/environment';

/**
 * SESSION_SECRET when configured; otherwise a secret generated on first start
 * and kept in DATA_DIR, so that sessions survive a restart and no secret ever
 * sits in the repository.
 */
export async function resolveSessionSecret(environment: Environment): Promise<string> {
  if (environment.SESSION_SECRET) return environment.SESSION_SECRET;
  await mkdir(environment.DATA_DIR, { recursive: true });
  const file = join(environment.DATA_DIR, 'session-secret');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
