/** The emulator's test persons (テストカード): persons.json, unless the caller gives its own. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TestPerson {
  id: string;
  label: string;
  name: string;
  address: string;
  addressParts: { postal_code: string; region: string; locality: string; street_address: string };
  birthdate: string;
  gender: 'male' | 'female' | 'other';
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const loadPersons = (): TestPerson[] => JSON.parse(fs.readFileSync(path.join(here, 'persons.json'), 'utf8')) as TestPerson[];
