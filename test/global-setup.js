import { execFileSync } from 'node:child_process';

/** Process-level tests run the production build (dist/), exactly as the image does. */
export default function globalSetup() {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}
