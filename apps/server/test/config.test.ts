/** The switch between the embedded single node and the cluster mode (README "Configuration"). */
import { expect, it } from 'vitest';
import { loadConfig } from '../src/config';

it('without BECKON_DATABASE_URL and BECKON_REDIS_URL it is the embedded single node; Redis without PostgreSQL, or a wrong URL, is refused with the reason', () => {
  const plain = loadConfig({});
  expect(plain.databaseUrl).toBeNull();
  expect(plain.redisUrl).toBeNull();
  const both = loadConfig({ BECKON_DATABASE_URL: 'postgres://db/beckon', BECKON_REDIS_URL: 'redis://cache:6379', BECKON_NODE_ID: 'node2' });
  expect([both.databaseUrl, both.redisUrl, both.nodeId]).toEqual(['postgres://db/beckon', 'redis://cache:6379', 'node2']);
  expect(() => loadConfig({ BECKON_REDIS_URL: 'redis://cache:6379' })).toThrow(/needs BECKON_DATABASE_URL/);
  expect(() => loadConfig({ BECKON_DATABASE_URL: 'postgres://db/beckon', BECKON_REDIS_URL: 'http://cache:6379' })).toThrow(/must be a redis:\/\/ URL/);
});
