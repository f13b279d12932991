// What machine a bench ran on: a report is only comparable with one from similar hardware and load.
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os'

export interface MachineInfo {
  cpuModel: string
  cores: number
  memoryBytes: number
  os: string
  /** 1, 5 and 15 minute load averages when the bench started; other work on the machine shows here */
  loadAtStart: number[]
  loadAtEnd: number[] | null
}

export function machineInfo(): MachineInfo {
  const list = cpus()
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    os: `${platform()} ${release()}`,
    loadAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    loadAtEnd: null,
  }
}

export function currentLoad(): number[] {
  return loadavg().map((l) => Math.round(l * 100) / 100)
}
