export { buildApp, type Beckon, type BuildOptions } from './app';
export { seedDemo, createMember, ensureSecret, type Credentials } from './bootstrap';
export { loadConfig, type Config } from './config';
export { OPERATOR_EVENTS } from './realtime/operator-namespace';
export { fakeClock, realClock, type Clock, type FakeClock } from './lib/clock';
export { haproxyConfig, freePort, LocalCluster, LocalRedis } from './cluster/local';
export { PROCESS_ENV } from './process-env';
