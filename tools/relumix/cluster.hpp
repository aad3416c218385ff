#pragma once
// The processes of a run: one (the relumix binary, cluster_single.cpp) or the ranks of an MPI job
// (relumix-mpi, tools/mpi/cluster_mpi.cpp). Commands that split work across processes (mc) use
// only this interface, so they are the same source in both binaries.
#include <string>
#include <vector>

namespace relumix::cli {

struct Cluster {
  int rank = 0, size = 1;
  bool mpi = false;
};
const Cluster& cluster();

// Every process calls it once with its bytes; process 0 gets all of them in rank order, the
// others an empty list.
std::vector<std::string> gather_to_root(const std::string& mine);

}  // namespace relumix::cli
