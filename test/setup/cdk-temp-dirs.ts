/**
 * An App without an outdir synthesizes into a temporary folder that aws-cdk-lib deletes on the
 * process's 'exit' event, which jest's test environment never emits (jestjs/jest#10927, as the
 * CloudAssembly documentation says): without this, every synthesis of a run stays in /tmp.
 */
import { CloudAssembly } from 'aws-cdk-lib/cx-api';

afterAll(() => CloudAssembly.cleanupTemporaryDirectories());
