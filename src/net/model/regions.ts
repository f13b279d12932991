// Named regions with weights and an inter-region one-way latency table. Hosts are placed in regions by
// weight, seeded per host. The built-in `world` table is gossipsub-interop's: its eight locations, their
// weights (roughly where Ethereum nodes run) and one-way latencies in ms, from libp2p/test-plans
// gossipsub-interop/network_graph.py (`locations` and `edges`).

export interface Region {
  name: string
  weight: number
}

export interface RegionTable {
  name: string
  regions: Region[]
  /** ms[i][j]: one-way latency from region i to region j */
  ms: number[][]
}

const WORLD_REGIONS: Region[] = [
  { name: 'australia', weight: 290 },
  { name: 'europe', weight: 5599 },
  { name: 'east_asia', weight: 1059 },
  { name: 'west_asia', weight: 161 },
  { name: 'na_east', weight: 2894 },
  { name: 'na_west', weight: 1240 },
  { name: 'south_africa', weight: 47 },
  { name: 'south_america', weight: 36 },
]

// rows (from) and columns (to) in the order of WORLD_REGIONS; nearly symmetric (south_africa ↔
// south_america is 190 one way, 195 the other, as in the source)
const WORLD_MS: number[][] = [
  //  au   eu  eas  was  nae  naw  saf  sam
  [2, 165, 110, 180, 150, 110, 220, 190], // australia
  [165, 2, 125, 60, 70, 110, 95, 140], // europe
  [110, 125, 4, 110, 140, 100, 175, 175], // east_asia
  [180, 60, 110, 5, 110, 150, 110, 145], // west_asia
  [150, 70, 140, 110, 2, 60, 130, 100], // na_east
  [110, 110, 100, 150, 60, 2, 160, 100], // na_west
  [220, 95, 175, 110, 130, 160, 7, 190], // south_africa
  [190, 140, 175, 145, 100, 100, 195, 7], // south_america
]

export const BUILT_IN_TABLES: Readonly<Record<string, RegionTable>> = {
  world: { name: 'world', regions: WORLD_REGIONS, ms: WORLD_MS },
}
