// The ranks of an MPI job (relumix-mpi): MPI is initialised on first use and finalised at exit.
#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "cluster.hpp"

namespace relumix::cli {

namespace {
struct Session {
  Session() {
    int init = 0;
    MPI_Initialized(&init);
    if (!init) MPI_Init(nullptr, nullptr);
    MPI_Comm_rank(MPI_COMM_WORLD, &c.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &c.size);
    c.mpi = true;
  }
  ~Session() {
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin) MPI_Finalize();
  }
  Cluster c;
};
Session& session() {
  static Session s;
  return s;
}

constexpr std::size_t kChunk = std::size_t(1) << 30;  // MPI counts are ints

void send_bytes(const std::string& s, int dest) {
  std::uint64_t n = s.size();
  MPI_Send(&n, 1, MPI_UINT64_T, dest, 1, MPI_COMM_WORLD);
  for (std::size_t off = 0; off < s.size(); off += kChunk)
    MPI_Send(s.data() + off, int(std::min(kChunk, s.size() - off)), MPI_BYTE, dest, 2, MPI_COMM_WORLD);
}

std::string recv_bytes(int src) {
  std::uint64_t n = 0;
  MPI_Recv(&n, 1, MPI_UINT64_T, src, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  std::string s(std::size_t(n), '\0');
  for (std::size_t off = 0; off < s.size(); off += kChunk)
    MPI_Recv(s.data() + off, int(std::min(kChunk, s.size() - off)), MPI_BYTE, src, 2, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
  return s;
}
}  // namespace

const Cluster& cluster() { return session().c; }

std::vector<std::string> gather_to_root(const std::string& mine) {
  const Cluster& c = cluster();
  if (c.rank != 0) {
    send_bytes(mine, 0);
    return {};
  }
  std::vector<std::string> all{mine};
  for (int r = 1; r < c.size; ++r) all.push_back(recv_bytes(r));
  return all;
}

}  // namespace relumix::cli
