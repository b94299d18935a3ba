import { defineConfig } from 'drizzle-kit';

/** PostgreSQL (cluster mode): the same tables from ./src/pg-schema.ts, migrations in ./drizzle-pg */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/pg-schema.ts',
  out: './drizzle-pg',
});
