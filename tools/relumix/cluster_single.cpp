// One process: the relumix binary (relumix-mpi links tools/mpi/cluster_mpi.cpp instead).
#include "cluster.hpp"

namespace relumix::cli {

const Cluster& cluster() {
  static const Cluster c;
  return c;
}

std::vector<std::string> gather_to_root(const std::string& mine) { return {mine}; }

}  // namespace relumix::cli
