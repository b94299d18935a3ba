export * from './errors';
export * from './limits';
export * from './common';
export * from './site';
export * from './chat';
export * from './events';
export * from './rest';
