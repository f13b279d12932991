#!/usr/bin/env node
// The psm binary: the polyfill first, then the dispatcher from the compiled build (npm ci builds it).
const { installPolyfills } = await import('../dist/src/polyfill.js')
installPolyfills()
const { run } = await import('../dist/cmd/psm.js')
const code = await run(process.argv.slice(2))
// libp2p leaves timers behind after stop(): exit once stdout and stderr are flushed
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
