export * from './decider';
export * from './identity/roles';
export * from './identity/user';
export * from './identity/organization';
