export * from './projection';
export * from './projection-runner';
export * from './migrations';
export * from './items/items.projection';
export * from './items/item-history';
export * from './items/items.entities';
export * from './reviews/reviews.projection';
