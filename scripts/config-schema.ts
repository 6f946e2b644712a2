// Writes schema/canary.config.schema.json and the field table of docs/configuration.md from the config's one
// declaration (functions/shared/config/); `npm run schema`. test/shared/config-schema.test.ts fails when either
// committed file differs from what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { DOCS_FILE, withFieldsTable } from '../functions/shared/config/docs-table.js';
import { CONFIG_SCHEMA_FILE, configJsonSchemaText } from '../functions/shared/config/json-schema.js';

writeFileSync(CONFIG_SCHEMA_FILE, configJsonSchemaText());
writeFileSync(DOCS_FILE, withFieldsTable(readFileSync(DOCS_FILE, 'utf8')));
console.log(`wrote ${CONFIG_SCHEMA_FILE} and the field table of ${DOCS_FILE}`);
