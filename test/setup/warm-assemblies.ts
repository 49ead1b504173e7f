/** Warms the assembly cache for the cdk project (test/setup/assembly-setup.js). */
import { ensureAssemblies, forgetFailures } from '../helpers/assembly';
import { fixtureFolders } from '../helpers/tenants';

forgetFailures();
ensureAssemblies(fixtureFolders());
