export * from './contract';
export * from './errors';
export * from './types';
export * from './aus';
