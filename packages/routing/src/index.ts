export * from './assign';
export * from './timing';
