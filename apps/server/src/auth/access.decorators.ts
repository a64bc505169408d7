import { SetMetadata } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import type { Request } from 'express';
import type { Permission } from './access-rules';

export const ACCESS_METADATA = 'reform-ledger:access';

/**
 * The divisions (課) a request's target belongs to, for permissions reached per
 * division; asked only when the caller's roles reach the permission that way.
 */
export type TargetDivisions = (request: Request, services: ModuleRef) => string[] | Promise<string[]>;

export type AccessRequirement =
  | { kind: 'public' }
  | { kind: 'signed-in' }
  | { kind: 'permission'; permission: Permission; targetDivisions?: TargetDivisions };

/** Anyone, signed in or not (login, health). */
export const Public = () => SetMetadata(ACCESS_METADATA, { kind: 'public' } satisfies AccessRequirement);

/** Any signed-in person, whatever their roles (their own session and password). */
export const SignedIn = () => SetMetadata(ACCESS_METADATA, { kind: 'signed-in' } satisfies AccessRequirement);

/** A signed-in person whose roles hold the permission (see ACCESS_RULES). */
export const Allow = (permission: Permission, options: { targetDivisions?: TargetDivisions } = {}) =>
  SetMetadata(ACCESS_METADATA, { kind: 'permission', permission, ...options } satisfies AccessRequirement);
