// Starts `licensedesk serve --demo` on a free loopback port (--listen 127.0.0.1:0)
// with its own temp dir and database, optionally with a throwaway self-signed
// TLS certificate made by the openssl CLI. stop() is idempotent and removes the dir.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, createWriteStream, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BINARY = resolve(WEB_DIR, process.env.LD_BINARY ?? '../build/licensedesk');
export const ADMIN = { upn: 'admin@contoso.licensedesk.test', password: 'Demo-Password-1' };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startLicensedesk({ tls = false } = {}) {
  if (!existsSync(BINARY)) throw new Error(`licensedesk binary not found at ${BINARY} (set LD_BINARY)`);
  const dir = mkdtempSync(join(tmpdir(), 'ld-e2e-sdk-'));
  const args = ['serve', '--listen', '127.0.0.1:0', '--db', `sqlite://${join(dir, 'ld.db')}`, '--demo'];
  let certFile = null;
  if (tls) {
    certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
    ], { stdio: 'ignore' });
    args.push('--tls-cert', certFile, '--tls-key', keyFile);
  }
  const logFile = join(dir, 'server.log');
  const log = createWriteStream(logFile);
  const child = spawn(BINARY, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const onExit = () => { if (!exited) child.kill('SIGKILL'); };
  process.on('exit', onExit);

  let url = null;
  let out = '';
  const onData = (buf) => {
    log.write(buf);
    out += buf.toString();
    const m = /licensedesk listening on (https?:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (m) url = m[1];
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      child.kill('SIGTERM');
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      if (!exited) child.kill('SIGKILL');
      for (let i = 0; i < 20 && !exited; i++) await sleep(100);
    }
    process.off('exit', onExit);
    log.end();
    if (process.env.LD_KEEP_TMP) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  while (!url && !exited && Date.now() < deadline) await sleep(100);
  if (!url) {
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : out;
    await stop();
    throw new Error(`licensedesk did not start (${JSON.stringify(exited)}):\n${tail}`);
  }
  return { url, certFile, dir, stop };
}
