/**
 * What a test file leaves in /tmp goes when it ends:
 * - the folders it made with tempDir (test/helpers/tenants.ts);
 * - the temporary cloud assemblies of Apps without an outdir, which aws-cdk-lib deletes on the
 *   process's 'exit' event, an event jest's test environment never emits (jestjs/jest#10927, as
 *   CloudAssembly.cleanupTemporaryDirectories' documentation says).
 */
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { removeTempDirs } from '../helpers/tenants';

afterAll(() => {
  removeTempDirs();
  CloudAssembly.cleanupTemporaryDirectories();
});
