// npm's `prepare`: builds dist/ when mc is installed from a git URL or a local path, and on
// `npm ci` / `npm install` in a clone. From a git URL npm installs the devDependencies (TypeScript)
// before it runs this; from a local path it does not, so the build tools are installed here first.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function run(command, args) {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(`mc-checker: '${command} ${args.join(' ')}' failed in ${root}; build it by hand there with: npm ci && npm run build`);
    process.exit(r.status ?? 1);
  }
}

if (!existsSync(tsc)) {
  console.error(`mc-checker: installing the tools that build it (npm install in ${root})`);
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund']);
}
run(process.execPath, [tsc, '-p', '.']);
