export type * from './projection';
export * from './checkpoint.entity';
export * from './projection-runner';
export * from './projection-manager';
export * from './async-signal';
export * from './projection-rebuilder';
