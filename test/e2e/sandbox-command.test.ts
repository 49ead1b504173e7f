/**
 * `npm run sandbox` as a person runs it: it prints where each part listens, writes
 * sandbox.json with the four URLs once ready, and Ctrl-C (SIGINT to its process group, as a
 * terminal sends it) stops it with exit code 0, leaving no process and no listening port behind.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { connect } from 'node:net';
import * as path from 'node:path';
import { writeLocalTenantCopy } from '../../tools/cli/sandbox-tenant';
import { repoRoot, tempDir } from '../helpers/tenants';

const listening = (url: string) =>
  new Promise<boolean>((resolve) => {
    const u = new URL(url);
    const socket = connect(Number(u.port), '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

test('npm run sandbox: ready block, sandbox.json with the URLs, and a clean Ctrl-C', async () => {
  const dir = tempDir('myna-idp-sandbox-cli-');
  const { file, ports: { app, op } } = await writeLocalTenantCopy(dir);
  const localDir = path.join(dir, 'local');
  // As `npm run sandbox` runs it: one node process with tsx as its loader (tsx's own CLI would
  // put a second process in front, which SIGKILLs the sandbox when it is slow to answer a signal).
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', 'sandbox.ts'), '--tenant-file', file, '--local-dir', localDir, '--quiet'], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const stateFile = path.join(localDir, 'sandbox.json');
    for (let i = 0; i < 600 && !(fs.existsSync(stateFile) && out.includes('Ctrl-C to stop.')); i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(stateFile)).toBe(true);
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as Record<string, string>;
    expect(state).toMatchObject({ app: `http://localhost:${app}/`, op: `http://localhost:${op}/api/realms/main` });
    expect(state.cognito).toMatch(/^http:\/\/localhost:\d+$/);
    expect(state.proxy).toMatch(/^http:\/\/localhost:\d+$/);
    for (const url of [state.app!, state.cognito!, state.proxy!, state.op!]) expect(await listening(url)).toBe(true);
    expect(out).toContain(`Open the app:        http://localhost:${app}/`);
    expect((await fetch(state.app!)).status).toBe(200);

    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('sandbox stopped');
    expect(() => process.kill(-child.pid!, 0)).toThrow(/ESRCH/);
    for (const url of [state.app!, state.cognito!, state.proxy!, state.op!]) expect(await listening(url)).toBe(false);
    expect(fs.existsSync(stateFile)).toBe(false);
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
