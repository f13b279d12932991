graph [
  directed 1
  node [
    id 0
    label "europe-supernode"
    host_bandwidth_up "1024 Mbit"
    host_bandwidth_down "1024 Mbit"
  ]
  node [
    id 1
    label "europe-fullnode"
    host_bandwidth_up "50 Mbit"
    host_bandwidth_down "50 Mbit"
  ]
  node [
    id 2
    label "na_east-supernode"
    host_bandwidth_up "1024 Mbit"
    host_bandwidth_down "1024 Mbit"
  ]
  node [
    id 3
    label "na_east-fullnode"
    host_bandwidth_up "50 Mbit"
    host_bandwidth_down "50 Mbit"
  ]
  edge [ source 0 target 0 latency "2 ms" packet_loss 0.0 ]
  edge [ source 0 target 1 latency "2 ms" packet_loss 0.0 ]
  edge [ source 1 target 0 latency "2 ms" packet_loss 0.0 ]
  edge [ source 1 target 1 latency "2 ms" packet_loss 0.0 ]
  edge [ source 2 target 2 latency "2 ms" packet_loss 0.0 ]
  edge [ source 2 target 3 latency "2 ms" packet_loss 0.0 ]
  edge [ source 3 target 2 latency "2 ms" packet_loss 0.0 ]
  edge [ source 3 target 3 latency "2 ms" packet_loss 0.0 ]
  edge [ source 0 target 2 latency "70 ms" packet_loss 0.0 ]
  edge [ source 0 target 3 latency "70 ms" packet_loss 0.0 ]
  edge [ source 1 target 2 latency "70 ms" packet_loss 0.0 ]
  edge [ source 1 target 3 latency "70 ms" packet_loss 0.0 ]
  edge [ source 2 target 0 latency "70 ms" packet_loss 0.0 ]
  edge [ source 2 target 1 latency "70 ms" packet_loss 0.0 ]
  edge [ source 3 target 0 latency "70 ms" packet_loss 0.0 ]
  edge [ source 3 target 1 latency "70 ms" packet_loss 0.0 ]
]
