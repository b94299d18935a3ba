export * from './state';
export * from './compile';
export * from './engine';
export * from './controls';
export * from './hash';
export * from './hours';
export * from './wildcard';
