// Checks the system tools the tests use, then builds dist/ once so that end-to-end tests run the real
// `psm` binary on current sources. Type errors do not stop the emit (`npm run check` reports them); a
// missing output does.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { missingToolsLine } from './tools.js'

export default function setup(): void {
  const missing = missingToolsLine()
  if (missing) {
    // one line and out, before any test starts: no stack, no five-minute wait for the first ENOENT
    process.stderr.write(`${missing}\n`)
    process.exit(1)
  }
  spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore' })
  if (!existsSync('dist/cmd/psm.js')) throw new Error('build failed: dist/cmd/psm.js is missing (run npm run build)')
}
