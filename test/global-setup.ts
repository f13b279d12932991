// Builds dist/ once so that end-to-end tests run the real `psm` binary on current sources.
// Type errors do not stop the emit (`npm run check` reports them); a missing output does.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export default function setup(): void {
  spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore' })
  if (!existsSync('dist/cmd/psm.js')) throw new Error('build failed: dist/cmd/psm.js is missing (run npm run build)')
}
