// Before the e2e tests: build web/dist when it is missing or older than the
// sources, so the tests never run against a stale build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { WEB_DIR } from './helpers.mjs';

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newest(join(path, n))));
}

const built = join(WEB_DIR, 'dist', 'index.html');
const inputs = ['src', 'public', 'index.html', 'vite.config.ts', 'package-lock.json', 'tsconfig.app.json'].map((p) => join(WEB_DIR, p));
const sourceTime = Math.max(...inputs.filter((p) => existsSync(p)).map(newest));
if (!existsSync(built) || statSync(built).mtimeMs < sourceTime) {
  console.log('web/dist is missing or older than the sources: npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: WEB_DIR, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
