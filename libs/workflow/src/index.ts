export * from './review-cycle';
export * from './stages';
export * from './submission';
export * from './working-days';
export * from './notifications';
export * from './item-commands';
