// Writes schema/canary.config.schema.json from the config's one declaration (functions/shared/config/); `npm run
// schema`. test/shared/config-schema.test.ts fails when the committed file differs from what this writes.
import { writeFileSync } from 'node:fs';
import { CONFIG_SCHEMA_FILE, configJsonSchemaText } from '../functions/shared/config/json-schema.js';

writeFileSync(CONFIG_SCHEMA_FILE, configJsonSchemaText());
console.log(`wrote ${CONFIG_SCHEMA_FILE}`);
