// Experiment files: the shipped ones load; bad files give one line naming file:line and the key, and the
// CLI turns them into exit 2 with that one line.
import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { clockModeOf } from '../../src/clock/virtual-select.js'
import { InputError } from '../../src/errors.js'
import { loadExperiment } from '../../src/experiment/config.js'
import { runPsm } from '../helpers/cli.js'
import { errorOf, tempFiles } from '../helpers/files.js'

const file = tempFiles('experiment')

const GOOD = `name: t
nodes:
  - { group: pubs, count: 2, role: publisher }
  - { group: rest, count: 3 }
`

describe('experiment files', () => {
  it('every shipped experiment loads', () => {
    const names = readdirSync('experiments').filter((f) => f.endsWith('.yml'))
    expect(names).toEqual(
      expect.arrayContaining([
        'baseline.yml',
        'blob.yml',
        'sybil-flood.yml',
        'eclipse.yml',
        'cold-boot.yml',
        'covert-flash.yml',
        'censor.yml',
      ]),
    )
    for (const n of names) expect(() => loadExperiment(`experiments/${n}`), n).not.toThrow()
  })

  it('defaults: virtual clock, D=8 with scoring on, random topology connecting 8, 10s/30s/10s phases', () => {
    const c = loadExperiment(file(GOOD))
    expect(c.clock).toBe('virtual')
    expect(c.topology).toMatchObject({ kind: 'random', connect: 8 })
    expect(c.phases.run.duration).toBe(30_000)
    expect(c.nodes[0]!.gossipsub).toMatchObject({ D: 8, Dlo: 6, Dhi: 12, scoring: { enabled: true } })
    expect(c.nodes[1]!.role).toBe('lurker')
  })

  const bad: [string, string, RegExp][] = [
    ['unknown key', `${GOOD}colour: red\n`, /:5: colour: unknown key/],
    [
      'bad role',
      GOOD.replace('role: publisher', 'role: king'),
      /:3: nodes\[0\]\.role: 'king' is not one of publisher, lurker, attacker/,
    ],
    [
      'D outside Dlo..Dhi',
      GOOD.replace('role: publisher }', 'role: publisher, gossipsub: { D: 20 } }'),
      /:3: nodes\[0\]\.gossipsub\.D: needs Dlo <= D <= Dhi/,
    ],
    [
      'bad size',
      GOOD.replace('role: publisher }', 'role: publisher, size: 3 parsecs }'),
      /:3: nodes\[0\]\.size: '3 parsecs' is not a size in bytes/,
    ],
    [
      'attack on a missing group',
      `${GOOD}attacks:\n  - { kind: censor, group: ghosts }\n`,
      /:6: attacks\[0\]\.group: no group 'ghosts'/,
    ],
    [
      'edge to a missing node',
      `${GOOD}topology: { kind: explicit, edges: [[0, 9]] }\n`,
      /:5: topology\.edges\[0\]\[1\]: node 9 does not exist/,
    ],
    ['no publisher', GOOD.replace('role: publisher', 'role: lurker'), /nodes: no group has role publisher/],
    [
      'stop before start',
      GOOD.replace('role: publisher }', 'role: publisher, start: 5s, stop: 2s }'),
      /:3: nodes\[0\]\.stop: 2000 ms is not after start 5000 ms/,
    ],
    [
      'bad duration',
      GOOD.replace('name: t', 'name: t\nphases: { run: { duration: soon } }'),
      /:2: phases\.run\.duration: 'soon' is not a duration/,
    ],
    [
      'score parameters gossipsub would refuse',
      GOOD.replace(
        'role: publisher }',
        'role: publisher, gossipsub: { scoring: { topic: { meshMessageDeliveriesWeight: -1, meshMessageDeliveriesThreshold: 0 } } } }',
      ),
      /:3: nodes\[0\]\.gossipsub\.scoring\.topic\.meshMessageDeliveriesThreshold: must be above 0 when meshMessageDeliveriesWeight is not 0/,
    ],
    ['duplicate key', `${GOOD}seed: 1\nseed: 2\n`, /:6: seed: the key is given twice/],
    [
      'a group placed in a class the model lacks',
      `${GOOD.replace('role: publisher }', 'role: publisher, network: { class: gigabit } }')}network: { latency: 10ms, bandwidth: { classes: { slow: { up: 1Mbit, down: 1Mbit, weight: 1 } } } }\n`,
      /:3: nodes\[0\]\.network\.class: 'gigabit' is not a bandwidth class of the model \(slow\)/,
    ],
    [
      'a region in a model without regions',
      `${GOOD.replace('count: 3 }', 'count: 3, network: { region: europe } }')}network: { latency: 10ms }\n`,
      /:4: nodes\[1\]\.network\.region: 'europe': the network model places hosts by constant, not by region/,
    ],
    [
      'dht backend on a random topology',
      `${GOOD}topology: { kind: random, backend: dht }\n`,
      /:5: topology\.backend: dht is a discovery backend: needs kind discovery, not random/,
    ],
    [
      'dht discovery without bootstrap nodes',
      `${GOOD}topology: { kind: discovery, backend: dht }\n`,
      /topology\.bootstrap: dht discovery needs bootstrap nodes/,
    ],
    [
      'a group placed with no network model',
      GOOD.replace('count: 3 }', 'count: 3, network: { region: europe } }'),
      /:4: nodes\[1\]\.network: places hosts in a network model, but the file has no network:/,
    ],
  ]
  for (const [what, text, message] of bad) {
    it(`${what}: one line with file:line: key`, () => {
      const path = file(text)
      const err = errorOf(() => loadExperiment(path))
      expect(err).toBeInstanceOf(InputError)
      expect(err.message.startsWith(path)).toBe(true)
      expect(err.message).toMatch(message)
      expect(err.message).not.toContain('\n')
    })
  }

  it('the dispatcher reads the clock from the file (virtual by default), --clock over it; compare runs on none', () => {
    const plain = file(GOOD)
    const paced = file(`${GOOD}clock: paced\n`)
    expect(clockModeOf('experiment', ['run', plain])).toBe('virtual')
    expect(clockModeOf('experiment', ['run', '--out', 'x', paced])).toBe('paced')
    expect(clockModeOf('experiment', ['run', paced, '--clock', 'real'])).toBe('real')
    expect(clockModeOf('experiment', ['compare', 'a', 'b'])).toBe('real')
  })

  it('psm experiment run with bad files: exit 2 and one line each', async () => {
    for (const [, text, message] of bad.slice(0, 4)) {
      const path = file(text)
      const r = await runPsm(['experiment', 'run', path, '--out', `${path}.out`])
      expect(r.code, r.stderr).toBe(2)
      const lines = r.stderr.trimEnd().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(message)
      expect(lines[0]).toMatch(/^psm experiment: /)
    }
    const missing = await runPsm(['experiment', 'run', '/nonexistent/x.yml'])
    expect(missing.code).toBe(2)
    expect(missing.stderr.trimEnd().split('\n')).toEqual([
      'psm experiment: /nonexistent/x.yml: cannot read the config: no such file',
    ])
  })
})
